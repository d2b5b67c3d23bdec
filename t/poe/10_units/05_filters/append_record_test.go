package filters_test

import (
	"errors"
	"testing"

	"github.com/poe-go/poe/poe/driver"
	"github.com/poe-go/poe/poe/filter"
)

// TestAppendRecord checks that AppendRecord appends one record and the
// filter's output terminator after what dst held, and refuses a record of
// the wrong type with ErrRecordType, leaving dst as it was, as Put does;
// and that Put of several records at once writes what AppendRecord
// appends for each of them in turn.
func TestAppendRecord(t *testing.T) {
	encoders := []struct {
		name string
		// f is one of the filters a ReadWrite encodes each record with
		// through SysRW's PutRecord: the field's type makes the build
		// check that it is a driver.RecordEncoder.
		f interface {
			filter.Filter
			driver.RecordEncoder
		}
		term string // what follows each record
	}{
		{"Line", filter.NewLine(), "\r\n"},
		{"Line with Literal", filter.NewLine(filter.LineOptions{Literal: "\n"}), "\n"},
		{"Line with OutputLiteral", filter.NewLine(filter.LineOptions{OutputLiteral: "<>"}), "<>"},
		{"Stream", filter.NewStream(), ""},
	}
	records := []struct {
		name    string
		record  any
		octets  string // "" with refused
		refused bool
	}{
		{"a string", "abc", "abc", false},
		{"octets", []byte("de"), "de", false},
		{"an empty string", "", "", false},
		{"an integer", 42, "", true},
		{"nil", nil, "", true},
	}
	const prefix = "held:"
	for _, enc := range encoders {
		var accepted []any
		want, appended := prefix, []byte(prefix)
		for _, rec := range records {
			t.Run(enc.name+"/"+rec.name, func(t *testing.T) {
				got, err := enc.f.AppendRecord([]byte(prefix), rec.record)
				if rec.refused {
					_, perr := enc.f.Put([]byte(prefix), rec.record)
					if !errors.Is(err, filter.ErrRecordType) || !errors.Is(perr, filter.ErrRecordType) {
						t.Fatalf("AppendRecord err %v, Put err %v: want ErrRecordType from both", err, perr)
					}
					if string(got) != prefix {
						t.Fatalf("AppendRecord left %q, want %q", got, prefix)
					}
					return
				}
				if err != nil {
					t.Fatalf("AppendRecord: %v", err)
				}
				if want := prefix + rec.octets + enc.term; string(got) != want {
					t.Fatalf("AppendRecord %q, want %q", got, want)
				}
			})
			if !rec.refused {
				accepted = append(accepted, rec.record)
				want += rec.octets + enc.term
				var err error
				if appended, err = enc.f.AppendRecord(appended, rec.record); err != nil {
					t.Fatalf("%s: AppendRecord %q: %v", enc.name, rec.record, err)
				}
			}
		}
		t.Run(enc.name+"/several records at once", func(t *testing.T) {
			put, err := enc.f.Put([]byte(prefix), accepted...)
			if err != nil {
				t.Fatalf("Put: %v", err)
			}
			if string(put) != want || string(appended) != want {
				t.Fatalf("Put %q, AppendRecord in turn %q, want %q", put, appended, want)
			}
		})
	}
}

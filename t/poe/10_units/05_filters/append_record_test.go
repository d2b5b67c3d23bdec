package filters_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/poe-go/poe/poe/driver"
	"github.com/poe-go/poe/poe/filter"
)

// The filters a ReadWrite encodes each record with through SysRW's
// PutRecord.
var (
	_ driver.RecordEncoder = (*filter.Line)(nil)
	_ driver.RecordEncoder = (*filter.Stream)(nil)
)

// TestAppendRecord checks that AppendRecord appends one record and the
// filter's output terminator after what dst held, the octets Put writes
// for it, and refuses a record of the wrong type with ErrRecordType,
// leaving dst as it was.
func TestAppendRecord(t *testing.T) {
	encoders := []struct {
		name string
		f    interface {
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
		for _, rec := range records {
			t.Run(enc.name+"/"+rec.name, func(t *testing.T) {
				got, err := enc.f.AppendRecord([]byte(prefix), rec.record)
				put, perr := enc.f.Put([]byte(prefix), rec.record)
				if rec.refused {
					if !errors.Is(err, filter.ErrRecordType) || !errors.Is(perr, filter.ErrRecordType) {
						t.Fatalf("AppendRecord err %v, Put err %v: want ErrRecordType from both", err, perr)
					}
					if string(got) != prefix {
						t.Fatalf("AppendRecord left %q, want %q", got, prefix)
					}
					return
				}
				if err != nil || perr != nil {
					t.Fatalf("AppendRecord err %v, Put err %v", err, perr)
				}
				if want := prefix + rec.octets + enc.term; string(got) != want || !bytes.Equal(got, put) {
					t.Fatalf("AppendRecord %q, Put %q, want %q", got, put, want)
				}
			})
		}
	}
}

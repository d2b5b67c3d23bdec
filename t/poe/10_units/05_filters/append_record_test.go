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

// TestAppendRecord checks that AppendRecord is Put of one record: the same
// octets after what dst held, and for a record of the wrong type the same
// error kind with dst as it was.
func TestAppendRecord(t *testing.T) {
	encoders := []struct {
		name string
		f    interface {
			filter.Filter
			driver.RecordEncoder
		}
	}{
		{"Line", filter.NewLine()},
		{"Line with Literal", filter.NewLine(filter.LineOptions{Literal: "\n"})},
		{"Line with OutputLiteral", filter.NewLine(filter.LineOptions{OutputLiteral: "<>"})},
		{"Stream", filter.NewStream()},
	}
	records := []struct {
		name    string
		record  any
		refused bool
	}{
		{"a string", "abc", false},
		{"octets", []byte("de"), false},
		{"an empty string", "", false},
		{"an integer", 42, true},
		{"nil", nil, true},
	}
	for _, enc := range encoders {
		for _, rec := range records {
			t.Run(enc.name+"/"+rec.name, func(t *testing.T) {
				prefix := []byte("held:")
				got, err := enc.f.AppendRecord(append([]byte(nil), prefix...), rec.record)
				want, werr := enc.f.Put(append([]byte(nil), prefix...), rec.record)
				if rec.refused {
					if !errors.Is(err, filter.ErrRecordType) || !errors.Is(werr, filter.ErrRecordType) {
						t.Fatalf("AppendRecord err %v, Put err %v: want ErrRecordType from both", err, werr)
					}
					if !bytes.Equal(got, prefix) {
						t.Fatalf("AppendRecord left %q, want %q", got, prefix)
					}
					return
				}
				if err != nil || werr != nil {
					t.Fatalf("AppendRecord err %v, Put err %v", err, werr)
				}
				if !bytes.Equal(got, want) || !bytes.HasPrefix(got, prefix) {
					t.Fatalf("AppendRecord %q, Put %q", got, want)
				}
			})
		}
	}
}

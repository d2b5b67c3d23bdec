package main

import (
	"testing"

	"github.com/poe-go/poe/poe/filter"
	"github.com/poe-go/poe/poe/serial/msgpack"
)

// TestCallFramesAreIKCFrames checks that the raw round trip's octets are
// what the kernels exchange: each is one Filter::Reference frame holding
// the call, or its response to the call's rsvp.
func TestCallFramesAreIKCFrames(t *testing.T) {
	request, response, err := callFrames()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		frame []byte
		check func(rec map[string]any) bool
	}{
		{"request", request, func(rec map[string]any) bool {
			rsvp, _ := rec["rsvp"].(map[string]any)
			return rec["event"] == "poe://BenchServer/sink/echo" && rsvp["state"] == "answer"
		}},
		{"response", response, func(rec map[string]any) bool {
			ev, _ := rec["event"].(map[string]any)
			return ev["kernel"] == "BenchClient" && ev["state"] == "answer"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs, err := filter.NewReference(filter.ReferenceOptions{Serializer: msgpack.Default}).Get(tc.frame)
			if err != nil || len(recs) != 1 {
				t.Fatalf("Get: %d records, %v", len(recs), err)
			}
			rec, ok := recs[0].(map[string]any)
			if !ok || !tc.check(rec) {
				t.Fatalf("record %#v", recs[0])
			}
		})
	}
}

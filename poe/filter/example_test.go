package filter_test

import (
	"fmt"

	"github.com/poe-go/poe/poe/filter"
)

// A Line filter frames octets into lines whichever way they arrive, and
// puts records back with the output terminator.
func ExampleLine() {
	f := filter.NewLine()
	recs, _ := f.Get([]byte("hello\r\nwor"))
	fmt.Printf("%q\n", recs)
	recs, _ = f.Get([]byte("ld\n"))
	fmt.Printf("%q\n", recs)
	out, _ := f.Put(nil, "bye")
	fmt.Printf("%q\n", out)
	// Output:
	// ["hello"]
	// ["world"]
	// "bye\r\n"
}

// Reference is IKC's frame layer: each record is frozen (Storable by
// default) and sent as "<length>\0<payload>".
func ExampleReference() {
	f := filter.NewReference(filter.ReferenceOptions{})
	wire, _ := f.Put(nil, map[string]any{"n": int64(1)})
	recs, _ := f.Get(wire)
	fmt.Println(recs[0])
	// Output: map[n:1]
}

// Stackable puts filters in layers, the first nearest the wire: here
// lines, then a Grep that drops comments, then a Map that shouts.
func ExampleStackable() {
	f := filter.NewStackable(
		filter.NewLine(filter.LineOptions{Literal: "\n"}),
		filter.NewGrep(filter.GrepOptions{Code: func(r any) bool { return r.(string)[0] != '#' }}),
		filter.NewMap(filter.MapOptions{Code: func(r any) []any { return []any{r.(string) + "!"} }}),
	)
	recs, _ := f.Get([]byte("# a comment\nhello\nworld\n"))
	fmt.Println(recs)
	// Output: [hello! world!]
}

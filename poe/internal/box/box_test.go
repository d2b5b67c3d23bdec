package box

import (
	"runtime"
	"strings"
	"testing"
)

func TestStringCopy(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"empty", ""},
		{"one octet", "x"},
		{"a line", "0123456789abcdef"},
		{"binary", "\x00\xff\n\r"},
		{"the longest in one block", strings.Repeat("y", SmallCopy)},
		{"large", strings.Repeat("0123456789", 10000)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := []byte(tc.in)
			v := StringCopy(b)
			for i := range b {
				b[i] = '!' // the copy must not alias the input
			}
			runtime.GC()
			s, ok := v.(string)
			if !ok || s != tc.in {
				t.Fatalf("StringCopy = %#v, want %q", v, tc.in)
			}
		})
	}
}

func TestBytesCopy(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
	}{
		{"empty", []byte{}},
		{"one octet", []byte("x")},
		{"a block", []byte("0123456789abcdef0123")},
		{"the longest in one block", []byte(strings.Repeat("x", SmallCopy))},
		{"large", []byte(strings.Repeat("0123456789", 10000))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := string(tc.in)
			v := BytesCopy(tc.in)
			for i := range tc.in {
				tc.in[i] = '!' // the copy must not alias the input
			}
			runtime.GC()
			b, ok := v.([]byte)
			if !ok || b == nil || string(b) != want {
				t.Fatalf("BytesCopy = %#v, want %q", v, want)
			}
			if len(b) <= SmallCopy && cap(b) != len(b) {
				t.Fatalf("cap %d, len %d: an append would run past the block", cap(b), len(b))
			}
			if len(b) <= SmallCopy && len(b) > 0 {
				// The header shares its block with the octets: an
				// append by the holder must move them elsewhere.
				if moved := append(b, "tail"...); &moved[0] == &b[0] {
					t.Fatal("an append to a copy grew it in place, past its block")
				}
			}
		})
	}
}

// TestStringCopySurvivesCollection keeps only the strings (not their
// interfaces) of many copies across collections: each must keep its
// block alive and intact.
func TestStringCopySurvivesCollection(t *testing.T) {
	var kept []string
	for i := 0; i < 10000; i++ {
		kept = append(kept, StringCopy([]byte(strings.Repeat("ab", i%50+1))).(string))
		if i%1000 == 0 {
			runtime.GC()
		}
	}
	runtime.GC()
	for i, s := range kept {
		if want := strings.Repeat("ab", i%50+1); s != want {
			t.Fatalf("string %d = %q, want %q", i, s, want)
		}
	}
}

func BenchmarkStringCopy(b *testing.B) {
	line := []byte("0123456789abcde")
	b.Run("box.StringCopy", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink = StringCopy(line)
		}
	})
	b.Run("any(string(b))", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink = any(string(line))
		}
	})
}

var sink any

// TestOneAllocation checks what the package is for: a small value and its
// interface cost one allocation, and a value over SmallCopy is copied as
// string(b) and []byte copies are (two).
func TestOneAllocation(t *testing.T) {
	small := []byte("0123456789abcde")
	large := make([]byte, SmallCopy+1)
	tests := []struct {
		name string
		fn   func()
		want float64
	}{
		{"StringCopy, small", func() { sink = StringCopy(small) }, 1},
		{"BytesCopy, small", func() { sink = BytesCopy(small) }, 1},
		{"StringCopy, over SmallCopy", func() { sink = StringCopy(large) }, 2},
		{"BytesCopy, over SmallCopy", func() { sink = BytesCopy(large) }, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := testing.AllocsPerRun(100, tc.fn); got != tc.want {
				t.Errorf("%v allocations, want %v", got, tc.want)
			}
		})
	}
}

// TestLendBytes checks that a lent []byte is the slice at p, follows it
// when p is set again, and costs no allocation.
func TestLendBytes(t *testing.T) {
	p := []byte("one")
	v := LendBytes(&p)
	if b, ok := v.([]byte); !ok || string(b) != "one" {
		t.Fatalf("lent %#v, want []byte(\"one\")", v)
	}
	p = []byte("two")
	if string(v.([]byte)) != "two" {
		t.Fatalf("after p changed, lent %q, want \"two\"", v)
	}
	if n := testing.AllocsPerRun(100, func() { v = LendBytes(&p) }); n != 0 {
		t.Fatalf("%v allocations per lend", n)
	}
}

// Package box makes interface values without the allocation of their own
// that the runtime's boxing of a non-pointer value costs. A decoder that
// hands out many strings or integers as `any` keeps the values in memory
// it allocates anyway and points the interfaces there.
//
// The interface layout (a type word, then a data word pointing at the
// value) is the one the Go runtime uses for every non-pointer type.
package box

import "unsafe"

type eface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

// TypeWord returns the type word of v's dynamic type.
func TypeWord(v any) unsafe.Pointer { return (*eface)(unsafe.Pointer(&v)).typ }

// Make returns the interface of type word typ whose value is at data. The
// value must never change while the interface is in use, and data must
// keep the memory it points into alive.
func Make(typ, data unsafe.Pointer) any {
	var v any
	e := (*eface)(unsafe.Pointer(&v))
	e.typ, e.data = typ, data
	return v
}

// LendBytes returns the []byte at p in an interface that points at p
// itself, with no allocation: a filter's borrowed record. The interface
// shows whatever *p holds, so it is valid only until *p is next set.
func LendBytes(p *[]byte) any { return Make(BytesType, unsafe.Pointer(p)) }

// Types of the values boxed most.
var (
	StringType = TypeWord("")
	Int64Type  = TypeWord(int64(0))
	SliceType  = TypeWord([]any(nil))
	BytesType  = TypeWord([]byte(nil))
)

// Sizes of the headers StringCopy and BytesCopy put before the octets.
const (
	StringSize = int(unsafe.Sizeof(""))
	SliceSize  = int(unsafe.Sizeof([]byte(nil)))
)

// StringCopy returns a copy of b as a string in an interface, with one
// allocation where string(b) and its boxing make two: a block of plain
// bytes holding the string header and, after it, the octets. The garbage
// collector need not look inside the block: its only pointer points into
// the block itself, and whoever holds the interface or the string holds
// a pointer into the block, which keeps all of it alive. Above
// SmallCopy octets the saving is nothing next to the copy, and the header
// would push the block into a larger size class, so b is copied as usual.
func StringCopy(b []byte) any {
	if len(b) == 0 {
		return "" // a constant: boxing it is free
	}
	if len(b) > SmallCopy {
		return string(b)
	}
	p := block(b, StringSize)
	*(*string)(p) = unsafe.String((*byte)(unsafe.Add(p, StringSize)), len(b))
	return Make(StringType, p)
}

// SmallCopy is the longest value StringCopy and BytesCopy put in one
// block with their header.
const SmallCopy = 1024

// block allocates h bytes, zero, followed by a copy of b. The h bytes
// must be zero because storing a header there runs the write barrier,
// which reads the old contents as a pointer; make zeroes the whole block,
// which for SmallCopy octets or fewer costs less than a second
// allocation.
func block(b []byte, h int) unsafe.Pointer {
	blk := make([]byte, h+len(b))
	copy(blk[h:], b)
	return unsafe.Pointer(unsafe.SliceData(blk))
}

// BytesCopy returns a copy of b in an interface, with one allocation
// where the copy and its boxing make two: as StringCopy, the slice header
// first and the octets after it (up to SmallCopy octets). The slice's
// capacity is its length, so an append by its holder moves it elsewhere
// instead of running past the block.
func BytesCopy(b []byte) any {
	if len(b) == 0 {
		return []byte{} // empty, not nil, as a copy of an empty block is
	}
	if len(b) > SmallCopy {
		return append([]byte(nil), b...)
	}
	p := block(b, SliceSize)
	*(*[]byte)(p) = unsafe.Slice((*byte)(unsafe.Add(p, SliceSize)), len(b))
	return Make(BytesType, p)
}

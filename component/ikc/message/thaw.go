package message

import (
	"strconv"

	"github.com/poe-go/poe/poe/serial"
	"github.com/poe-go/poe/poe/serial/msgpack"
)

// Bounds of a Decoder's table of names: a direct-mapped cache, where a
// name takes the slot of the one it collides with.
const (
	maxNames   = 128 // slots, a power of two
	maxNameLen = 128 // longer names are not kept
)

// Decoder thaws the frames of one connection. With MessagePack it decodes
// a record straight into a *Message, without the generic hashes Thaw and
// FromValue go through, and shares the strings of names it has seen
// (kernels, sessions, states, specifiers), which repeat from one record
// to the next. Anything else, and any MessagePack payload that is not a
// well-formed record, goes to the serializer's Thaw, so that FromValue
// reports a malformed record and Thaw malformed bytes as they always did.
// A Decoder is not safe for concurrent use: it belongs to one connection.
type Decoder struct {
	s     serial.Serializer
	mp    *msgpack.Serializer
	names *[maxNames]string
}

// NewDecoder returns a Decoder that thaws with s.
func NewDecoder(s serial.Serializer) *Decoder {
	d := &Decoder{s: s}
	if mp, ok := s.(*msgpack.Serializer); ok {
		d.mp = mp
	}
	return d
}

// Thaw decodes one frame payload: a *Message when it is a MessagePack
// record, else what the serializer's Thaw returns (FromValue reads it).
// A *Message from Thaw is the record FromValue would make of the thawed
// hash.
func (d *Decoder) Thaw(data []byte) (any, error) {
	if d.mp != nil {
		if m := d.record(data); m != nil {
			return m, nil
		}
	}
	return d.s.Thaw(data)
}

// received is a record and the addresses it points to, in one allocation.
type received struct {
	Message
	event, rsvp, from Address
}

// The keys of a record, as bits, to refuse one given twice.
const (
	keyEvent = 1 << iota
	keyParams
	keyRSVP
	keyFrom
	keyWant
	keyIsError
)

// record decodes data as a record, or returns nil for anything it does not
// read exactly as Thaw then FromValue would.
func (d *Decoder) record(data []byte) *Message {
	r := d.mp.NewReader(data)
	n, ok := r.MapHeader()
	if !ok {
		return nil
	}
	rec := &received{}
	m := &rec.Message
	seen := 0
	for range n {
		key, ok := r.Str()
		if !ok {
			return nil
		}
		bit := 0
		switch string(key) {
		case "event":
			bit = keyEvent
			if s, ok := r.Str(); ok {
				m.Event = d.name(s)
			} else if !d.address(&r, &rec.event) {
				return nil
			} else {
				m.EventAddr = &rec.event
			}
		case "params":
			bit = keyParams
			v, err := r.Value()
			if err != nil {
				return nil
			}
			m.Params = v
		case "rsvp":
			bit = keyRSVP
			if !r.Nil() {
				if !d.address(&r, &rec.rsvp) {
					return nil
				}
				m.RSVP = &rec.rsvp
			}
		case "from":
			bit = keyFrom
			if !r.Nil() {
				if !d.address(&r, &rec.from) {
					return nil
				}
				m.From = &rec.from
			}
		case "wantarray":
			bit = keyWant
			if !r.Nil() {
				s, ok := r.Str()
				if !ok {
					return nil
				}
				m.Want = WantScalar
				if perlTrue(s) {
					m.Want = WantList
				}
			}
		case "is_error":
			bit = keyIsError
			if i, ok := r.Int(); ok {
				m.IsError = i != 0
			} else if s, ok := r.Str(); ok {
				m.IsError = perlTrue(s)
			} else if !r.Nil() {
				return nil
			}
		default:
			// errors_to and call are dropped, other keys kept, as
			// FromValue does; a key given twice keeps its last value.
			v, err := r.Value()
			if err != nil {
				return nil
			}
			if k := string(key); !dropped(k) {
				if m.Extra == nil {
					m.Extra = map[string]any{}
				}
				m.Extra[k] = v
			}
		}
		if seen&bit != 0 {
			return nil
		}
		seen |= bit
	}
	r.EndMap()
	if seen&keyEvent == 0 || !r.Done() {
		return nil
	}
	return m
}

// address decodes a {kernel, session, state} hash as AddressFromValue
// reads it: missing or nil keys are "", an integer session is a session
// ID, other keys are ignored. It reports false for anything else.
func (d *Decoder) address(r *msgpack.Reader, a *Address) bool {
	n, ok := r.MapHeader()
	if !ok {
		return false
	}
	seen := 0
	a.NoState = true
	for range n {
		key, ok := r.Str()
		if !ok {
			return false
		}
		var field *string
		bit := 0
		switch string(key) {
		case "kernel":
			field, bit = &a.Kernel, 1
		case "session":
			field, bit = &a.Session, 2
		case "state":
			field, bit = &a.State, 4
			a.NoState = false
		default:
			if _, err := r.Value(); err != nil {
				return false
			}
			continue
		}
		if seen&bit != 0 {
			return false
		}
		seen |= bit
		if !r.Nil() {
			if s, ok := r.Str(); ok {
				*field = d.name(s)
			} else if i, ok := r.Int(); ok {
				*field = strconv.FormatInt(i, 10)
				if bit == 2 {
					a.SessionIsID = true
				}
			} else {
				return false
			}
		}
	}
	r.EndMap()
	return true
}

// name returns b as a string, shared with earlier records that had it.
// The slot is chosen from the length and three of the bytes, cheaper than
// hashing every byte, and a hit costs one comparison.
func (d *Decoder) name(b []byte) string {
	n := len(b)
	if n == 0 || n > maxNameLen {
		return string(b)
	}
	if d.names == nil {
		// Made at the first record, not with the Decoder: an idle
		// connection keeps no 2 KiB table.
		d.names = new([maxNames]string)
	}
	slot := &d.names[(uint(n)*31+uint(b[0])*7+uint(b[n/2])*17+uint(b[n-1]))&(maxNames-1)]
	if *slot == string(b) {
		return *slot
	}
	*slot = string(b)
	return *slot
}

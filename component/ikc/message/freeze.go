package message

import (
	"errors"

	"github.com/poe-go/poe/poe/serial"
	"github.com/poe-go/poe/poe/serial/msgpack"
)

// errNilMessage is FreezeWith's error for a nil *Message.
var errNilMessage = errors.New("message: cannot freeze a nil *Message")

// FreezeWith appends the record frozen by s to dst: what s.Freeze makes
// of Value(). A *Message given to a Reference filter's Put (a channel's
// wheel) freezes itself this way. With MessagePack it writes the hash
// straight from the struct, without building Value's maps; the bytes are
// Freeze's, the keys in a fixed order (event, params, rsvp, from,
// wantarray, is_error; kernel, session, state), one of the orders Freeze
// may pick. Other serializers freeze Value().
func (m *Message) FreezeWith(s serial.Serializer, dst []byte) ([]byte, error) {
	if m == nil {
		return dst, errNilMessage
	}
	if mp, ok := s.(*msgpack.Serializer); ok && len(m.Extra) == 0 && mp.MaxDepth() >= 3 {
		return m.appendMsgpack(mp, dst)
	}
	return s.Freeze(dst, m.Value())
}

// appendMsgpack writes the hash Value returns as Freeze nests it: the hash
// at depth 1, params and the address hashes at 2, their scalars at 3 (so
// FreezeWith needs a MaxDepth of 3, below which it lets Freeze refuse).
func (m *Message) appendMsgpack(s *msgpack.Serializer, dst []byte) ([]byte, error) {
	n := 2
	if m.RSVP != nil {
		n++
	}
	if m.From != nil {
		n++
	}
	if m.Want != WantNone {
		n++
	}
	if m.IsError {
		n++
	}
	start := len(dst)
	dst = msgpack.AppendMapHeader(dst, n)
	dst = msgpack.AppendString(dst, "event")
	if m.EventAddr != nil {
		dst = m.EventAddr.appendMsgpack(dst)
	} else {
		dst = msgpack.AppendString(dst, m.Event)
	}
	dst = msgpack.AppendString(dst, "params")
	out, err := s.FreezeAt(dst, m.Params, 1)
	if err != nil {
		return dst[:start], err
	}
	dst = out
	if m.RSVP != nil {
		dst = msgpack.AppendString(dst, "rsvp")
		dst = m.RSVP.appendMsgpack(dst)
	}
	if m.From != nil {
		dst = msgpack.AppendString(dst, "from")
		dst = m.From.appendMsgpack(dst)
	}
	switch m.Want {
	case WantScalar:
		dst = msgpack.AppendString(dst, "wantarray")
		dst = msgpack.AppendString(dst, "")
	case WantList:
		dst = msgpack.AppendString(dst, "wantarray")
		dst = msgpack.AppendString(dst, "1")
	}
	if m.IsError {
		dst = msgpack.AppendString(dst, "is_error")
		dst = msgpack.AppendInt(dst, 1)
	}
	return dst, nil
}

// appendMsgpack writes the hash Value returns.
func (a *Address) appendMsgpack(dst []byte) []byte {
	withState := a.hasState()
	if withState {
		dst = msgpack.AppendMapHeader(dst, 3)
	} else {
		dst = msgpack.AppendMapHeader(dst, 2)
	}
	dst = msgpack.AppendString(dst, "kernel")
	dst = msgpack.AppendString(dst, a.Kernel)
	dst = msgpack.AppendString(dst, "session")
	if id, ok := a.sessionID(); ok {
		dst = msgpack.AppendInt(dst, id)
	} else {
		dst = msgpack.AppendString(dst, a.Session)
	}
	if withState {
		dst = msgpack.AppendString(dst, "state")
		dst = msgpack.AppendString(dst, a.State)
	}
	return dst
}

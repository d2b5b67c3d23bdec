package freezethaw

import (
	"bytes"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/poe-go/poe/poe/serial/serialtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPerlFilterReferenceWire checks what really crosses the socket
// between an IKC peer using FreezeThaw and this package, through Perl's
// POE::Filter::Reference and POE::Driver::SysRW
// (testdata/perl/filter.pl):
//
//   - a record of byte strings (Latin-1 included) is sent with lengths in
//     bytes, and thaws to those bytes;
//   - a record holding a character string is sent as UTF-8 with every
//     string length counted in characters; Perl's own filter cannot read
//     it back, Thaw can, and gives the text as UTF-8;
//   - a Go string reaches Perl as the byte string of its UTF-8.
func TestPerlFilterReferenceWire(t *testing.T) {
	perl := serialtest.Perl(t, "FreezeThaw", "POE::Filter::Reference", "POE::Driver::SysRW")
	p := serialtest.StartPerl(t, time.Minute, perl, "testdata/perl/filter.pl")

	var frames [][]byte
	var perlReads []string
	for {
		l := p.Line(t)
		if l == "END" {
			break
		}
		kind, rest, _ := strings.Cut(l, " ")
		switch kind {
		case "FRAME":
			b, err := hex.DecodeString(rest)
			require.NoError(t, err)
			frames = append(frames, b)
		case "PERL":
			perlReads = append(perlReads, rest)
		}
	}
	require.Len(t, frames, 3)
	require.Len(t, perlReads, 3)

	want := []struct {
		record   map[string]any
		charMode bool // lengths count characters
	}{
		{map[string]any{"text": "caf\xe9", "n": int64(1)}, false},
		{map[string]any{"text": "☺ and café", "plain": "x"}, true},
		{map[string]any{"klé": "☺", "list": []any{"😀", "a"}}, true},
	}
	for i, f := range frames {
		head, payload, ok := bytes.Cut(f, []byte{0})
		require.True(t, ok)
		n, err := strconv.Atoi(string(head))
		require.NoError(t, err)
		require.Len(t, payload, n, "the frame length counts bytes")
		v, err := Thaw(payload)
		require.NoError(t, err, "frame %d: %q", i, payload)
		assert.Equal(t, want[i].record, v, "frame %d", i)
		if want[i].charMode {
			assert.True(t, strings.HasPrefix(perlReads[i], "ERR"), "Perl's own filter fails on frame %d: %s", i, perlReads[i])
			d := newDecoder(payload, Options{}, false)
			_, err := d.image()
			assert.Error(t, err, "frame %d does not read with lengths in bytes", i)
		} else {
			assert.Equal(t, "ok", perlReads[i])
		}
	}

	// Go's frames: every string reaches Perl as the bytes of its UTF-8.
	rec := map[string]any{"text": "☺ and café", "klé": "x", "n": 42}
	img, err := Freeze(rec)
	require.NoError(t, err)
	frame := append([]byte(strconv.Itoa(len(img))+"\x00"), img...)
	p.Send(t, "GO "+hex.EncodeToString(frame))
	h := func(s string) string { return hex.EncodeToString([]byte(s)) }
	assert.Equal(t, h("kl\xc3\xa9")+"="+h("x")+"/0 "+h("n")+"="+h("42")+"/0 "+h("text")+"="+h("☺ and café")+"/0", p.Line(t))
}

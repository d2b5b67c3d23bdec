package freezethaw

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The capture of two Perl IKC kernels (POE::Component::IKC 0.2402,
// FreezeThaw 0.5001) talking over IKC0 with FREEZER=FreezeThaw: the bytes
// each sent, and an index of every line and frame in them.
const captureDir = "testdata/vectors"

type captureItem struct {
	Seq         int    `json:"seq"`
	Dir         string `json:"dir"`
	Kind        string `json:"kind"`
	Offset      int    `json:"offset"`
	Length      int    `json:"length"`
	LengthField int    `json:"length_field"`
	PayloadHex  string `json:"payload_hex"`
	Meaning     string `json:"meaning"`
	Decoded     any    `json:"decoded"`
}

type captureFrame struct {
	captureItem
	payload []byte
}

// loadCapture reads the index and cuts every frame's payload out of the
// stream of its direction, checking its "<length>\0" header.
func loadCapture(t testing.TB) []captureFrame {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(captureDir, "ikc0-freezethaw.index.json"))
	require.NoError(t, err)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var idx struct {
		Serializer string        `json:"serializer"`
		Items      []captureItem `json:"items"`
	}
	require.NoError(t, dec.Decode(&idx))
	require.Equal(t, Name, idx.Serializer)
	streams := map[string][]byte{}
	for dir, file := range map[string]string{"c2s": "client-to-server", "s2c": "server-to-client"} {
		streams[dir], err = os.ReadFile(filepath.Join(captureDir, "ikc0-freezethaw."+file+".bin"))
		require.NoError(t, err)
	}
	var frames []captureFrame
	for _, it := range idx.Items {
		if it.Kind != "frame" {
			continue
		}
		s := streams[it.Dir]
		require.LessOrEqual(t, it.Offset+it.Length, len(s), "frame %d", it.Seq)
		frame := s[it.Offset : it.Offset+it.Length]
		head, payload, ok := bytes.Cut(frame, []byte{0})
		require.True(t, ok, "frame %d has no NUL after its length", it.Seq)
		n, err := strconv.Atoi(string(head))
		require.NoError(t, err, "frame %d", it.Seq)
		require.Equal(t, it.LengthField, n, "frame %d", it.Seq)
		require.Len(t, payload, n, "frame %d", it.Seq)
		require.Equal(t, it.PayloadHex, hex.EncodeToString(payload), "frame %d: index and stream agree", it.Seq)
		frames = append(frames, captureFrame{it, payload})
	}
	return frames
}

// TestCaptureFrames thaws every frame two Perl IKC kernels exchanged,
// compares it with what Perl decoded, and freezes it again: the bytes
// must be exactly Perl's.
func TestCaptureFrames(t *testing.T) {
	frames := loadCapture(t)
	require.Len(t, frames, 33)
	for _, f := range frames {
		t.Run(fmt.Sprintf("%d-%s", f.Seq, f.Dir), func(t *testing.T) {
			v, err := Thaw(f.payload)
			require.NoError(t, err, "%s", f.Meaning)
			assert.True(t, perlEqual(f.Decoded, v), "%s:\nPerl decoded %v\nGo thawed    %v", f.Meaning, f.Decoded, v)
			out, err := Freeze(v)
			require.NoError(t, err)
			assert.Equal(t, string(f.payload), string(out))
		})
	}
}

// TestCaptureFrameTypes checks the Go types the data model gives a
// handler for a record: hashes, strings, int64 for Perl's integers
// (session IDs, counts) and nil for undef.
func TestCaptureFrameTypes(t *testing.T) {
	byseq := map[int][]byte{}
	for _, f := range loadCapture(t) {
		byseq[f.Seq] = f.payload
	}
	v, err := Thaw(byseq[3])
	require.NoError(t, err)
	assert.Equal(t, map[string]any{
		"event":  "poe://Server/IKC/ping",
		"from":   map[string]any{"kernel": "vm-6b037fb8-000026f5-00000001", "session": "client", "state": "IKC:proxy"},
		"params": "PING",
		"rsvp":   map[string]any{"kernel": "Client", "session": int64(2), "state": "reply"},
	}, v)

	v, err = Thaw(byseq[7])
	require.NoError(t, err)
	assert.Nil(t, v.(map[string]any)["params"], "undef params")

	v, err = Thaw(byseq[17])
	require.NoError(t, err)
	params := v.(map[string]any)["params"].(map[string]any)
	assert.Equal(t, []any{}, params["empty_a"])
	assert.Equal(t, map[string]any{}, params["empty_h"])
	assert.Equal(t, map[string]any{"a": int64(1), "b": nil, "c": "", "key with spaces": "v"}, params["hash"])
	assert.Equal(t, []any{int64(1), "two", []any{int64(3), []any{int64(4), map[string]any{"deep": "yes", "undef": nil}}}}, params["list"])
}

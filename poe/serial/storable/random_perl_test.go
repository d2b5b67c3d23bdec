package storable

import (
	"bytes"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The random tests draw every value from the seed and the value's index,
// so that a failure names the one value to look at:
//
//	go test -run Random -storable.seed=7 -storable.count=5000
var (
	randSeed  = flag.Uint64("storable.seed", 1, "seed of the random values the Perl interop tests exchange")
	randCount = flag.Int("storable.count", 1000, "random values each direction of the Perl interop tests exchanges")
)

// TestRandomGoToPerl freezes random values of the data model in Go
// (every integer width and boundary, doubles with -0, infinities and NaN,
// booleans, byte strings, text, keys that are ASCII, UTF-8 or binary,
// references, objects, shared values and cycles), has Perl thaw them and
// nfreeze them again with sorted keys, and checks that Perl wrote the
// bytes Go wrote, and that both images thaw to the value Go froze.
//
// The one difference allowed in the bytes: Perl keeps a UTF-8 key whose
// characters are all below U+0100 downgraded to Latin-1 and writes it so,
// flagged as once UTF-8 (the "upgraded-key" sample of TestPerlFreezeGoThaw);
// Go writes the key as UTF-8. Both read back as the same key, and Go's
// freeze of what it thaws from Perl's image must still be its own bytes,
// unless the value holds a []byte that is also UTF-8 text: thawed, that
// is a string, which Go sends as characters.
func TestRandomGoToPerl(t *testing.T) {
	p := startPerl(t)
	failed := 0
	for i := range *randCount {
		g := newGoGen(*randSeed, uint64(i))
		v := g.top()
		where := fmt.Sprintf("value %d of -storable.seed=%d: %s", i, *randSeed, show(v.v))
		goBytes, err := Freeze(v.v)
		require.NoError(t, err, where)
		perlBytes, perr := p.tryRefreeze(t, goBytes)
		require.Empty(t, perr, "Perl cannot thaw Go's image %x of %s", goBytes, where)
		ok := !g.exact || assert.Equal(t, hex.EncodeToString(goBytes), hex.EncodeToString(perlBytes), "Perl re-freezes %s to other bytes", where)
		mine, err := Thaw(goBytes)
		require.NoError(t, err, where)
		back, err := Thaw(perlBytes)
		require.NoError(t, err, "Go cannot thaw Perl's image %x of %s", perlBytes, where)
		ok = ok && assert.True(t, modelEqual(v.want, mine), "Go thaws its own image of %s as %s", where, show(mine))
		ok = ok && assert.True(t, modelEqual(v.want, back), "Go thaws Perl's image of %s as %s", where, show(back))
		if ok && g.stable {
			again, err := Freeze(back)
			require.NoError(t, err, where)
			ok = assert.Equal(t, hex.EncodeToString(goBytes), hex.EncodeToString(again), "Go re-freezes Perl's image of %s to other bytes", where)
		}
		stopAfterFailures(t, &failed, ok)
	}
}

// stopAfterFailures counts the values that failed and ends the test at
// the fifth: the first of them say what is wrong.
func stopAfterFailures(t *testing.T, failed *int, ok bool) {
	t.Helper()
	if !ok {
		if *failed++; *failed == 5 {
			t.Fatal("stopping after 5 values that differ")
		}
	}
}

// TestRandomPerlToGo has Perl make random values from seeds (nested
// hashes and arrays, holes, objects of every kind, references to scalars
// and references, shared containers and cycles, integers and doubles,
// NaN and infinities, booleans, dualvars, undef, and strings and keys
// with and without the UTF-8 flag), thaws Perl's nfreeze of each in Go,
// freezes it again, and has Perl thaw Go's image and compare it with its
// own value: same shape, classes, strings under eq, undefs and sharing of
// containers. Perl first checks that Storable itself gives back each value
// it made, so that only what Go changes is reported.
//
// The generator leaves out what the data model cannot tell apart: byte
// strings and keys that are also valid UTF-8 (Go sends them as
// characters, as the package documentation says), a blessed scalar
// holding a reference to a plain hash or array and a reference to a
// container at the top (a reference to a container is the container in
// Go, so both are the container there), and an empty array met twice
// (empty Go slices cannot be told apart, so each is frozen on its own).
// Perl's compare does not look at scalars met twice, which Go copies.
func TestRandomPerlToGo(t *testing.T) {
	p := startPerlCases(t)
	r := rand.New(rand.NewPCG(*randSeed, 2))
	failed := 0
	for i := range *randCount {
		seed := r.Uint32()
		where := fmt.Sprintf("Perl's value %d of -storable.seed=%d (GEN %d)", i, *randSeed, seed)
		img := p.generate(t, seed)
		v, err := Thaw(img)
		require.NoError(t, err, "thawing %s: %x", where, img)
		goBytes, err := Freeze(v)
		require.NoError(t, err, "freezing %s: %s", where, show(v))
		ok := true
		if diff := p.check(t, "random", goBytes); diff != "" {
			ok = assert.Fail(t, "Perl reads Go's image as other data", "%s\n perl %x\n go   %x\n %s\n as %s", where, img, goBytes, diff, show(v))
		} else {
			again, err := Thaw(goBytes)
			require.NoError(t, err, where)
			ok = assert.True(t, modelEqual(v, again), "Go thaws its own image of %s as %s", where, show(again))
		}
		stopAfterFailures(t, &failed, ok)
	}
}

// generate has Perl make the random value of seed its case "random" and
// returns Perl's nfreeze image of it.
func (p *perlCases) generate(t *testing.T, seed uint32) []byte {
	t.Helper()
	b, perr := p.Ask(t, "GEN "+strconv.FormatUint(uint64(seed), 10))
	require.Empty(t, perr, "perl, GEN %d", seed)
	return b
}

// tryRefreeze is refreeze that returns Perl's error instead of failing.
func (p *perlPeer) tryRefreeze(t *testing.T, data []byte) ([]byte, string) {
	t.Helper()
	return p.Ask(t, hex.EncodeToString(data))
}

// TestRandomCorruptImages cuts real Perl images (Perl's random values and
// its fixed cases, in nfreeze's and freeze's byte orders) and Go's at
// every length, and changes random bytes of them: Thaw must return an
// *Error or a value it can freeze, every cut image must be refused as
// short, and no image may make Thaw panic, take long, or allocate much
// more than its own size.
func TestRandomCorruptImages(t *testing.T) {
	p := startPerlCases(t)
	r := rand.New(rand.NewPCG(*randSeed, 3))
	var imgs [][]byte
	for range 8 {
		imgs = append(imgs, p.generate(t, r.Uint32()))
	}
	for _, name := range slices.Sorted(maps.Keys(p.net)) {
		imgs = append(imgs, p.net[name], p.native[name])
	}
	for i := range 8 {
		b, err := Freeze(newGoGen(*randSeed, uint64(1<<32+i)).top().v)
		require.NoError(t, err)
		imgs = append(imgs, b)
	}
	// Thaw runs on its own goroutine so that one that never returns
	// fails the test, naming its input, instead of stalling it.
	var current atomic.Pointer[[]byte]
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, img := range imgs {
			for n := range len(img) {
				cut := img[:n:n] // no spare capacity to read past the end into
				current.Store(&cut)
				if err := thawCorrupt(cut); err == nil {
					t.Errorf("%x, %d of %d bytes: thawed", cut, n, len(img))
				} else if !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrLength) && !errors.Is(err, ErrHeader) {
					t.Errorf("%x, %d of %d bytes: %v", cut, n, len(img), err)
				}
			}
			for range 40 {
				bad := corrupt(r, img)
				current.Store(&bad)
				var te *Error
				if err := thawCorrupt(bad); err != nil && !errors.As(err, &te) {
					t.Errorf("%x corrupted to %x: %v", img, bad, err)
				}
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatalf("Thaw has not returned for a minute on %x", *current.Load())
	}
}

// thawCorrupt thaws data and returns Thaw's error, or a description of
// what went wrong besides: a panic, a long run, allocation of more than
// 64 KiB beyond 64 bytes for each byte of data, or a value Freeze refuses.
func thawCorrupt(data []byte) (err error) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	v, err := func() (v any, err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("Thaw panics: %v", p)
			}
		}()
		return Thaw(data)
	}()
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<10+64*uint64(len(data)) {
		return fmt.Errorf("Thaw allocates %d bytes for %d (%v)", alloc, len(data), err)
	}
	if took > time.Second {
		return fmt.Errorf("Thaw takes %v (%v)", took, err)
	}
	if err == nil {
		if _, ferr := Freeze(v); ferr != nil {
			return fmt.Errorf("Freeze refuses what Thaw made: %v", ferr)
		}
	}
	return err
}

// corrupt returns a copy of img with one to three bytes changed: a bit
// flipped, a random byte, or a byte that is often a boundary.
func corrupt(r *rand.Rand, img []byte) []byte {
	bad := slices.Clip(bytes.Clone(img))
	for range 1 + r.IntN(3) {
		i := r.IntN(len(bad))
		switch r.IntN(3) {
		case 0:
			bad[i] ^= 1 << r.IntN(8)
		case 1:
			bad[i] = byte(r.Uint32())
		default:
			bad[i] = []byte{0, 0x7f, 0x80, 0xff, sxObject, sxRef, sxLScalar}[r.IntN(7)]
		}
	}
	return bad
}

package storable

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestSortKVs checks the hash key order against the general sort, for
// sizes on both sides of the insertion sort's limit.
func TestSortKVs(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 3, 5, 8, 12, 13, 40} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			kvs := make([]kv, n)
			for i := range kvs {
				kvs[i] = kv{k: strings.Repeat("ab", r.IntN(3)) + string(rune('a'+r.IntN(26))), v: i}
			}
			want := slices.Clone(kvs)
			slices.SortStableFunc(want, func(a, b kv) int { return strings.Compare(a.k, b.k) })
			sortKVs(kvs)
			got, wantKeys := make([]string, n), make([]string, n)
			for i := range kvs {
				got[i], wantKeys[i] = kvs[i].k, want[i].k
			}
			assert.Equal(t, wantKeys, got)
		})
	}
}

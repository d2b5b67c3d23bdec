package kernel

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestTimerQueueOrder drives the run-plus-heap queue with a random mix of
// in-order and out-of-order pushes, removals, re-prioritisations and pops,
// and checks every pop against a sorted model.
func TestTimerQueueOrder(t *testing.T) {
	for _, tc := range []struct {
		name    string
		inOrder float64 // share of pushes due after everything queued
		ops     int
	}{
		{"all in order", 1, 20000},
		{"mostly in order", 0.9, 20000},
		{"random", 0, 20000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			var q timerQueue
			var model []*qitem
			id, clock := int64(0), int64(0)
			sortModel := func() { slices.SortFunc(model, func(a, b *qitem) int { return cmpItems(a, b) }) }
			for op := 0; op < tc.ops; op++ {
				switch r := rng.IntN(10); {
				case r < 5: // push
					id++
					it := &qitem{id: id, hidx: -1}
					if rng.Float64() < tc.inOrder {
						clock += int64(rng.IntN(3))
						it.prio = clock
					} else {
						it.prio = clock - 50 + int64(rng.IntN(100))
					}
					q.push(it)
					model = append(model, it)
				case r < 6 && len(model) > 0: // remove any
					i := rng.IntN(len(model))
					q.remove(model[i])
					model = slices.Delete(model, i, i+1)
				case r < 7 && len(model) > 0: // adjust any
					it := model[rng.IntN(len(model))]
					it.prio += int64(rng.IntN(41)) - 20
					q.fix(it)
				case len(model) > 0: // pop the next due
					sortModel()
					got := q.peek()
					if got != model[0] {
						t.Fatalf("op %d: peek %+v, want %+v", op, *got, *model[0])
					}
					q.remove(got)
					model = model[1:]
				}
				if q.len() != len(model) {
					t.Fatalf("op %d: len %d, want %d", op, q.len(), len(model))
				}
			}
			seen := 0
			q.each(func(*qitem) { seen++ })
			if seen != len(model) {
				t.Fatalf("each saw %d, want %d", seen, len(model))
			}
			for len(model) > 0 {
				sortModel()
				got := q.peek()
				if got != model[0] {
					t.Fatalf("drain: peek %+v, want %+v", *got, *model[0])
				}
				q.remove(got)
				model = model[1:]
			}
			if q.peek() != nil || q.len() != 0 {
				t.Fatalf("queue not empty after drain: len %d", q.len())
			}
		})
	}
}

func cmpItems(a, b *qitem) int {
	switch {
	case less(a, b):
		return -1
	case less(b, a):
		return 1
	}
	return 0
}

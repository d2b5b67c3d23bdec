package perlval

import (
	"math"
	"strconv"
	"testing"
)

// TestFloatWord checks Perl's text for a number: FloatWord's word where
// it has one, else "%.15g" as the encoders write it.
func TestFloatWord(t *testing.T) {
	tests := []struct {
		f    float64
		want string
		word bool
	}{
		{2.5, "2.5", false},
		{3, "3", false},
		{-3.5, "-3.5", false},
		{0, "0", true},
		{math.Copysign(0, -1), "0", true},
		{0.1 + 0.2, "0.3", false},
		{1.0 / 3, "0.333333333333333", false},
		{1e14, "100000000000000", false},
		{1e15, "1e+15", false},
		{1e20, "1e+20", false},
		{1.5e-7, "1.5e-07", false},
		{-1e-300, "-1e-300", false},
		{math.MaxFloat64, "1.79769313486232e+308", false},
		{math.SmallestNonzeroFloat64, "4.94065645841247e-324", false},
		{float64(float32(0.1)), "0.100000001490116", false},
		{math.Inf(1), "Inf", true},
		{math.Inf(-1), "-Inf", true},
		{math.NaN(), "NaN", true},
	}
	for _, tc := range tests {
		t.Run(strconv.FormatFloat(tc.f, 'g', -1, 64), func(t *testing.T) {
			w, ok := FloatWord(tc.f)
			if ok != tc.word {
				t.Fatalf("FloatWord(%v) = %q, %v; want a word: %v", tc.f, w, ok, tc.word)
			}
			if !ok {
				w = strconv.FormatFloat(tc.f, 'g', 15, 64)
			}
			if w != tc.want {
				t.Fatalf("Perl's text for %v is %q, want %q", tc.f, w, tc.want)
			}
		})
	}
}

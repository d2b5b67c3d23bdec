package perlval

// FloatWord returns the text Perl gives the number f where it is not
// f's "%.15g" (which an encoder appends itself, with strconv.AppendFloat
// and format 'g', precision 15): for zero, negative zero too, "0"; for
// the infinities and NaN "Inf", "-Inf" and "NaN"; and true. For any other
// f it returns "", false. It is small enough to be inlined into an
// encoder's float method.
func FloatWord(f float64) (string, bool) {
	switch {
	case f != 0 && f-f == 0: // neither zero, nor an infinity, nor NaN
		return "", false
	case f > 0:
		return "Inf", true
	case f < 0:
		return "-Inf", true
	case f == 0:
		return "0", true
	}
	return "NaN", true
}

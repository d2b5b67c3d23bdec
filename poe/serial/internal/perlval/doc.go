// Package perlval is what the Perl serializers (storable, freezethaw)
// agree Go values are in Perl: the hash keys of a struct's fields and of
// a typed map's keys, hash entries sorted by key, the octets of a byte
// slice or array, Perl's text for the numbers "%.15g" does not print as
// Perl does, and which Go values are one Perl reference met again (Seen).
// Each serializer writes these in its own format.
package perlval

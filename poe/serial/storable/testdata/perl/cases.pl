#!/usr/bin/perl
# Perl side of the storable edge-case tests. First prints, for a fixed set
# of named Perl values, "name nfreeze-hex freeze-hex" lines, then "END".
# Then for every "name hex" line read on stdin it thaws the image and
# compares the result with the named value as Perl sees data: the same
# shape, the same classes, strings equal under eq (so a UTF-8 and a
# Latin-1 spelling of the same characters are equal, but bytes are not
# characters), undef where undef was, and containers shared (or cyclic)
# exactly where the original's are. It prints "OK" or "DIFF where: what".
use strict;
use warnings;
use Storable qw(nfreeze freeze thaw);
use Scalar::Util qw(blessed reftype refaddr);

$Storable::canonical = 1;
$| = 1;

my $upgraded = "\x{e9}" x 300;
utf8::upgrade($upgraded);
my $shared_hash = { k => 'v' };
my $shared_array = [ 1, 2 ];
my $cycle = [ 'head' ];
push @$cycle, $cycle;
my $obj = bless { n => 1 }, 'My::Class';
my $nzero = 0.0;
$nzero = -$nzero;
my $nan = 9**9**9 / 9**9**9;
my @holes;
$holes[2] = 'end';

my @cases = (
    [ 'long-bytes'         => [ 'x' x 300, "\xff" x 256, join('', map { chr } 0 .. 255) x 2 ] ],
    [ 'long-utf8'          => [ "\x{263a}" x 100, $upgraded ] ],
    [ 'short-utf8'         => [ "\x{263a}", "caf\x{e9}", "\x{1F600}" ] ],
    [ 'utf8-keys'          => { "\x{263a}" => 1, "\x{43a}\x{43b}\x{44e}\x{447}" => 'v', plain => 3, ("k\x{263a}" x 100) => 'long key' } ],
    [ 'byte-boundaries'    => [ 0, 127, -128, 128, -129, 255, 256, -256 ] ],
    [ 'int32-boundaries'   => [ 2147483647, -2147483648, 2147483648, -2147483649, 4294967295, 4294967296 ] ],
    [ 'int64-boundaries'   => [ 9223372036854775807, -9223372036854775807 - 1, 2**53, 2**53 + 1 ] ],
    [ 'unsigned-above-iv'  => [ 9223372036854775808, 18446744073709551615 ] ],
    [ 'doubles'            => [ 2.5, -2.5, 0.1, 1e300, 5e-324, 1.5e-7, 2**64, $nzero ] ],
    [ 'nan-and-infinities' => [ $nan, 9**9**9, -9**9**9 ] ],
    [ 'undef-everywhere'   => [ undef, { u => undef, d => 1 }, [ undef ], \undef ] ],
    [ 'array-holes'        => \@holes ],
    [ 'refs-to-refs'       => { one => \'x', two => \\'x', three => \\\'x', hash => \\{ a => 1 }, array => \[ 1 ] } ],
    [ 'shared-twice'       => { h1 => $shared_hash, h2 => $shared_hash, a1 => $shared_array, a2 => $shared_array, list => [ $shared_hash, $shared_array ] } ],
    [ 'array-cycle'        => $cycle ],
    [ 'blessed'            => [ $obj, bless([ 1, 2 ], 'My::List'), bless(\(my $s = 'scalar'), 'My::Scalar'), bless(\\'rr', 'My::Ref'), $obj, bless({}, 'My::Class') ] ],
    [ 'long-class'         => [ bless({ a => 1 }, 'C' x 200), bless([], 'C' x 200) ] ],
    [ 'record'             => { name => 'n', count => 3, "\x{43a}\x{43b}\x{44e}\x{447}" => [ 'p', 'q' ], nested => { 7 => 'seven', -1 => 'minus' }, ptr => 'x', opt => undef } ],
    [ 'uint-keys'          => { 7 => 'seven', 255 => 'max' } ],
    [ 'int-keys'           => { 7 => 'seven', -1 => 'minus' } ],
    [ 'top-scalar'         => \'just text' ],
    [ 'top-long-utf8'      => \("\x{263a}" x 100) ],
    [ 'top-integer'        => \1099511627776 ],
);
my %case = map { $_->[0] => $_->[1] } @cases;

for my $c (@cases) {
    print $c->[0], ' ', unpack('H*', nfreeze($c->[1])), ' ', unpack('H*', freeze($c->[1])), "\n";
}
print "END\n";

while (my $line = <STDIN>) {
    chomp $line;
    my ($name, $hex) = split / /, $line;
    my $want = $case{$name};
    if (!$want) {
        print "DIFF no case named $name\n";
        next;
    }
    my $got = eval { thaw(pack('H*', $hex)) };
    if ($@ || !defined $got) {
        my $e = $@ || 'thaw returned undef';
        $e =~ s/\s+/ /g;
        print "DIFF thaw: $e\n";
        next;
    }
    my $diff = differ($want, $got, '$top', {}, {});
    print defined $diff ? "DIFF $diff\n" : "OK\n";
}

# differ returns undef when $w and $g are the same Perl data, else where
# and how they differ. $wseen and $gseen map the address of every
# reference met on one side to the address met at the same place on the
# other, so that sharing and cycles must match.
sub differ {
    my ($w, $g, $at, $wseen, $gseen) = @_;
    return "$at: undef on one side only" if defined $w != defined $g;
    return undef unless defined $w;
    if (!ref $w || !ref $g) {
        return "$at: a reference on one side only" if ref $w || ref $g;
        return "$at: want '$w', got '$g'" if $w ne $g;
        return undef;
    }
    return "$at: class " . (blessed($w) // 'none') . ", got " . (blessed($g) // 'none')
        if (blessed($w) // '') ne (blessed($g) // '');
    return "$at: " . reftype($w) . " reference, got " . reftype($g) if reftype($w) ne reftype($g);
    my ($wa, $ga) = (refaddr $w, refaddr $g);
    if (exists $wseen->{$wa} || exists $gseen->{$ga}) {
        return "$at: sharing differs" if ($wseen->{$wa} // 0) != $ga || ($gseen->{$ga} // 0) != $wa;
        return undef;
    }
    if (reftype($w) eq 'ARRAY' || reftype($w) eq 'HASH') {
        $wseen->{$wa} = $ga;
        $gseen->{$ga} = $wa;
    }
    if (reftype($w) eq 'ARRAY') {
        return "$at: " . @$w . " elements, got " . @$g if @$w != @$g;
        for my $i (0 .. $#$w) {
            my $d = differ($w->[$i], $g->[$i], "$at\->[$i]", $wseen, $gseen);
            return $d if defined $d;
        }
        return undef;
    }
    if (reftype($w) eq 'HASH') {
        my @wk = sort keys %$w;
        my @gk = sort keys %$g;
        return "$at: keys (@wk), got (@gk)" if "@wk" ne "@gk";
        for my $k (@wk) {
            my $d = differ($w->{$k}, $g->{$k}, "$at\->{$k}", $wseen, $gseen);
            return $d if defined $d;
        }
        return undef;
    }
    return differ($$w, $$g, "\${$at}", $wseen, $gseen);
}

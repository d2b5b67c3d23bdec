#!/usr/bin/perl
# Perl side of the storable edge-case tests. First prints, for a fixed set
# of named Perl values, "name nfreeze-hex freeze-hex" lines, then "END".
# Then for every "name hex" line read on stdin it thaws the image and
# compares the result with the named value as Perl sees data: the same
# shape, the same classes, strings equal under eq (so a UTF-8 and a
# Latin-1 spelling of the same characters are equal, but bytes are not
# characters), undef where undef was, and containers shared (or cyclic)
# exactly where the original's are. It prints "OK" or "DIFF where: what".
# A "GEN seed" line instead makes a random value drawn from seed the case
# named "random" and prints its nfreeze hex, or "ERR why".
use strict;
use warnings;
use Storable qw(nfreeze freeze thaw);
use Scalar::Util qw(blessed reftype refaddr dualvar);

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

# The random values of "GEN seed": from Perl's rand seeded with seed,
# nested arrays, hashes, objects (blessed hashes, arrays, scalars and
# references), references to scalars and to references, containers
# shared and holding their ancestors, integers at every width of
# Storable's encodings, doubles, NaN and infinities, booleans, undef,
# dualvars, array holes, and strings and keys that are ASCII, Latin-1
# bytes, upgraded Latin-1 or wide characters, short and long.
my @int_edges = (0, 1, -1, 127, -128, 128, -129, 255, 256, -256, 32767, -32768, 65535,
    2147483647, -2147483648, 2147483648, -2147483649, 4294967295, 4294967296, 1099511627776,
    9007199254740992, 9007199254740993, 9223372036854775807, -9223372036854775807 - 1,
    18446744073709551615);
my @doubles = (0.5, -2.5, 0.1, 1 / 3, 1e300, -1e-300, 5e-324, 1e15 + 0.5, 2**53, 2**64, 1e16,
    9**9**9, -9**9**9, $nan, $nzero);
my @classes = ('My::Class', 'Foo', 'Bar::Baz', 'C' x 130, 'main');

sub rnd  { int(rand($_[0])) }
sub pick { $_[ rnd(scalar @_) ] }

# chars returns $n characters drawn from the [low, high] code point
# ranges given.
sub chars {
    my ($n, @ranges) = @_;
    return join '', map { my $r = pick(@ranges); chr($r->[0] + rnd($r->[1] - $r->[0] + 1)) } 1 .. $n;
}

# latin1_bytes is a byte string of $n characters, some above 0x7f; a Go
# string cannot say it is bytes, so one that is also valid UTF-8 would
# come back as characters: it gets a 0xff, which UTF-8 never holds.
sub latin1_bytes {
    my $s = chars($_[0], [0x20, 0x7e], [0x80, 0xff]);
    my $copy = $s;
    $s .= "\xff" if $s =~ /[\x80-\xff]/ && utf8::decode($copy);
    return $s;
}

sub gen_int {
    my $r = rnd(4);
    return pick(@int_edges) if $r == 0;
    return rnd(256) - 128 if $r == 1;
    return rnd(2**32) - 2**31 if $r == 2;
    return int(rand(2**52)) * pick(1, -1, 1024, -2048);
}

sub gen_double {
    return pick(@doubles) if rnd(2);
    return (rand() - 0.5) * 10**(rnd(40) - 20);
}

sub gen_string {
    my $n = rnd(8) ? rnd(12) : 256 + rnd(300);
    my $r = rnd(6);
    return chars($n, [0x20, 0x7e], [0, 0x1f]) if $r == 0;
    return latin1_bytes($n) if $r == 1;
    if ($r == 2 || $r == 3) {
        # Characters, with the UTF-8 flag even when all are below 0x100.
        my @wide = $r == 3 ? ([0x100, 0x7ff], [0x800, 0xd7ff], [0xe000, 0xfffd], [0x10000, 0x10ffff]) : ();
        my $s = chars($n, [0x20, 0x7e], [0xa0, 0xff], @wide);
        utf8::upgrade($s);
        return $s;
    }
    return pick('007', '1.50', '-0', '0x10', ' 12', '1e3', '', '0', 'NaN') if $r == 4;
    return dualvar(gen_int(), chars(rnd(6), [0x61, 0x7a]));
}

sub gen_key {
    my $r = rnd(5);
    return pick('', '7', '-1', 'a', 'key') if $r == 0;
    return chars(1 + rnd(8), [0x21, 0x7e]) if $r == 1;
    return latin1_bytes(1 + rnd(4)) if $r == 2;
    if ($r == 3) {
        my $s = chars(1 + rnd(4), [0x61, 0x7a], [0xa0, 0xff]);
        utf8::upgrade($s);
        return $s;
    }
    return chars(1 + rnd(4), [0x61, 0x7a], [0x100, 0x7ff], [0x4e00, 0x9fff], [0x1f600, 0x1f64f]);
}

sub gen_plain {
    my $r = rnd(10);
    return undef if $r == 0;
    return gen_int() if $r <= 2;
    return gen_double() if $r == 3;
    return !!rnd(2) if $r == 4;
    return gen_string();
}

# gen_value is what an element or a hash value holds.
sub gen_value {
    my ($g, $depth) = @_;
    return gen_plain() if $depth >= 4 || rnd(2);
    return gen_ref($g, $depth);
}

# gen_ref is a reference: to a container still being filled (a cycle),
# to one made before (sharing), to a new container or object, to a
# scalar or to another reference.
sub gen_ref {
    my ($g, $depth) = @_;
    my $r = rnd(12);
    return pick(@{ $g->{open} }) if $r == 0 && @{ $g->{open} };
    return pick(@{ $g->{pool} }) if $r <= 2 && @{ $g->{pool} };
    return gen_container($g, $depth + 1, rnd(2) ? [] : {}) if $r <= 6;
    return gen_object($g, $depth + 1) if $r <= 9;
    return scalar_ref($g, $depth);
}

sub gen_container {
    my ($g, $depth, $c) = @_;
    push @{ $g->{open} }, $c;
    my $n = rnd(6);
    if (reftype($c) eq 'ARRAY') {
        for my $i (0 .. $n - 1) {
            $c->[$i] = gen_value($g, $depth) if rnd(10);    # else a hole
        }
    } else {
        $c->{ gen_key() } = gen_value($g, $depth) for 1 .. $n;
    }
    pop @{ $g->{open} };
    # Go cannot tell one empty array from another: only others are shared.
    push @{ $g->{pool} }, $c if reftype($c) ne 'ARRAY' || @$c;
    return $c;
}

# gen_object is a blessed hash or array, or a blessed scalar holding a
# plain scalar, another object, or a reference to a scalar or to a
# reference. Not a reference to a plain hash or array: Go holds a
# reference to a container as the container, so that object is the
# blessed hash or array there.
sub gen_object {
    my ($g, $depth) = @_;
    my $class = pick(@classes);
    my $r = rnd(5);
    return gen_container($g, $depth, bless(($r ? [] : {}), $class)) if $r <= 1;
    my $s = $r == 2 ? gen_plain() : $r == 3 || $depth >= 4 ? scalar_ref($g, $depth) : gen_object($g, $depth + 1);
    return bless \$s, $class;
}

sub scalar_ref {
    my ($g, $depth) = @_;
    my $s = rnd(2) || $depth >= 4 ? gen_plain() : gen_ref($g, $depth + 1);
    return \$s;
}

# generated makes a random value from seed the case "random" and returns
# its nfreeze as hex. Storable must read back what it wrote itself: a
# value it cannot is the generator's mistake, reported as ERR.
sub generated {
    my ($seed) = @_;
    srand($seed);
    my $g = { open => [], pool => [] };
    # The top is what nfreeze's reference points to, a container, an
    # object or a scalar: Go holds a reference to a container as the
    # container, so a reference to one at the top is the container there.
    my $r = rnd(10);
    my $s = $r < 8 ? undef : $r == 8 ? gen_plain() : scalar_ref($g, 1);
    my $v = $r < 6 ? gen_container($g, 0, rnd(2) ? [] : {}) : $r < 8 ? gen_object($g, 0) : \$s;
    my $img = nfreeze($v);
    my $own = differ($v, thaw($img), '$top', {}, {});
    return "ERR generator: Storable's own round trip differs at $own" if defined $own;
    $case{random} = $v;
    return unpack('H*', $img);
}

for my $c (@cases) {
    print $c->[0], ' ', unpack('H*', nfreeze($c->[1])), ' ', unpack('H*', freeze($c->[1])), "\n";
}
print "END\n";

while (my $line = <STDIN>) {
    chomp $line;
    if ($line =~ /^GEN (\d+)$/) {
        print generated($1), "\n";
        next;
    }
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

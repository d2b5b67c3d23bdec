# Perl side of the FreezeThaw interop tests.
#
# First prints one line per named Perl value: "name wire-hex bytes-hex".
# wire-hex is what POE::Filter::Reference sends for the value: freeze's
# string as the octets syswrite puts on the socket under "use bytes",
# which are the UTF-8 form of the string when freeze's result is a
# character string. bytes-hex is freeze of the same data as byte
# strings: the value itself when its image is bytes already, else a copy
# whose every string and key is utf8::encode'd (what a Go string holding
# the same text stands for). Then prints "END".
#
# Then reads lines "R hex": thaws the image, freezes the result and prints
# it as hex, or "ERR message".
use strict;
use warnings;
use FreezeThaw qw(freeze thaw);

$| = 1;

sub wire {
    my ($s) = @_;
    utf8::encode($s) if utf8::is_utf8($s);
    return unpack('H*', $s);
}

# A copy of a tree (no sharing) with every string and key encoded.
sub encoded {
    my ($v) = @_;
    my $class = ref $v;
    return do { my $s = $v; utf8::encode($s) if defined $s; $s } unless $class;
    my $copy;
    my $type = $class;
    if ($class ne 'HASH' && $class ne 'ARRAY' && $class ne 'SCALAR' && $class ne 'REF') {
        ($type) = ("$v" =~ /=(\w+)\(/);
    }
    if ($type eq 'HASH') {
        $copy = { map { my $k = $_; utf8::encode($k); ($k => encoded($v->{$_})) } keys %$v };
    } elsif ($type eq 'ARRAY') {
        $copy = [ map { encoded($_) } @$v ];
    } else {
        my $inner = encoded($$v);
        $copy = \$inner;
    }
    bless $copy, $class if $class ne $type;
    return $copy;
}

my $nan = 9**9**9 / 9**9**9;
my $nzero = 0.0;
$nzero = -$nzero;
my $shared_array = [1, 2];
my $shared_hash = { k => 'v' };
my $cycle = { name => 'loop' };
$cycle->{self} = $cycle;
my $array_cycle = ['head'];
push @$array_cycle, $array_cycle;
my ($sa, $sb, $so, $sp);
$sa = [1];
$sb = { x => $sa };
$so = bless { b => $sb }, 'O';
$sp = bless [$so], 'P';
my $sr = \'s';
my $srr = \$sr;
my $self_ref;
$self_ref = \$self_ref;
my $empty = [];
my $bscalar = bless \(my $bs = 'v'), 'S';
my $qr = qr/ab/i;
my $obj = bless { n => 1 }, 'My::Class';
# Blessed scalar references to an array that the shared table fills only
# after their own content: in an array, as a table object, in a chain of
# two, nested, and in a hash. Each blesses a scalar of its own that holds
# the array reference: bless marks the scalar, not the array.
my $late = [1];
my $late_in = [ bless(\(my $l1 = $late), 'S') ];
my $late_obj = bless \(my $l2 = $late), 'S';
my $late_s1 = bless \(my $l3 = $late), 'S';
my $late_s2 = bless \$late_s1, 'T';
my $late_nest = [ bless(\ bless(\(my $l4 = $late), 'T'), 'S') ];
my $late_two = [2];
my $late_obj2 = bless \(my $l5 = $late_two), 'S';
my $late_h = { s => $late_obj2 };

my @samples = (
    [ 'ikc-call' => { event => 'poe://Server/echo/echo', params => [ { a => 1, b => 'two', c => undef, d => [1, 2], e => 2.5 } ],
                      rsvp => { kernel => 'Client', session => 2, state => 'reply' },
                      from => { kernel => 'Client', session => 'me', state => 'IKC:proxy' }, wantarray => '' } ],
    [ 'integers' => [0, -1, 127, 2147483648, -2147483649, 9223372036854775807, -9223372036854775807 - 1, 18446744073709551615, 2**53] ],
    [ 'floats' => [2.5, -3.5, 0.1, 1e20, 1/3, 1.5e-7, 9**9**9, -9**9**9, $nan, 3.0, $nzero, 1e15, 0.1 + 0.2] ],
    [ 'strings' => ['', 'hello', '007', '-0', '+1', '1.0', ' 1', 'x' x 300, 'line' . "\n" . 'break|$%@_<>\\', join('', map { chr } 0 .. 255)] ],
    [ 'latin1-bytes' => { "caf\xe9" => "na\xefve" } ],
    [ 'utf8' => ["caf\x{e9}", "\x{263a}", "\x{1F600}", "h\x{e9}llo w\x{f6}rld", 'plain'] ],
    [ 'utf8-keys' => { "\x{263a}" => 1, "\xff" => 2, b => 3, "\x{538}p" => 4, "\x{43a}\x{43b}\x{44e}\x{447}" => "\x{437}\x{43d}\x{430}\x{447}\x{435}\x{43d}\x{438}\x{435}" } ],
    [ 'utf8-long' => [ "\x{263a}" x 300, 'tail' ] ],
    [ 'utf8-object' => bless({ "n\x{e4}me" => "\x{263a}" }, 'My::Class') ],
    [ 'undef-and-empties' => [undef, [], {}, [undef], { u => undef }, \undef] ],
    [ 'refs' => { sref => \'text', rref => \\'x', href => \{ a => 1 }, aref => \[1], three => \\\'x' } ],
    [ 'blessed' => [ $obj, bless([1, 2], 'My::List'), bless(\(my $s = 'scalar'), 'My::Scalar'), bless(\\'rr', 'My::Ref'), bless({}, 'My::Class'), bless(\(my $u), 'My::Undef') ] ],
    [ 'blessed-container-refs' => [ bless(\{ a => 1 }, 'R'), bless(\[1], 'R') ] ],
    [ 'many-classes' => [ (map { bless {}, "C$_" } 0 .. 11), bless([], 'C3'), bless([], 'C11') ] ],
    [ 'shared' => { a1 => $shared_array, a2 => $shared_array, h1 => $shared_hash, h2 => $shared_hash, list => [ $shared_hash, $shared_array ] } ],
    [ 'cycle' => $cycle ],
    [ 'array-cycle' => $array_cycle ],
    [ 'shared-objects' => { z => $sa, y => $sb, x => $so, w => $sp, v => $sp, u => $so } ],
    [ 'shared-scalar-refs' => [ $srr, $srr, $sr ] ],
    [ 'self-ref' => $self_ref ],
    [ 'shared-empty' => [ $empty, $empty, {} ] ],
    [ 'shared-blessed-scalar' => [ $bscalar, $bscalar ] ],
    [ 'regexps' => [ qr/ab/i, qr/x/ ] ],
    [ 'shared-regexp' => [ $qr, $qr ] ],
    [ 'top-scalar' => 'just text' ],
    [ 'top-undef' => undef ],
    [ 'nested' => [ [ [ [ { deep => [ 'down' ] } ] ] ] ] ],
    [ 'long-string' => [ 'y' x 70000 ] ],
    [ 'number-keys' => { 7 => 'seven', -1 => 'minus', '007' => 'bond', 10 => 'ten' } ],
    [ 'late-in-array' => [ $late_in, $late_in, $late, $late ] ],
    [ 'late-object' => [ $late_obj, $late_obj, $late, $late ] ],
    [ 'late-chain' => [ $late_s2, $late_s2, $late_s1, $late_s1, $late, $late ] ],
    [ 'late-nested' => [ $late_nest, $late_nest, $late, $late ] ],
    [ 'late-in-hash' => [ $late_h, $late_h, $late_obj2, $late_two, $late_two ] ],
);
for my $s (@samples) {
    my $img = freeze($s->[1]);
    my $bytes = utf8::is_utf8($img) ? freeze(encoded($s->[1])) : $img;
    print $s->[0], ' ', wire($img), ' ', wire($bytes), "\n";
}
print "END\n";

while (my $line = <STDIN>) {
    chomp $line;
    my ($cmd, $hex) = split / /, $line, 2;
    my @v = eval { thaw(pack('H*', $hex // '')) };
    if ($@ || @v != 1) {
        my $e = $@ || 'thaw returned ' . scalar(@v) . ' values';
        $e =~ s/\s+/ /g;
        print "ERR $e\n";
        next;
    }
    print wire(freeze($v[0])), "\n";
}

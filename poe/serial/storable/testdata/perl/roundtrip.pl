#!/usr/bin/perl
# Perl side of the storable interop tests. First prints the canonical
# nfreeze images of a fixed set of Perl values ("name hex" lines, then
# "END"), then for every hex image read on stdin prints the canonical
# nfreeze of thaw(image) as hex, or "ERR message".
use strict;
use warnings;
use Storable qw(nfreeze thaw);

$Storable::canonical = 1;
$| = 1;

my $upgraded = "caf\x{e9}";
utf8::upgrade($upgraded);
my $shared = [1, 2];
my $cycle = { name => 'loop' };
$cycle->{self} = $cycle;
my $obj = bless { n => 1 }, 'My::Class';

my @samples = (
    [ 'ikc-call' => { event => 'poe://Server/echo/echo', params => [ { a => 1, b => 'two', c => undef, d => [1, 2], e => 2.5 } ],
                      rsvp => { kernel => 'Client', session => 2, state => 'reply' },
                      from => { kernel => 'Client', session => 'me', state => 'IKC:proxy' }, wantarray => '' } ],
    [ 'integers' => [0, -1, 127, 128, -128, -129, 255, 65535, 2147483647, 2147483648, -2147483648, -2147483649, 2**40, 9007199254740993] ],
    [ 'floats' => [1.5, 0.1, 1e20, -0.0, 3.0, 1/3, 9**9**9, -9**9**9, 1e15, 1e16, 0.1 + 0.2, 1.5e-7] ],
    [ 'strings' => ['', 'hello', 'x' x 300, "caf\x{e9}", $upgraded, "\x{263a}", "\x{263a}" x 100, '007', join('', map { chr } 0 .. 255)] ],
    [ 'utf8-keys' => { "\x{263a}" => 1, "caf\x{e9}" => 2, plain => 3 } ],
    [ 'upgraded-key' => { $upgraded => 1 } ],
    [ 'utf8-and-byte-keys' => { b => 1, "\x{538}p" => 2, "\xff" => 3 } ],
    [ 'undef' => [undef, [], {}] ],
    [ 'objects' => [ $obj, bless([1], 'My::Class'), bless(\(my $s = 's'), 'Other'), $obj ] ],
    [ 'long-class' => bless({}, 'C' x 130) ],
    [ 'shared' => { a => $shared, b => $shared } ],
    [ 'cycle' => $cycle ],
    [ 'refs' => { sref => \'text', rref => \\'x', href => \{ a => 1 } } ],
    [ 'nested' => [ [ [ [ { deep => [ 'down' ] } ] ] ] ] ],
);
for my $s (@samples) {
    print $s->[0], ' ', unpack('H*', nfreeze($s->[1])), "\n";
}
print "END\n";

while (my $line = <STDIN>) {
    chomp $line;
    my $v = eval { thaw(pack('H*', $line)) };
    if ($@ || !defined $v) {
        my $e = $@ || 'thaw returned undef';
        $e =~ s/\s+/ /g;
        print "ERR $e\n";
        next;
    }
    print unpack('H*', nfreeze($v)), "\n";
}

# Perl side of the POE::Filter::Reference wire test: what an IKC peer
# using FreezeThaw really puts on a socket, and what it makes of Go's.
#
# First puts a few records through POE::Filter::Reference (FreezeThaw)
# and POE::Driver::SysRW into a pipe, and prints each frame read back
# from the pipe as "FRAME hex"; then, for each, "PERL ok" or "PERL ERR
# message" for what Perl's own filter makes of that frame; then "END".
#
# Then reads lines "GO hex", a frame Go wrote, gets it through the
# filter, and prints the record's keys and values as
# "key-hex=value-hex/flag ..." (flag 1 when Perl holds the value as a
# character string), or "ERR message".
use strict;
use warnings;
use POE::Filter::Reference;
use POE::Driver::SysRW;

$| = 1;

my @records = (
    { text => "caf\x{e9}", n => 1 },
    { text => "\x{263a} and caf\x{e9}", plain => 'x' },
    { "kl\x{e9}" => "\x{263a}", list => [ "\x{1F600}", 'a' ] },
);

my $put = POE::Filter::Reference->new('FreezeThaw');
my $driver = POE::Driver::SysRW->new;
pipe(my $r, my $w) or die "pipe: $!";
my @frames;
for my $rec (@records) {
    $driver->put($put->put([$rec]));
    $driver->flush($w);
    my $frame = '';
    while (1) {
        my $n = sysread($r, my $buf, 65536);
        die "sysread: $!" unless defined $n;
        $frame .= $buf;
        last if $frame =~ /^(\d+)\0/ && length($frame) >= length($1) + 1 + $1;
    }
    print 'FRAME ', unpack('H*', $frame), "\n";
    push @frames, $frame;
}
for my $frame (@frames) {
    my $get = POE::Filter::Reference->new('FreezeThaw');
    my $got = eval { $get->get([$frame]) };
    if ($@) {
        my $e = $@;
        $e =~ s/\s+/ /g;
        print "PERL ERR $e\n";
    } else {
        print "PERL ok\n";
    }
}
print "END\n";

while (my $line = <STDIN>) {
    chomp $line;
    my (undef, $hex) = split / /, $line, 2;
    my $get = POE::Filter::Reference->new('FreezeThaw');
    my $got = eval { $get->get([pack('H*', $hex)]) };
    if ($@ || ref $got ne 'ARRAY' || @$got != 1 || ref $got->[0] ne 'HASH') {
        my $e = $@ || 'not one hash';
        $e =~ s/\s+/ /g;
        print "ERR $e\n";
        next;
    }
    my $h = $got->[0];
    print join(' ', map {
        my $v = $h->{$_};
        unpack('H*', $_) . '=' . unpack('H*', $v) . '/' . (utf8::is_utf8($v) ? 1 : 0)
    } sort keys %$h), "\n";
}

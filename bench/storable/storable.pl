#!/usr/bin/perl
# Times Perl's XS Storable on the workloads of the Go storable benchmarks:
# nfreeze and thaw of an IKC call record and of a 64 KiB string.
# Prints one line per figure: "<op>/<workload> <median ns/op>".
use strict;
use warnings;
use Storable qw(nfreeze thaw);
use Time::HiRes qw(time);

my $rounds = $ENV{ROUNDS} || 7;      # medians are taken over this many rounds
my $target = $ENV{ROUND_SECONDS} || 0.3;

my %workloads = (
    'ikc-record' => {
        event  => 'poe://Server/echo/echo',
        params => [ { id => 42, name => 'widget', price => 2.5, tags => [ 'a', 'b' ], note => undef } ],
        rsvp   => { kernel => 'Client', session => 2, state => 'reply' },
        from   => { kernel => 'vm-6b037b85-0000224b-00000001', session => 'client', state => 'IKC:proxy' },
        wantarray => '',
    },
    'string-64KiB' => \('x' x 65536),
);

# ns_per_op runs $code in a loop sized to take about $target seconds and
# returns the median over $rounds rounds.
sub ns_per_op {
    my ($code) = @_;
    my $n = 1;
    while (1) {
        my $t0 = time;
        $code->() for 1 .. $n;
        my $dt = time - $t0;
        last if $dt > $target / 4;
        $n *= 2;
    }
    $n = int($n * $target / (sub { my $t0 = time; $code->() for 1 .. $n; time - $t0 })->()) || 1;
    my @r;
    for (1 .. $rounds) {
        my $t0 = time;
        $code->() for 1 .. $n;
        push @r, (time - $t0) / $n * 1e9;
    }
    @r = sort { $a <=> $b } @r;
    return $r[ int(@r / 2) ];
}

for my $name (sort keys %workloads) {
    my $v = $workloads{$name};
    my $img = nfreeze($v);
    printf "Freeze/%s %.1f\n", $name, ns_per_op(sub { my $x = nfreeze($v) });
    printf "Thaw/%s %.1f\n",   $name, ns_per_op(sub { my $x = thaw($img) });
}

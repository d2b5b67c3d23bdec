#!/usr/bin/perl
# Workload 2 on Perl POE: the same programs as bench/timers_test.go, with
# timers set in batches (10,000 zero delays, 100,000 spread alarms) and all
# fired before the next batch.
#   perl timers.pl zero|spread N
# Prints one line: RESULT workload=<name> n=<N> ops_per_sec=<rate>
use strict;
use warnings;
use Time::HiRes qw(time);
use POE;

my ($which, $n) = @ARGV;
die "usage: $0 zero|spread N\n" unless $which && $n && $n > 0;
die "unknown workload $which\n" unless $which =~ /^(zero|spread)$/;
my $batch = $which eq 'zero' ? 10_000 : 100_000;
my ($left, $pending) = ($n, 0);
my ($t0, $t1);
srand(1);

# zero: delay_add(tick => 0); spread: alarm_add at a random time in the
# next 10 ms. One op is one timer set and fired.
my $arm = sub {
    my $k = shift;
    my $now = time;
    while ($pending < $batch && $left > 0) {
        if ($which eq 'zero') { $k->delay_add(tick => 0) }
        else { $k->alarm_add(tick => $now + rand(0.010)) }
        $pending++;
        $left--;
    }
};

POE::Session->create(inline_states => {
    _start => sub { $t0 = time; $arm->($_[KERNEL]) },
    tick   => sub {
        return if --$pending;
        if ($left > 0) { $arm->($_[KERNEL]) } else { $t1 = time }
    },
});
POE::Kernel->run;
printf "RESULT workload=%s n=%d ops_per_sec=%.1f\n", $which, $n, $n / ($t1 - $t0);

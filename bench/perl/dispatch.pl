#!/usr/bin/perl
# Workload 1 on Perl POE: the same programs as bench/dispatch_test.go.
#   perl dispatch.pl yield|pingpong|call N
# Prints one line: RESULT workload=<name> n=<N> ops_per_sec=<rate>
use strict;
use warnings;
use Time::HiRes qw(time);
use POE;

my ($which, $n) = @ARGV;
die "usage: $0 yield|pingpong|call N\n" unless $which && $n && $n > 0;
my ($t0, $t1);

if ($which eq 'yield') {
    # One session yielding to itself; one op is one event dispatched.
    my $left = $n;
    POE::Session->create(inline_states => {
        _start => sub { $t0 = time; $_[KERNEL]->yield('next') },
        next   => sub {
            if (--$left > 0) { $_[KERNEL]->yield('next') } else { $t1 = time }
        },
    });
}
elsif ($which eq 'pingpong') {
    # Two sessions posting to each other; one op is one post dispatched.
    my $left = $n;
    my $bounce = sub {
        my $reply = shift;
        return sub {
            if (--$left > 0) { $_[KERNEL]->post($_[SENDER], $reply) }
            else { $t1 = time; $_[KERNEL]->alias_remove('pong') }
        };
    };
    POE::Session->create(inline_states => {
        _start => sub { $_[KERNEL]->alias_set('pong') },
        ping   => $bounce->('pong'),
    });
    POE::Session->create(inline_states => {
        _start => sub { $t0 = time; $_[KERNEL]->post('pong', 'ping') },
        pong   => $bounce->('ping'),
    });
}
elsif ($which eq 'call') {
    # A session calling another synchronously; one op is one call.
    POE::Session->create(inline_states => {
        _start => sub { $_[KERNEL]->alias_set('callee') },
        add    => sub { $_[ARG0] + 1 },
        bye    => sub { $_[KERNEL]->alias_remove('callee') },
    });
    POE::Session->create(inline_states => {
        _start => sub { $_[KERNEL]->yield('go') },
        go     => sub {
            my $k = $_[KERNEL];
            my $callee = $k->alias_resolve('callee');
            my $sum = 0;
            $t0 = time;
            $sum += $k->call($callee, 'add', 1) for 1 .. $n;
            $t1 = time;
            die "sum $sum\n" unless $sum == 2 * $n;
            $k->post($callee, 'bye');
        },
    });
}
else { die "unknown workload $which\n" }

POE::Kernel->run;
printf "RESULT workload=%s n=%d ops_per_sec=%.1f\n", $which, $n, $n / ($t1 - $t0);

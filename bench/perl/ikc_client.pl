#!/usr/bin/perl
# Workload 4 on Perl IKC, the sending kernel: connects to ikc_server.pl,
# sends N one-way posts (the rate is counted at the receiver), then makes M
# sequential calls with RSVP, each carrying a 16-octet string.
#   perl -I<IKC lib> ikc_client.pl PORT N M
# Prints one line:
#   RESULT posts=N posts_per_sec=R calls=M calls_per_sec=C p50_us=P p99_us=Q
use strict;
use warnings;
use Time::HiRes qw(time);
use POE;
use POE::Component::IKC::Client;

my ($port, $nposts, $ncalls) = @ARGV;
die "usage: $0 PORT N M\n" unless $port && $nposts && $ncalls;
my $payload = 'x' x 16;
my ($post_rate, @lat, $sent, $tc0);

POE::Session->create(inline_states => {
    _start => sub { $_[KERNEL]->alias_set('client') },
    go => sub {
        my $k = $_[KERNEL];
        my $t0 = time;
        $k->post(IKC => post => 'poe://Server/bench/hit', $t0) for 1 .. $nposts;
        $k->post(IKC => call => 'poe://Server/bench/stats', undef, 'poe:stats_back');
    },
    stats_back => sub {
        my ($n, $secs) = @{ $_[ARG0] };
        die "server counted $n posts of $nposts\n" unless $n == $nposts;
        $post_rate = $n / $secs;
        $tc0 = time;
        $_[KERNEL]->yield('call');
    },
    call => sub {
        $sent = time;
        $_[KERNEL]->post(IKC => call => 'poe://Server/bench/echo', $payload, 'poe:echo_back');
    },
    echo_back => sub {
        my $now = time;
        die "echo returned something else\n" unless defined $_[ARG0] && $_[ARG0] eq $payload;
        push @lat, $now - $sent;
        return $_[KERNEL]->yield('call') if @lat < $ncalls;
        my $secs = $now - $tc0;
        my @s = sort { $a <=> $b } @lat;
        printf "RESULT posts=%d posts_per_sec=%.1f calls=%d calls_per_sec=%.1f p50_us=%.1f p99_us=%.1f\n",
            $nposts, $post_rate, $ncalls, $ncalls / $secs,
            1e6 * $s[int(0.50 * $#s)], 1e6 * $s[int(0.99 * $#s)];
        $_[KERNEL]->post(IKC => 'shutdown');
        $_[KERNEL]->alias_remove('client');
    },
});
POE::Component::IKC::Client->spawn(
    ip         => '127.0.0.1',
    port       => $port,
    name       => "Client$$",
    on_connect => sub { $poe_kernel->post(client => 'go') },
    on_error   => sub { die "IKC connection failed: @_\n" },
);
POE::Kernel->run;

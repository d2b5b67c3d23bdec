#!/usr/bin/perl
# Workload 4 on Perl IKC, the receiving kernel: an IKC server on
# 127.0.0.1 publishing the session "bench" with
#   hit   one-way posts, counted; ARG0 is the sender's clock at its first post
#   stats returns [posts counted, seconds from the first post sent to the
#         last one received]
#   echo  returns ARG0 (for calls with RSVP)
#   perl -I<IKC lib> ikc_server.pl
# Prints "LISTEN <port>" once listening, then serves until killed.
use strict;
use warnings;
use IO::Handle;
use Time::HiRes qw(time);
use POE;
use POE::Component::IKC::Server;

STDOUT->autoflush(1);
my $port = POE::Component::IKC::Server->spawn(ip => '127.0.0.1', port => 0, name => 'Server');
my ($count, $t0, $last) = (0, 0, 0);
POE::Session->create(inline_states => {
    _start => sub {
        $_[KERNEL]->alias_set('bench');
        $_[KERNEL]->post(IKC => publish => bench => [qw(hit stats echo)]);
        print "LISTEN $port\n";
    },
    hit => sub {
        $t0 = $_[ARG0] unless $count++;
        $last = time;
    },
    stats => sub {
        my @r = ($count, $last - $t0);
        ($count, $t0, $last) = (0, 0, 0);
        return \@r;
    },
    echo => sub { $_[ARG0] },
});
POE::Kernel->run;

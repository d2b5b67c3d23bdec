#!/usr/bin/perl
# Workload 3 on Perl POE: the echo server as bench/echo -impl poe writes it.
# A SocketFactory listens on 127.0.0.1; each connection gets a session
# with a ReadWrite that puts back every record, through Filter::Line
# (Literal "\n") or Filter::Stream.
#   perl echo_server.pl line|stream [port]
# Prints "LISTEN <port>" once listening, then serves until killed.
use strict;
use warnings;
use IO::Handle;
use Socket qw(sockaddr_in);
use POE qw(Wheel::SocketFactory Wheel::ReadWrite Filter::Line Filter::Stream);

my ($mode, $port) = @ARGV;
die "usage: $0 line|stream [port]\n" unless $mode && $mode =~ /^(line|stream)$/;
$port ||= 0;
STDOUT->autoflush(1);

POE::Session->create(inline_states => {
    _start => sub {
        my $sf = POE::Wheel::SocketFactory->new(
            BindAddress  => '127.0.0.1',
            BindPort     => $port,
            Reuse        => 'yes',
            SuccessEvent => 'accepted',
            FailureEvent => 'failed',
        );
        $_[HEAP]{listener} = $sf;
        my ($p) = sockaddr_in($sf->getsockname);
        print "LISTEN $p\n";
    },
    accepted => sub {
        my $socket = $_[ARG0];
        POE::Session->create(
            args          => [$socket],
            inline_states => {
                _start => sub {
                    $_[HEAP]{rw} = POE::Wheel::ReadWrite->new(
                        Handle     => $_[ARG0],
                        Filter     => $mode eq 'line'
                            ? POE::Filter::Line->new(Literal => "\n")
                            : POE::Filter::Stream->new,
                        InputEvent => 'got',
                        ErrorEvent => 'gone',
                    );
                },
                got  => sub { $_[HEAP]{rw}->put($_[ARG0]) },
                gone => sub { delete $_[HEAP]{rw} },
            },
        );
    },
    failed => sub {
        warn "$_[ARG0]: $_[ARG2]\n";
        delete $_[HEAP]{listener};
    },
});
POE::Kernel->run;

#!/usr/bin/perl
# An IKC0 client written with plain POE, without POE::Component::IKC:
# it negotiates as the Perl IKC Client does (one SETUP line each way, in
# POE::Filter::Line), switches the same wheel to POE::Filter::Reference
# with Storable, calls poe://<server>/echo/echo and posts to
# poe://<server>/echo/record. It prints machine-readable lines:
#   SENT <the SETUP line>
#   SETUP <the server's SETUP line>
#   GOT state=<rsvp state> arg=<Data::Dumper of the reply's params>
# Usage: poe-ikc0-client.pl --port N [--name NAME]
use strict;
use warnings;
use Getopt::Long;
use Data::Dumper;
use Storable ();
use POE qw(Wheel::SocketFactory Wheel::ReadWrite Filter::Line Filter::Reference);

my ($port, $name) = (0, 'PoeCli');
GetOptions('port=i' => \$port, 'name=s' => \$name) or die "usage: $0 --port N [--name NAME]\n";
$| = 1;
$Data::Dumper::Indent = 0;
$Data::Dumper::Terse = 1;
$Data::Dumper::Sortkeys = 1;
$Data::Dumper::Useqq = 1;

POE::Session->create(inline_states => {
    _start => sub {
        $_[HEAP]{factory} = POE::Wheel::SocketFactory->new(
            RemoteAddress => '127.0.0.1', RemotePort => $port,
            SuccessEvent => 'connected', FailureEvent => 'failed');
    },
    failed => sub { die "connect: $_[ARG2]\n" },
    connected => sub {
        my ($kernel, $heap, $socket) = @_[KERNEL, HEAP, ARG0];
        delete $heap->{factory};
        my ($lport, $laddr) = Socket::sockaddr_in(getsockname $socket);
        my $local = Socket::inet_ntoa($laddr) . ":$lport";
        $heap->{rw} = POE::Wheel::ReadWrite->new(
            Handle => $socket, Filter => POE::Filter::Line->new,
            InputEvent => 'negotiate', ErrorEvent => 'closed');
        my $setup = "SETUP KERNEL=" . $kernel->ID . ",$name,$local;FREEZER=Storable;PID=$$";
        print "SENT $setup\n";
        $heap->{rw}->put($setup);
    },
    negotiate => sub {
        my ($kernel, $heap, $line) = @_[KERNEL, HEAP, ARG0];
        return unless length $line;
        die "unexpected line: $line\n" unless $line =~ /^SETUP (.+)$/;
        print "SETUP $1\n";
        my ($peer) = $line =~ /KERNEL=([^,;]+)/;
        die "no FREEZER=Storable in: $line\n" unless $line =~ /FREEZER=Storable(;|$)/;
        $heap->{peer} = $peer;
        $heap->{rw}->event(InputEvent => 'receive');
        $heap->{rw}->set_filter(POE::Filter::Reference->new('Storable'));
        $heap->{rw}->put({
            event => "poe://$peer/echo/echo", params => { said => 'hello', n => [1, 2] },
            rsvp => { kernel => $name, session => $_[SESSION]->ID, state => 'echoed' },
        });
    },
    receive => sub {
        my ($heap, $msg) = @_[HEAP, ARG0];
        my $state = ref $msg->{event} ? $msg->{event}{state} : $msg->{event};
        print "GOT state=$state arg=", Dumper($msg->{params}), "\n";
        $heap->{rw}->put({ event => "poe://$heap->{peer}/echo/record", params => 'bye' });
        $heap->{rw}->event(FlushedEvent => 'done');
    },
    done => sub { delete $_[HEAP]{rw} },
    closed => sub { delete $_[HEAP]{rw} },
});
POE::Kernel->run;

#!/usr/bin/perl
# An IKC client written with plain POE, without POE::Component::IKC. It
# negotiates as the Perl IKC Client does, in POE::Filter::Line, either
#   IKC0: one SETUP line each way, or
#   IKC:  the legacy dialogue (HELLO, IAM/OK for each name both ways, DONE,
#         FREEZER Storable, OK, WORLD, UP),
# falling back from IKC0 to IKC when the server answers SETUP with NOT,
# then switches the same wheel to POE::Filter::Reference with Storable,
# calls poe://<server>/echo/echo and posts to poe://<server>/echo/record.
# It prints machine-readable lines:
#   SENT <line>     every negotiation line it sent
#   READ <line>     every negotiation line it received
#   GOT state=<rsvp state> arg=<Data::Dumper of the reply's params>
# and exits once the post is written.
# Usage: poe-client.pl --port N [--protocol IKC0|IKC] [--name NAME]
use strict;
use warnings;
use Getopt::Long;
use Data::Dumper;
use Socket ();
use Storable ();
use POE qw(Wheel::SocketFactory Wheel::ReadWrite Filter::Line Filter::Reference);

my ($port, $protocol, $name) = (0, 'IKC0', 'PoeCli');
GetOptions('port=i' => \$port, 'protocol=s' => \$protocol, 'name=s' => \$name)
    or die "usage: $0 --port N [--protocol IKC0|IKC] [--name NAME]\n";
$| = 1;
$Data::Dumper::Indent = 0;
$Data::Dumper::Terse = 1;
$Data::Dumper::Sortkeys = 1;
$Data::Dumper::Useqq = 1;

sub send_line {
    my ($heap, $line) = @_;
    print "SENT $line\n";
    $heap->{rw}->put($line);
}

POE::Session->create(inline_states => {
    _start => sub {
        $_[HEAP]{factory} = POE::Wheel::SocketFactory->new(
            RemoteAddress => '127.0.0.1', RemotePort => $port,
            SuccessEvent => 'connected', FailureEvent => 'failed');
        $_[KERNEL]->delay(timeout => 20);
    },
    timeout => sub { die "no answer within 20 seconds\n" },
    failed => sub { die "connect: $_[ARG2]\n" },
    connected => sub {
        my ($kernel, $heap, $socket) = @_[KERNEL, HEAP, ARG0];
        delete $heap->{factory};
        my ($lport, $laddr) = Socket::sockaddr_in(getsockname $socket);
        $heap->{local} = Socket::inet_ntoa($laddr) . ":$lport";
        $heap->{rw} = POE::Wheel::ReadWrite->new(
            Handle => $socket, Filter => POE::Filter::Line->new,
            InputEvent => 'negotiate', ErrorEvent => 'closed');
        if ($protocol eq 'IKC0') {
            send_line($heap, "SETUP KERNEL=" . $kernel->ID . ",$name,$heap->{local};FREEZER=Storable;PID=$$");
        } else {
            $heap->{phase} = 'names';
            send_line($heap, 'HELLO');
        }
    },
    negotiate => sub {
        my ($kernel, $heap, $line) = @_[KERNEL, HEAP, ARG0];
        return unless length $line;
        print "READ $line\n";
        if ($protocol eq 'IKC0' and $line eq 'NOT') {
            # A server that speaks only IKC: fall back to it, as Perl does.
            $protocol = 'IKC';
            $heap->{phase} = 'names';
            return send_line($heap, 'HELLO');
        }
        if ($protocol eq 'IKC0') {
            die "unexpected line: $line\n" unless $line =~ /^SETUP (.+)$/;
            ($heap->{peer}) = $line =~ /KERNEL=([^,;]+)/;
            die "no FREEZER=Storable in: $line\n" unless $line =~ /FREEZER=Storable(;|$)/;
            return $kernel->call($_[SESSION], 'frames');
        }
        my $phase = $heap->{phase};
        if ($phase eq 'names') {                 # the server announces itself
            if ($line =~ /^IAM\s+([-:.\w]+)$/) {
                $heap->{peer} //= $1;           # its kernel ID comes first
                return send_line($heap, 'OK');
            }
            die "unexpected line: $line\n" unless $line eq 'DONE';
            # Our kernel ID first, then the names popped from the end of
            # [name, sanity alias].
            $heap->{todo} = [$kernel->ID, $heap->{local}, $name];
            $heap->{phase} = 'announce';
            return send_line($heap, 'IAM ' . shift @{ $heap->{todo} });
        }
        if ($phase eq 'announce') {
            die "unexpected line: $line\n" unless $line eq 'OK';
            return send_line($heap, 'IAM ' . shift @{ $heap->{todo} }) if @{ $heap->{todo} };
            send_line($heap, 'DONE');
            send_line($heap, 'FREEZER Storable');    # without waiting
            $heap->{phase} = 'freezer';
            return;
        }
        if ($phase eq 'freezer') {
            die "Storable refused: $line\n" unless $line eq 'OK';
            $heap->{phase} = 'world';
            return send_line($heap, 'WORLD');
        }
        die "unexpected line: $line\n" unless $phase eq 'world' and $line eq 'UP';
        $kernel->call($_[SESSION], 'frames');
    },
    frames => sub {
        my ($heap) = $_[HEAP];
        $heap->{rw}->event(InputEvent => 'receive');
        $heap->{rw}->set_filter(POE::Filter::Reference->new('Storable'));
        $heap->{rw}->put({
            event => "poe://$heap->{peer}/echo/echo", params => { said => 'hello', n => [1, 2] },
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
    done => sub { delete $_[HEAP]{rw}; $_[KERNEL]->delay('timeout') },
    closed => sub { delete $_[HEAP]{rw}; $_[KERNEL]->delay('timeout') },
});
POE::Kernel->run;

#!/usr/bin/perl
# A Perl IKC Client kernel for the interop tests. It connects to the
# server kernel named by --server, then runs these steps one after the
# other, printing machine-readable lines on STDOUT:
#   MONITOR <type> name=<kernel> real=<0|1> [op=<op> msg=<text>]
#                                         what its monitor of "*" saw
#   CONNECTED                             the connection is negotiated
#   RESULT op=<step> same=<0|1> value=<Data::Dumper of the answer>
#                                         an answer to a call; same=1 when
#                                         it equals what was sent
#   CALLED_BACK args=<Data::Dumper of the arguments>
#                                         the server posted to our thunk
#   SUBSCRIBED specs=<Data::Dumper>       the subscription callback ran
#   DONE                                  every step ran
# The steps: a post to echo/record; calls of echo/echo with every shape of
# data; calls of states that compute (nested, utf8, big, list, add); a call
# of an unpublished state (the remote error reaches the monitor); a post to
# echo/sender_back, answered through the SENDER thunk; a subscription to
# the session "pub" and a post through its proxy, answered the same way.
# It then waits for the connection to end (the monitor prints unregister).
# Usage: ikc-client.pl --port N | --unix PATH [--protocol IKC0|IKC]
#        [--name NAME] [--server NAME] [--serializer PKG]...
use strict;
use warnings;
use utf8;
use Getopt::Long;
use Data::Dumper;
use POE;
use POE::Component::IKC::Client;
use POE::Component::IKC::Responder;

my ($port, $unix, $protocol, $name, $server, @serializers) = (0, undef, 'IKC0', 'PerlCli', 'GoSrv');
GetOptions('port=i' => \$port, 'unix=s' => \$unix, 'protocol=s' => \$protocol,
           'name=s' => \$name, 'server=s' => \$server, 'serializer=s' => \@serializers)
    or die "usage: $0 --port N | --unix PATH [--protocol IKC0|IKC] [--name NAME] [--server NAME]\n";
$| = 1;
$Data::Dumper::Indent = 0;
$Data::Dumper::Terse = 1;
$Data::Dumper::Sortkeys = 1;
$Data::Dumper::Useqq = 1;

sub dump1 { my $s = Dumper($_[0]); $s =~ s/\s+/ /g; $s }

my $big = '0123456789abcdef' x (1 << 16);    # 1 MiB
my $utf8 = "h\x{e9}llo w\x{f6}rld \x{2713} \x{65e5}\x{672c}";
# [step name, state, argument, whether the answer should equal it]
my @calls = (
    [string    => echo => 'hello', 1],
    [empty     => echo => '', 1],
    [integer   => echo => 42, 1],
    [negative  => echo => -100000, 1],
    [int64     => echo => 1099511627776, 1],
    [float     => echo => 2.5, 1],
    [undefs    => echo => [undef, 1, undef], 1],
    [utf8      => echo => $utf8, 1],
    [nested    => echo => { a => [1, 'two', { x => undef }], h => {} }, 1],
    [big       => echo => $big, 1],
    [c_nested  => nested => undef, 0],
    [c_utf8    => utf8 => undef, 0],
    [c_big     => big => undef, 0],
    [c_list    => list => undef, 0],
    [c_add     => add => [2, 3], 0],
);

POE::Session->create(inline_states => {
    _start => sub {
        my $kernel = $_[KERNEL];
        POE::Component::IKC::Responder->spawn;
        $kernel->alias_set('perlcli');
        $kernel->post(IKC => publish => perlcli => ['called_back']);
        $kernel->post(IKC => monitor => '*' => {
            register => 'm_register', unregister => 'm_unregister', error => 'm_error' });
        my %client = (name => $name, protocol => $protocol,
                      on_connect => sub { $kernel->post(perlcli => 'connected') },
                      on_error => sub { print "ERROR op=$_[0] errno=$_[1] text=$_[2]\n" });
        $client{serializers} = [@serializers] if @serializers;
        if (defined $unix) {
            $client{unix} = $unix;
        } else {
            @client{qw(ip port)} = ('127.0.0.1', $port);
        }
        POE::Component::IKC::Client->spawn(%client);
    },
    m_register => sub { print "MONITOR register name=$_[ARG1] real=", ($_[ARG2] ? 1 : 0), "\n" },
    m_unregister => sub { print "MONITOR unregister name=$_[ARG1] real=", ($_[ARG2] ? 1 : 0), "\n" },
    m_error => sub {
        my ($kernel, $rid, $real, $op, $msg) = @_[KERNEL, ARG1, ARG2, ARG4, ARG5];
        print "MONITOR error name=$rid real=", ($real ? 1 : 0), " op=$op msg=", dump1($msg), "\n";
        $kernel->yield('sender_back') if $op =~ /^remote-/ and !$_[HEAP]{back};
    },
    connected => sub {
        print "CONNECTED\n";
        $_[KERNEL]->post(IKC => post => "poe://$server/echo/record", 'hello from perl');
        $_[KERNEL]->yield('next_call');
    },
    next_call => sub {
        my ($kernel, $heap) = @_[KERNEL, HEAP];
        my $c = $calls[ $heap->{call}++ ];
        unless ($c) {
            # The remote error goes to the monitor, which goes on.
            $kernel->post(IKC => call => "poe://$server/echo/notpub", 'x', 'poe:reply');
            return;
        }
        $kernel->post(IKC => call => "poe://$server/echo/$c->[1]", $c->[2], 'poe:reply');
    },
    reply => sub {
        my ($kernel, $heap, $v) = @_[KERNEL, HEAP, ARG0];
        my $c = $calls[ $heap->{call} - 1 ];
        my $same = dump1($v) eq dump1($c->[2]) ? 1 : 0;
        my $shown = (defined $v and !ref $v and length $v > 1000)
            ? 'length=' . length($v) . ' ' . (utf8::is_utf8($v) ? 'chars' : 'bytes')
            : dump1($v);
        print "RESULT op=$c->[0] same=$same value=$shown\n";
        $kernel->yield('next_call');
    },
    sender_back => sub {
        $_[HEAP]{back} = 'thunk';
        $_[KERNEL]->post(IKC => post => "poe://$server/echo/sender_back", 'ping');
    },
    called_back => sub {
        my ($kernel, $heap, @args) = @_[KERNEL, HEAP, ARG0 .. $#_];
        print "CALLED_BACK args=", dump1(\@args), "\n";
        if ($heap->{back} eq 'thunk') {
            $heap->{back} = 'proxy';
            $kernel->post(IKC => subscribe => ["poe://$server/pub"], 'subscribed');
        } else {
            print "DONE\n";
        }
    },
    subscribed => sub {
        my ($kernel, $specs) = @_[KERNEL, ARG0];
        print "SUBSCRIBED specs=", dump1($specs), "\n";
        $kernel->post("poe://$server/pub", record => 'via proxy', 2);
    },
});

POE::Kernel->run;

#!/usr/bin/perl
# An IKC server for the interop tests: it publishes the session "echo"
# and prints machine-readable lines on STDOUT:
#   READY port=<n>            or   READY unix=<path>
#   GOT state=<state> arg=<Data::Dumper of ARG0 on one line>
#   MONITOR <type> name=<kernel> real=<0|1> [op=<op> msg=<text>]
#                             what its monitor of "*" saw
# It also publishes the session "pub" (state record: print the arguments
# and post them back to SENDER's called_back), for subscriptions.
# Options: --port N (0 picks one) | --unix PATH, --protocol IKC0|IKC,
# --name NAME. It listens on 127.0.0.1 only.
use strict;
use warnings;
use utf8;
use Getopt::Long;
use Data::Dumper;
use POE;
use POE::Component::IKC::Server;

my ($port, $unix, $protocol, $name) = (0, undef, 'IKC0', 'Server');
GetOptions('port=i' => \$port, 'unix=s' => \$unix,
           'protocol=s' => \$protocol, 'name=s' => \$name)
    or die "usage: $0 [--port N | --unix PATH] [--protocol IKC0|IKC] [--name NAME]\n";

$| = 1;
$Data::Dumper::Indent = 0;
$Data::Dumper::Terse = 1;
$Data::Dumper::Sortkeys = 1;
$Data::Dumper::Useqq = 1;

my %server = (name => $name, protocol => $protocol);
if (defined $unix) {
    $server{unix} = $unix;
} else {
    @server{qw(ip port)} = ('127.0.0.1', $port);
}
# spawn returns the chosen port only when asked to choose one.
my $got = POE::Component::IKC::Server->spawn(%server) || $port;

sub got {
    my ($state, $arg) = @_;
    print "GOT state=$state arg=", Dumper($arg), "\n";
}

my @states = qw(echo add nested big utf8 describe list nothing record add_1 post_back sender_back);
POE::Session->create(
    inline_states => {
        _start => sub {
            my $kernel = $_[KERNEL];
            $kernel->alias_set('echo');
            $kernel->post(IKC => publish => echo => \@states);
            $kernel->post(IKC => monitor => '*' => {
                register => 'm_register', unregister => 'm_unregister', error => 'm_error' });
            print defined $unix ? "READY unix=$unix\n" : "READY port=$got\n";
        },
        # echo returns its argument unchanged.
        echo => sub { $_[ARG0] },
        # add returns the sum of the numbers of an array.
        add => sub { my $s = 0; $s += $_ for @{ $_[ARG0] }; $s },
        # nested returns a fixed structure of hashes and arrays.
        nested => sub {
            +{ list => [1, 'two', [3, { four => 4 }]],
              hash => { a => { b => { c => 'deep' } } },
              undef => undef, float => 0.5, negative => -100000 }
        },
        # big returns a string of ARG0 bytes (1 MiB when ARG0 is undef).
        big => sub { 'x' x ($_[ARG0] || 1 << 20) },
        # utf8 returns a character string with non-ASCII characters.
        utf8 => sub { "h\x{e9}llo w\x{f6}rld \x{2713} \x{65e5}\x{672c}" },
        # describe tells how Perl sees ARG0: its length and UTF-8 flag.
        describe => sub {
            my $s = $_[ARG0];
            sprintf "length=%d utf8=%d", length $s, utf8::is_utf8($s) ? 1 : 0;
        },
        # list returns a list: all of it in list context, 3 in scalar.
        list => sub { (1, 2, 3) },
        # nothing returns undef, to which IKC sends no reply at all.
        nothing => sub { return },
        # record prints what it was posted.
        record => sub { got(record => $_[ARG0]); return },
        # add_1 answers a post_respond with ARG0 + 1.
        add_1 => sub {
            my ($n, $rsvp) = @{ $_[ARG0] };
            $_[KERNEL]->post(IKC => post => $rsvp, $n + 1);
            return;
        },
        # post_back answers a post_respond with the data unchanged.
        # sender_back answers through SENDER, the thunk of the request.
        sender_back => sub {
            got(sender_back => $_[ARG0]);
            $_[KERNEL]->post($_[SENDER], called_back => 'pong', $_[ARG0]);
            return;
        },
        m_register => sub { print "MONITOR register name=$_[ARG1] real=", ($_[ARG2] ? 1 : 0), "\n" },
        m_unregister => sub { print "MONITOR unregister name=$_[ARG1] real=", ($_[ARG2] ? 1 : 0), "\n" },
        m_error => sub {
            my $msg = Dumper($_[ARG5]);
            $msg =~ s/\s+/ /g;
            print "MONITOR error name=$_[ARG1] real=", ($_[ARG2] ? 1 : 0), " op=$_[ARG4] msg=$msg\n";
        },
        post_back => sub {
            my ($data, $rsvp) = @{ $_[ARG0] };
            $_[KERNEL]->post(IKC => post => $rsvp, $data);
            return;
        },
    },
);

POE::Session->create(
    inline_states => {
        _start => sub {
            $_[KERNEL]->alias_set('pub');
            $_[KERNEL]->post(IKC => publish => pub => ['record']);
        },
        record => sub {
            my @args = @_[ARG0 .. $#_];
            got(pub => \@args);
            $_[KERNEL]->post($_[SENDER], called_back => 'proxied', @args);
            return;
        },
    },
);

POE::Kernel->run;

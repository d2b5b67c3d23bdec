#!/usr/bin/perl
# Perl's POE::Component::IKC::ClientLite as a peer for the interop tests:
# it connects, runs the calls of IKC's t/20_clientlite.t against the
# session "echo" of the server, and prints one machine-readable line per
# step:
#   CONNECTED name=<name>
#   RESULT op=<step> value=<Data::Dumper of the result on one line>
#   ERROR op=<step> error=<error text on one line>
# With --reconnect it then connects a new ClientLite and calls again
# (RESULT op=reconnect), prints WAIT, reads one line from STDIN (the test
# cuts the connection meanwhile) and calls twice more (op=after_cut1 and
# after_cut2): Perl's ClientLite does not notice the closed connection
# until a request times out (2 s), and the next request connects anew.
# Usage: ikc-lite.pl --port N [--protocol IKC0|IKC] [--name NAME] [--reconnect]
use strict;
use warnings;
use Getopt::Long;
use Data::Dumper;
use POE::Component::IKC::ClientLite;

my ($port, $protocol, $name, $reconnect) = (0, 'IKC0', 'PerlLite', 0);
GetOptions('port=i' => \$port, 'protocol=s' => \$protocol, 'name=s' => \$name,
           'reconnect' => \$reconnect)
    or die "usage: $0 --port N [--protocol IKC0|IKC] [--name NAME]\n";
$| = 1;
$Data::Dumper::Indent = 0;
$Data::Dumper::Terse = 1;
$Data::Dumper::Sortkeys = 1;
$Data::Dumper::Useqq = 1;

sub oneline { my $s = shift; $s =~ s/\s+/ /g; $s }

my $lite = POE::Component::IKC::ClientLite->spawn(
    ip => '127.0.0.1', port => $port, name => $name,
    protocol => $protocol, timeout => 10);
unless ($lite) {
    print "ERROR op=connect error=", oneline($POE::Component::IKC::ClientLite::error), "\n";
    exit 1;
}
print "CONNECTED name=", $lite->name, "\n";

sub step {
    my ($op, $code) = @_;
    my $v = $code->();
    if (defined $v) {
        print "RESULT op=$op value=", Dumper($v), "\n";
    } else {
        print "ERROR op=$op error=", oneline($lite->error // 'undef'), "\n";
    }
}

step(call => sub { scalar $lite->call('echo/echo', 'hello') });
step(call_nested => sub { scalar $lite->call('echo/echo', { a => [1, 'two'] }) });
step(call_list => sub { [ $lite->call('echo/echo', [1, 2, 3]) ] });
step(post_respond => sub { $lite->post_respond('echo/add_1', 7) });
step(post => sub { $lite->post('echo/record', 'from perl') });
step(notpub => sub { scalar $lite->call('echo/notpub', 'x') });
$lite->disconnect;
if ($reconnect) {
    # A short timeout: the first call after the cut waits for it.
    $lite = POE::Component::IKC::ClientLite->spawn(
        ip => '127.0.0.1', port => $port, name => $name,
        protocol => $protocol, timeout => 2);
    unless ($lite) {
        print "ERROR op=reconnect error=", oneline($POE::Component::IKC::ClientLite::error), "\n";
        exit 1;
    }
    step(reconnect => sub { scalar $lite->call('echo/echo', 'again') });
    print "WAIT\n";
    my $go = <STDIN>;
    step(after_cut1 => sub { scalar $lite->call('echo/echo', 'after cut') });
    step(after_cut2 => sub { scalar $lite->call('echo/echo', 'after cut') });
}
print "DONE\n";

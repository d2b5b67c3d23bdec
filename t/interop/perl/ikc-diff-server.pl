#!/usr/bin/perl
# The server half of the randomized differential test: an IKC server
# kernel named Srv on 127.0.0.1 (port 0 picks one) that lives across
# scenarios. It prints
#   ID <kernel ID> PID <pid>
#   READY port=<n>
# then reads commands on STDIN, one a line:
#   SETUP <json>   creates the scenario's sessions: {"sessions":[{"alias":A,
#                  "states":[...],"published":[...]}]}; prints SETUP_DONE
#   TEARDOWN       retracts and removes them; prints TEARDOWN_DONE
# and prints a trace line "T ..." for everything it observes: handler
# invocations (see IKCDiff::server_state), the calls of its session "ctl"
# (published: sync, retract, publish) and what its monitor of "*" sees.
# When the client kernel's ID unregisters it prints DISCONNECTED.
# It exits when STDIN closes.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use Getopt::Long;
use POE;
use POE::Wheel::ReadWrite;
use POE::Filter::Line;
use POE::Component::IKC::Server;
use IKCDiff;

my $port = 0;
GetOptions('port=i' => \$port) or die "usage: $0 [--port N]\n";

my $got = POE::Component::IKC::Server->spawn(ip => '127.0.0.1', port => $port, name => 'Srv') || $port;

# yields runs $then after $n generations of the local queue.
sub yields {
    my ($kernel, $n, $then, @args) = @_;
    $kernel->yield(yield_step => $n, $then, @args);
}

my %scenario;    # alias -> session ID of this scenario's sessions

POE::Session->create(
    inline_states => {
        _start => sub {
            my ($kernel, $heap) = @_[KERNEL, HEAP];
            $kernel->alias_set('ctl');
            $kernel->call(IKC => publish => ctl => [qw(sync retract publish)]);
            $kernel->call(IKC => monitor => '*' => {
                (map { $_ => "m_$_" } qw(register unregister subscribe unsubscribe error channel shutdown)),
                data => 'srv' });
            $heap->{stdin} = IKCDiff::command_reader();
            print "ID ", $kernel->ID, " PID $$\n";
            print "READY port=$got\n";
        },
        yield_step => sub {
            my ($kernel, $n, $then, @args) = @_[KERNEL, ARG0 .. $#_];
            return $kernel->yield($then, @args) if $n <= 0;
            $kernel->yield(yield_step => $n - 1, $then, @args);
        },
        stdin_gone => sub { exit 0 },
        command => sub {
            my ($kernel, $line) = @_[KERNEL, ARG0];
            my ($cmd, $json) = split / /, $line, 2;
            if ($cmd eq 'SETUP') {
                my $sc = IKCDiff::json->decode($json);
                for my $s (@{ $sc->{sessions} }) {
                    my $alias = $s->{alias};
                    my %states = map { $_ => IKCDiff::server_state($alias, $_) } @{ $s->{states} };
                    my $sess = POE::Session->create(inline_states => {
                        %states,
                        _start => sub {
                            $_[KERNEL]->alias_set($alias);
                            $_[KERNEL]->call(IKC => publish => $alias, $s->{published}) if @{ $s->{published} };
                        },
                        bye => sub { $_[KERNEL]->alias_remove($alias) },
                    });
                    $scenario{$alias} = $sess->ID;
                }
                yields($kernel, $IKCDiff::YIELDS, 'say', 'SETUP_DONE');
            } elsif ($cmd eq 'TEARDOWN') {
                for my $alias (sort keys %scenario) {
                    $kernel->call(IKC => retract => $alias);
                    $kernel->post(delete $scenario{$alias}, 'bye');
                }
                yields($kernel, $IKCDiff::YIELDS, 'say', 'TEARDOWN_DONE');
            } else {
                print "BAD command $line\n";
            }
        },
        say => sub { print "$_[ARG0]\n" },
        # sync is the barrier the client posts after each operation: once
        # the local queue has run, it posts synced back over the same
        # connection, behind anything the operation made this kernel send.
        sync => sub {
            my ($kernel, $n) = @_[KERNEL, ARG0];
            yields($kernel, $IKCDiff::YIELDS, 'sync_done', $n);
        },
        sync_done => sub {
            my ($kernel, $n) = @_[KERNEL, ARG0];
            IKCDiff::trace("SYNC $n");
            $kernel->post(IKC => post => 'poe://Cli/cli/synced', $n);
        },
        retract => sub {
            my ($kernel, $arg) = @_[KERNEL, ARG0];
            my ($alias, $states) = @$arg;
            my $r = $kernel->call(IKC => retract => $alias, $states);
            IKCDiff::trace("RETRACT $alias " . IKCDiff::dumpv($states) . ' ret=' . IKCDiff::dumpv($r));
            return 'retracted';
        },
        publish => sub {
            my ($kernel, $arg) = @_[KERNEL, ARG0];
            my ($alias, $states) = @$arg;
            my $r = $kernel->call(IKC => publish => $alias, $states);
            IKCDiff::trace("PUBLISH $alias " . IKCDiff::dumpv($states) . ' ret=' . IKCDiff::dumpv($r));
            return 'published';
        },
        IKCDiff::monitor_states(),
        m_unregister => sub {
            my ($kernel, @a) = @_[KERNEL, ARG0 .. $#_];
            IKCDiff::trace("MON unregister name=$a[0] k=$a[1] real=" . ($a[2] ? 1 : 0) .
                           ' data=' . IKCDiff::dumpv($a[3]) . ' rest=');
            yields($kernel, $IKCDiff::YIELDS, 'say', 'DISCONNECTED') if $a[2];
        },
    },
);

POE::Kernel->run;

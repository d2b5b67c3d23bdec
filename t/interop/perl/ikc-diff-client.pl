#!/usr/bin/perl
# The client half of the randomized differential test: a kernel that
# lives across scenarios and, for each "RUN <json>" line on STDIN,
# connects a fresh IKC client named Cli to the server kernel Srv at
# 127.0.0.1:--port, runs the scenario's operations one after the other
# and disconnects. It prints
#   ID <kernel ID> PID <pid>
#   READY
# then, per scenario, trace lines "T ..." and DONE. A scenario is
#   {"monitors":[{"name":N,"events":[...],"data":D}],"ops":[{"op":...}]}
# Each operation is followed by a barrier: the local queue runs, then
# poe://Srv/ctl/sync is posted and the server posts synced back once its
# own queue has run, so the next operation starts only after everything
# the last one caused on both sides (see IKCDiff::trace for the lines).
# It exits when STDIN closes.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use Getopt::Long;
use POE;
use POE::Wheel::ReadWrite;
use POE::Filter::Line;
use POE::Component::IKC::Client;
use POE::Component::IKC::Responder;
use IKCDiff;

my $port;
GetOptions('port=i' => \$port) or die "usage: $0 --port N\n";
die "usage: $0 --port N\n" unless $port;

sub T { IKCDiff::trace(@_) }
sub build { IKCDiff::build(@_) }
sub dumpv { IKCDiff::dumpv(@_) }

sub yield_states {
    return (yield_step => sub {
        my ($kernel, $n, $then, @args) = @_[KERNEL, ARG0 .. $#_];
        return $kernel->yield($then, @args) if $n <= 0;
        $kernel->yield(yield_step => $n - 1, $then, @args);
    });
}

sub yields {
    my ($kernel, $then, @args) = @_;
    $kernel->yield(yield_step => $IKCDiff::YIELDS, $then, @args);
}

sub run_scenario {
    my ($sc) = @_;
    POE::Session->create(inline_states => {
        yield_states(),
        IKCDiff::monitor_states(),
        _start => sub {
            my ($kernel, $heap) = @_[KERNEL, HEAP];
            $kernel->alias_set('cli');
            $kernel->call(IKC => publish => cli => [qw(cb synced)]);
            for my $m (@{ $sc->{monitors} }) {
                $kernel->call(IKC => monitor => $m->{name} => {
                    (map { $_ => "m_$_" } @{ $m->{events} }), data => $m->{data} });
            }
            POE::Component::IKC::Client->spawn(
                ip => '127.0.0.1', port => $port, name => 'Cli',
                on_connect => sub {
                    $heap->{channel} = $kernel->get_active_session->ID;
                    $kernel->post(cli => 'connected');
                });
        },
        connected => sub {
            T('CONNECTED');
            $_[HEAP]{i} = 0;
            yields($_[KERNEL], 'barrier', 0);
        },
        barrier => sub { $_[KERNEL]->post(IKC => post => 'poe://Srv/ctl/sync', $_[ARG0]) },
        synced => sub { yields($_[KERNEL], 'next') },
        next => sub {
            my ($kernel, $heap) = @_[KERNEL, HEAP];
            my $i = ++$heap->{i};
            my $op = $sc->{ops}[ $i - 1 ];
            T("OP $i $op->{op}");
            my $k = $op->{op};
            if ($k eq 'post') {
                $kernel->post(IKC => post => $op->{spec}, build($op->{payload}));
            } elsif ($k eq 'call') {
                $kernel->post(IKC => call => $op->{spec}, build($op->{payload}), 'poe:answer');
            } elsif ($k eq 'subscribe') {
                $kernel->post(IKC => subscribe => [ $op->{spec} ], 'subscribed');
            } elsif ($k eq 'unsubscribe') {
                $kernel->post(IKC => unsubscribe => [ $op->{spec} ]);
            } elsif ($k eq 'ppost') {
                my $ok = $kernel->post($op->{spec}, $op->{state}, map { build($_) } @{ $op->{args} });
                T('PPOST ok=' . ($ok ? 1 : 0));
            } elsif ($k eq 'retract' or $k eq 'publish') {
                $kernel->post(IKC => call => "poe://Srv/ctl/$k",
                              [ $op->{alias}, $op->{states} ], 'poe:answer');
            } elsif ($k eq 'monitor') {
                my %ev = map { $_ => "m_$_" } @{ $op->{events} || [] };
                $ev{data} = $op->{data} if %ev;
                $kernel->post(IKC => monitor => $op->{name} => \%ev);
            } elsif ($k eq 'disconnect') {
                $kernel->call($heap->{channel} => 'shutdown');
                return yields($kernel, 'finish');
            } else {
                die "unknown op $k";
            }
            yields($kernel, 'barrier', $i);
        },
        answer => sub { T('ANSWER ' . IKCDiff::dumpargs(@_[ARG0 .. $#_])) },
        cb => sub { T('CB ' . IKCDiff::dumpargs(@_[ARG0 .. $#_])) },
        subscribed => sub { T('SUBSCRIBED ' . dumpv($_[ARG0])) },
        finish => sub {
            my ($kernel) = $_[KERNEL];
            my %names = map { $_->{name} => 1 } @{ $sc->{monitors} },
                        grep { $_->{op} eq 'monitor' } @{ $sc->{ops} };
            $kernel->call(IKC => monitor => $_ => {}) for sort keys %names;
            $kernel->call(IKC => retract => 'cli');
            $kernel->alias_remove('cli');
            print "DONE\n";
        },
    });
}

POE::Session->create(
    inline_states => {
        _start => sub {
            my ($kernel, $heap) = @_[KERNEL, HEAP];
            POE::Component::IKC::Responder->spawn;
            $kernel->alias_set('driver');
            $heap->{stdin} = IKCDiff::command_reader();
            print "ID ", $kernel->ID, " PID $$\n";
            print "READY\n";
        },
        stdin_gone => sub { exit 0 },
        command => sub {
            my ($cmd, $json) = split / /, $_[ARG0], 2;
            return print "BAD command $_[ARG0]\n" unless $cmd eq 'RUN';
            run_scenario(IKCDiff::json->decode($json));
        },
    },
);

POE::Kernel->run;

#!/usr/bin/perl
# The reference interpreter of the differential test's programs: it reads
# one program (JSON) a line from standard input, runs it in POE, and
# prints its trace, one line a handler or action, closed by a line "END".
# program_test.go holds the program format and interp_test.go the Go
# interpreter; the two must read a program the same way, line for line.
use strict;
use warnings;

sub POE::Kernel::ASSERT_DEFAULT () { 0 }
use POE;
use JSON::PP ();
use Errno qw(EPERM ESRCH EEXIST EINVAL);
use Scalar::Util qw(blessed looks_like_number);
use Time::HiRes ();

$| = 1;
$SIG{__WARN__} = sub { };    # POE's usage notes are not part of the trace

# POE keeps a session's children in a hash, so the order in which a
# signal reaches siblings, ZOMBIE stops them and a stopping parent hands
# them on is the hash's, which changes from run to run. The differential
# test needs one order: children are listed in the order they were
# adopted (created, or moved to a new parent), one of the orders POE may
# use and the one the Go kernel keeps. Nothing else in POE is changed.
{
  no warnings 'redefine';
  my (%adopted, $adoptions);
  my $allocate = \&POE::Kernel::_data_ses_allocate;
  my $move     = \&POE::Kernel::_data_ses_move_child;
  my $children = \&POE::Kernel::_data_ses_get_children;
  *POE::Kernel::_data_ses_allocate   = sub { $adopted{ $_[2] } = ++$adoptions; goto &$allocate };
  *POE::Kernel::_data_ses_move_child = sub { $adopted{ $_[1] } = ++$adoptions; goto &$move };
  *POE::Kernel::_data_ses_get_children = sub {
    return sort { ($adopted{ $a->ID } // 0) <=> ($adopted{ $b->ID } // 0) } $children->(@_);
  };
}

my %errname = (EPERM, 'EPERM', ESRCH, 'ESRCH', EEXIST, 'EEXIST', EINVAL, 'EINVAL');
sub errname { my $n = shift() + 0; return $errname{$n} // "errno$n" }

# Per program. @alarmoff holds each alarm's offset in milliseconds from
# the moment it was set (see alarm_adjust).
my ($prog, @trace, @registry, @alarms, @alarmoff, $created, $sweep);

# tr_push adds a line to the trace; RUNPL_LIVE=1 shows it at once on
# standard error too, to follow a program that makes POE die.
sub tr_push {
  push @trace, $_[0];
  print STDERR "$_[0]\n" if $ENV{RUNPL_LIVE};
}

sub norm {
  my $v = shift;
  return 'undef' unless defined $v;
  if (ref $v eq 'ARRAY') { return '[' . join(' ', map { norm($_) } @$v) . ']' }
  if (blessed $v) {
    return 'kernel' if $v == $poe_kernel;
    if ($v->isa('POE::Session')) {
      my $h = $v->get_heap;
      return (ref $h eq 'HASH' && defined $h->{name}) ? $h->{name} : 'unnamed';
    }
  }
  return "$v";
}

sub target {
  my ($t, $sender) = @_;
  my $k = $t->{k};
  return ($poe_kernel->get_active_session, 'self') if $k eq 'self';
  return ($sender, norm($sender))                   if $k eq 'sender';
  return ($t->{a}, "alias:$t->{a}")                  if $k eq 'alias';
  return ($poe_kernel, 'kernel')                     if $k eq 'kernel';
  my $me = $poe_kernel->get_active_session;
  if ($k eq 'parent') {
    my $p = $poe_kernel->_data_ses_get_parent($me->ID);
    return ($p, 'parent:' . norm($p));
  }
  if ($k eq 'child') {
    # The newest child first.
    my @kids = reverse $poe_kernel->_data_ses_get_children($me->ID);
    return (undef, "child$t->{i}:none") if $t->{i} >= @kids;
    return ($kids[ $t->{i} ], 'child:' . norm($kids[ $t->{i} ]));
  }
  if ($k eq 'ref') {
    return (undef, "ref$t->{i}") if $t->{i} >= @registry;
    return ($registry[$t->{i}], "ref$t->{i}");
  }
  die "unknown target kind $k";
}

sub act {
  my ($heap, $state, $a, $n, $sender, $now) = @_;
  my $me = $heap->{name};
  my $op = $a->{op};
  # The program's JSON leaves out empty fields.
  $a->{$_} //= '' for qw(ev lab name type tag);
  $a->{$_} //= 0 for qw(i off d);
  $a->{to}{i} //= 0 if $a->{to};
  my $line = sub { my $l = "  $me $op " . join(' ', @_); $l =~ s/ +$//; tr_push($l) };
  my $sends = {
    post => 1, yield => 1, call => 1, delay_set => 1, delay => 1, create => 1, signal => 1,
    alarm => 1, alarm_add => 1, alarm_set => 1, delay_add => 1,
  };
  if ($sends->{$op} && $n <= 0) { $line->('skipped'); return }
  if ($sweep) {
    # See sweepStates in program_test.go.
    my $other = 0;
    if ($a->{to}) {
      my ($dest) = target($a->{to}, $sender);
      $other = !(defined $dest && blessed $dest && $dest == $poe_kernel->get_active_session);
    }
    if ($other || ($op eq 'create' && $state ne '_stop')) { $line->('skipped in sweep'); return }
  }
  my $m = $n - 1;
  if ($op eq 'post') {
    my ($dest, $dn) = target($a->{to}, $sender);
    my $ok = defined $dest && $poe_kernel->post($dest, $a->{ev}, $m, $a->{lab});
    $line->("$dn $a->{ev} =", $ok ? 'ok' : errname(defined $dest ? $! : ESRCH));
  } elsif ($op eq 'yield') {
    $poe_kernel->yield($a->{ev}, $m, $a->{lab});
    $line->($a->{ev});
  } elsif ($op eq 'call') {
    my ($dest, $dn) = target($a->{to}, $sender);
    my $ret;
    if (defined $dest) {
      $! = 0;
      $ret = $poe_kernel->call($dest, $a->{ev}, $m, $a->{lab});
      $ret = errname($!) if !defined $ret && $! == ESRCH;
    } else {
      $ret = 'ESRCH';
    }
    $line->("$dn $a->{ev} =", norm($ret));
  } elsif ($op eq 'delay_set') {
    my $id = $poe_kernel->delay_set($a->{ev}, -$a->{off}, $m, $a->{lab});
    push @alarms, $id;
    push @alarmoff, -1000 * $a->{off};
    $line->("$a->{ev} -$a->{off} = #" . $#alarms);
  } elsif ($op eq 'delay_add') {
    my $r = $poe_kernel->delay_add($a->{ev}, -$a->{off}, $m, $a->{lab});
    $line->("$a->{ev} -$a->{off} =", $r ? errname($r) : 'ok');
  } elsif ($op eq 'alarm' || $op eq 'alarm_add') {
    # Due half a second off the whole seconds of the delays, so that
    # no alarm of one handler's now ties with a delay of the clock's.
    my $r = $poe_kernel->$op($a->{ev}, $now - $a->{off} - 0.5, $m, $a->{lab});
    $line->("$a->{ev} -$a->{off}.5 =", $r ? errname($r) : 'ok');
  } elsif ($op eq 'alarm_set') {
    my $id = $poe_kernel->alarm_set($a->{ev}, $now - $a->{off} - 0.5, $m, $a->{lab});
    push @alarms, $id;
    push @alarmoff, -1000 * $a->{off} - 500;
    $line->("$a->{ev} -$a->{off}.5 = #" . $#alarms);
  } elsif ($op eq 'alarm_clear') {
    my $r = $poe_kernel->alarm($a->{ev});
    $line->("$a->{ev} =", $r ? errname($r) : 'ok');
  } elsif ($op eq 'alarm_adjust' || $op eq 'delay_adjust') {
    my $i = $#alarms - $a->{i};    # the latest first
    if ($i < 0) { $line->("#$a->{i} = none"); return }
    my $off = $op eq 'alarm_adjust' ? $alarmoff[$i] + 1000 * $a->{d} : -1000 * $a->{off};
    my $by = $op eq 'alarm_adjust' ? $a->{d} : -$a->{off};
    # An alarm moved into the future would make the program wait.
    if ($off > -500) { $line->("#$i $by = future"); return }
    my $r = $poe_kernel->$op($alarms[$i], $by);
    $alarmoff[$i] = $off if defined $r;
    # delay_adjust leaves $! as it was when it fails.
    $line->("#$i $by =", defined $r ? 'ok' : $op eq 'delay_adjust' ? 'fail' : errname($!));
  } elsif ($op eq 'alarm_remove_all') {
    # Each alarm comes back as [name, time, args...].
    my @r = $poe_kernel->alarm_remove_all;
    $line->('=', map { "$_->[0] " . norm([ @$_[ 2 .. $#$_ ] ]) } @r);
  } elsif ($op eq 'detach_child') {
    my ($dest, $dn) = target($a->{to}, $sender);
    my $ok = defined $dest && $poe_kernel->detach_child($dest);
    $line->("$dn =", $ok ? 'ok' : errname(defined $dest ? $! : ESRCH));
  } elsif ($op eq 'delay') {
    my $r = $poe_kernel->delay($a->{ev}, 0, $m, $a->{lab});
    $line->("$a->{ev} =", $r ? errname($r) : 'ok');
  } elsif ($op eq 'alarm_remove') {
    my $i = $#alarms - $a->{i};    # the latest first
    if ($i < 0) { $line->("#$a->{i} = none"); return }
    my @r = $poe_kernel->alarm_remove($alarms[$i]);
    $line->("#$i =", @r ? "ok $r[0] " . norm($r[2]) : errname($!));
  } elsif ($op eq 'alias_set') {
    my $r = $poe_kernel->alias_set($a->{name});
    $line->("$a->{name} =", $r ? errname($r) : 'ok');
  } elsif ($op eq 'alias_remove') {
    my $r = $poe_kernel->alias_remove($a->{name});
    $line->("$a->{name} =", $r ? errname($r) : 'ok');
  } elsif ($op eq 'create') {
    if ($heap->{stopping} && $prog->{noStopCreate}) { $line->("$a->{type} = skipped"); return }
    if ($created >= 40) { $line->("$a->{type} = too many"); return }    # maxSessions in program_test.go
    my $s = spawn($a->{type}, $m, $a->{lab});
    $line->("$a->{type} =", norm($s));
  } elsif ($op eq 'refinc') {
    my ($dest, $dn) = target($a->{to}, $sender);
    # refcount_increment takes a session ID: an alias is resolved first.
    # The kernel is left alone, as nothing would give its reference back.
    if (defined $dest && !blessed $dest) { $dest = $poe_kernel->alias_resolve($dest) }
    if (defined $dest && $dest == $poe_kernel) { $line->("$dn $a->{tag} = kernel"); return }
    if ($heap->{stopping} && defined $dest && $dest != $poe_kernel->get_active_session) {
      # The __rel posted from a stopping session would be dropped with
      # its events, and the reference never given back.
      $line->("$dn $a->{tag} = skipped");
      return;
    }
    my $r = $poe_kernel->refcount_increment(defined $dest ? $dest->ID : -1, $a->{tag});
    $line->("$dn $a->{tag} =", defined $r ? $r : errname($!));
    # Every reference taken is given back by the session itself, so that
    # each program ends.
    if (defined $r) {
      $poe_kernel->post($dest, '__rel', $a->{tag});
      push @{ $heap->{held} }, [ $dest, $a->{tag} ];
    }
  } elsif ($op eq 'detach') {
    my $r = $poe_kernel->detach_myself;
    $line->('=', $r ? 'ok' : errname($!));
  } elsif ($op eq 'sig') {
    if ($a->{ev} eq '') {
      $poe_kernel->sig($a->{name});
    } elsif (defined $a->{extra}) {
      $poe_kernel->sig($a->{name}, $a->{ev}, $a->{extra});
    } else {
      $poe_kernel->sig($a->{name}, $a->{ev});
    }
    $line->("$a->{name} $a->{ev}");
  } elsif ($op eq 'sighandled') {
    $poe_kernel->sig_handled;
    $line->();
  } elsif ($op eq 'signal') {
    my ($dest, $dn) = target($a->{to}, $sender);
    # See killsKernel in program_test.go: only PING and PONG.
    if (defined $dest && blessed $dest && $dest == $poe_kernel && $a->{name} !~ /^(PING|PONG)$/) {
      $line->("$dn $a->{name} = skipped");
      return;
    }
    my $ok = defined $dest && $poe_kernel->signal($dest, $a->{name}, $m, $a->{lab});
    $line->("$dn $a->{name} =", $ok ? 'ok' : errname(defined $dest ? $! : ESRCH));
  } else {
    die "unknown op $op";
  }
}

# budget returns the budget of an event: its first number argument, or
# for POE's own events one less than what the session had left.
sub budget {
  my ($heap, $state, $args) = @_;
  if ($state =~ /^_(stop|child|parent|default)$/) { return --$heap->{n} }
  for (@$args) { return $_ if defined && !ref && looks_like_number($_) }
  return 0;
}

# release gives back, at the end of a session's _stop, the references it
# took from other sessions whose __rel is still queued: a signal that
# stops a session (KILL, UIDESTROY) drops the events it sent, and the
# program would never end.
sub release {
  my $heap = shift;
  my @list = @{ delete $heap->{held} || [] };    # __rel must not strike them off again
  for my $x (@list) {
    $poe_kernel->call($x->[0], '__rel', $x->[1]) unless $x->[0] == $poe_kernel->get_active_session;
  }
}

sub handler {
  my ($type, $state) = @_;
  return sub {
    my $now = Time::HiRes::time();    # once a handler: the alarms' now
    my ($heap, $sender) = @_[HEAP, SENDER];
    my @args = @_[ARG0 .. $#_];
    if ($state eq '_start') {
      $heap->{name} = "$type." . $created++;
      $heap->{n}    = $args[0];
      push @registry, $_[SESSION];
    }
    my $me = $heap->{name};
    if ($state eq '__rel') {
      my $r = $poe_kernel->refcount_decrement($_[SESSION]->ID, $args[0]);
      tr_push("$me __rel <- " . norm($sender) . " $args[0] = " . (defined $r ? $r : errname($!)));
      my $sh = blessed $sender && $sender != $poe_kernel ? $sender->get_heap : undef;
      if (ref $sh eq 'HASH' && $sh->{held}) {
        for my $i (0 .. $#{ $sh->{held} }) {
          my $x = $sh->{held}[$i];
          next unless $x->[0] == $_[SESSION] && $x->[1] eq $args[0];
          splice @{ $sh->{held} }, $i, 1;
          last;
        }
      }
      return;
    }
    $heap->{stopping} ||= $state eq '_stop';
    tr_push("$me $state <- " . norm($sender) . ': ' . join(' ', map { norm($_) } @args));
    my $def = $prog->{types}{$type}{states}{$state};
    my $n = budget($heap, $state, \@args);
    my $sweeping = $state =~ /^_(stop|child|parent)$/;
    $sweep++ if $sweeping;
    act($heap, $state, $_, $n, $sender, $now) for @{ $def->{do} || [] };
    $sweep-- if $sweeping;
    release($heap) if $state eq '_stop';
    return $def->{ret};
  };
}

sub spawn {
  my ($type, $n, $lab) = @_;
  my %states;
  for my $state (keys %{ $prog->{types}{$type}{states} }) {
    $states{$state} = handler($type, $state);
  }
  $states{$_} = handler($type, $_) for qw(__rel);
  return POE::Session->create(inline_states => \%states, args => [ $n, $lab ], heap => {});
}

my $json = JSON::PP->new;
POE::Kernel->run;    # once with no session, so POE does not warn that run was never called
while (my $line = <STDIN>) {
  next unless $line =~ /\S/;
  $prog = $json->decode($line);
  @trace = @registry = @alarms = @alarmoff = ();
  $created = $sweep = 0;
  for my $root (@{ $prog->{roots} }) {
    spawn($root->{type}, $root->{n}, $root->{lab});
  }
  POE::Kernel->run;
  @registry = ();
  print "$_\n" for @trace;
  print "END\n";
}

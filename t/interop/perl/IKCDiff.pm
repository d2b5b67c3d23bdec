# Shared by ikc-diff-server.pl and ikc-diff-client.pl, the Perl halves of
# the randomized differential test (ikc_differential_test.go). It turns the
# scenario's tagged values into Perl data, dumps received data in the one
# canonical form the Go halves print too, and holds the behaviour of the
# scenario's server states, chosen by the prefix of the state's name.
package IKCDiff;
use strict;
use warnings;
use B ();
use Scalar::Util qw(blessed reftype);
use JSON::PP ();
use POE;

our $YIELDS = 8;    # local generations a barrier lets run before going on

$| = 1;

sub json { JSON::PP->new->utf8->canonical }

# command_reader reads the test's commands, a line each, from standard
# input into the calling session's "command" state, and exits when the
# test closes it.
sub command_reader {
    require POE::Wheel::ReadWrite;
    require POE::Filter::Line;
    open my $null, '>', '/dev/null' or die $!;
    return POE::Wheel::ReadWrite->new(
        InputHandle => \*STDIN, OutputHandle => $null,
        Filter => POE::Filter::Line->new(Literal => "\n"),
        InputEvent => 'command', ErrorEvent => 'stdin_gone');
}

# build turns a tagged value of the scenario into Perl data:
#   ["u"] undef, ["i","-5"] an integer, ["f","2.5"] a number,
#   ["s",HEX] a character string (HEX is its UTF-8), ["b",HEX] a byte
#   string, ["a",[...]] an array, ["h",[[HEXKEY,v]...]] a hash,
#   ["o",CLASS,v] a blessed array or hash, ["r",v] a reference to a scalar.
sub build {
    my ($t) = @_;
    my $k = $t->[0];
    return undef if $k eq 'u';
    return 0 + $t->[1] if $k eq 'i';
    return 0 + $t->[1] if $k eq 'f';
    if ($k eq 's') {
        my $s = pack 'H*', $t->[1];
        utf8::decode($s);
        return $s;
    }
    return pack('H*', $t->[1]) if $k eq 'b';
    return [ map { build($_) } @{ $t->[1] } ] if $k eq 'a';
    if ($k eq 'h') {
        my %h;
        for my $kv (@{ $t->[1] }) {
            my $key = pack 'H*', $kv->[0];
            utf8::decode($key);
            $h{$key} = build($kv->[1]);
        }
        return \%h;
    }
    return bless build($t->[2]), $t->[1] if $k eq 'o';
    if ($k eq 'r') {
        my $x = build($t->[1]);
        return \$x;
    }
    die "unknown tag $k";
}

sub octets {
    my ($s) = @_;
    utf8::encode($s) if utf8::is_utf8($s);
    return $s;
}

sub quote {
    my $b = octets($_[0]);
    $b =~ s/([^\x20-\x21\x23-\x5b\x5d-\x7e])/sprintf '\\x%02x', ord $1/ge;
    return qq("$b");
}

# dumpv is the canonical form of a value: u, i<n>, n<text>, s"<octets>"
# (the UTF-8 of a character string, the bytes of a byte string, so that
# it is what a Go peer holds), [..], {"k":v,..} with keys sorted by their
# octets, CLASS=<inner> for an object, \<inner> for a scalar reference.
sub dumpv {
    my ($v) = @_;
    return 'u' unless defined $v;
    if (ref $v) {
        my $cls = blessed $v;
        my $t = reftype $v;
        my $in;
        if ($t eq 'ARRAY') {
            $in = '[' . join(',', map { dumpv($_) } @$v) . ']';
        } elsif ($t eq 'HASH') {
            $in = '{' . join(',', map { quote($_) . ':' . dumpv($v->{$_}) }
                                  sort { octets($a) cmp octets($b) } keys %$v) . '}';
        } elsif ($t eq 'SCALAR' or $t eq 'REF') {
            $in = '\\' . dumpv($$v);
        } else {
            $in = "?$t";
        }
        return defined $cls ? "$cls=$in" : $in;
    }
    my $f = B::svref_2object(\$v)->FLAGS;
    return 's' . quote($v) if $f & B::SVf_POK;
    return "i$v" if $f & B::SVf_IOK;
    return "n$v" if $f & B::SVf_NOK;
    return 's' . quote("$v");
}

sub dumpargs { join ' ', map { dumpv($_) } @_ }

sub trace { print 'T ', join(' ', @_), "\n" }

# monitor_states are the states a session needs to trace monitor
# callbacks; each prints MON <type> name=ARG0 k=ARG1 real=ARG2 data=ARG3
# and the event's own arguments (a channel's session ID is left out).
sub monitor_states {
    my %s;
    for my $type (qw(register unregister subscribe unsubscribe error channel shutdown)) {
        $s{"m_$type"} = sub {
            my @a = @_[ARG0 .. $#_];
            my @rest = @a[4 .. $#a];
            @rest = ($rest[0]) if $type eq 'channel';
            trace("MON $type name=$a[0] k=" . (defined $a[1] ? $a[1] : 'u') .
                  ' real=' . ($a[2] ? 1 : 0) . ' data=' . dumpv($a[3]) .
                  ' rest=' . dumpargs(@rest));
        };
    }
    return %s;
}

# server_state is the handler of a scenario state, by its name's prefix:
#   rec*  trace; answer nothing
#   ans*  trace; answer [alias, state, number of arguments, ARG0]
#   none* trace; answer nothing (a call gets no reply)
#   back* trace; post cb to SENDER with (back, alias, state, ARGs);
#         answer "ok <state>"
sub server_state {
    my ($alias, $state) = @_;
    return sub {
        my ($kernel, $sender, @args) = @_[KERNEL, SENDER, ARG0 .. $#_];
        trace("H $alias/$state n=" . scalar(@args) . ' args=' . dumpargs(@args));
        return [ $alias, $state, scalar(@args), $args[0] ] if $state =~ /^ans/;
        if ($state =~ /^back/) {
            $kernel->post($sender, cb => 'back', $alias, $state, @args);
            return "ok $state";
        }
        return;
    };
}

1;

#!/usr/bin/perl
# Serves the randomized differential test: reads one case a line as JSON
# ({"filter": spec, "ops": [op, ...]}), runs it through POE's own filters
# and answers one line of JSON, a result for each op. Octets travel as hex.
#
# Records are encoded as: a hex string (octets), an array (a RecordBlock
# block), {"s": hex} (a reference, as its canonical nfreeze image). Events
# are records, {"e": kind} where a filter died and {"w": text} where it
# warned. The Go side builds the same results from the Go filters.
use strict;
use warnings;
use JSON::PP;
use Storable qw(nfreeze thaw);
use Compress::Zlib qw(uncompress);
use POE::Filter::Line;
use POE::Filter::Block;
use POE::Filter::RecordBlock;
use POE::Filter::Stream;
use POE::Filter::Grep;
use POE::Filter::Map;
use POE::Filter::Stackable;
use POE::Filter::Reference;

binmode STDIN;
binmode STDOUT;
$| = 1;
$Storable::canonical = 1;
my $json = JSON::PP->new->canonical;

# The Grep and Map functions, by name; the Go side has the same ones.
my %grep = (
  even   => sub { length($_[0]) % 2 == 0 },
  nohash => sub { $_[0] !~ /^#/ },
  short  => sub { length($_[0]) < 6 },
);
my %map = (
  upper   => sub { (my $s = $_[0]) =~ tr/a-z/A-Z/; $s },
  reverse => sub { scalar reverse $_[0] },
  twice   => sub { ($_[0], $_[0]) },
  wrap    => sub { "<$_[0]>" },
);

sub unhex { pack 'H*', $_[0] }
sub tohex { unpack 'H*', $_[0] }

sub make {
  my ($s) = @_;
  my $t = $s->{type};
  if ($t eq 'Line') {
    my %o;
    for (qw(Literal InputLiteral OutputLiteral)) {
      $o{$_} = unhex($s->{$_}) if defined $s->{$_};
    }
    $o{InputLiteral} = undef if $s->{Autodetect};
    $o{InputRegexp}  = qr/$s->{InputRegexp}/ if defined $s->{InputRegexp};
    for (qw(MaxLength MaxBuffer)) { $o{$_} = $s->{$_} if $s->{$_} }
    return POE::Filter::Line->new(%o);
  }
  if ($t eq 'Block') {
    my %o;
    for (qw(BlockSize MaxLength MaxBuffer)) { $o{$_} = $s->{$_} if $s->{$_} }
    return POE::Filter::Block->new(%o);
  }
  if ($t eq 'RecordBlock') {
    return POE::Filter::RecordBlock->new(BlockSize => $s->{BlockSize}, CheckPut => $s->{CheckPut} ? 1 : 0);
  }
  return POE::Filter::Stream->new() if $t eq 'Stream';
  if ($t eq 'Grep' or $t eq 'Map') {
    my $fns = $t eq 'Grep' ? \%grep : \%map;
    my %o = map { defined $s->{$_} ? ($_ => $fns->{ $s->{$_} }) : () } qw(Code Get Put);
    return "POE::Filter::$t"->new(%o);
  }
  if ($t eq 'Stackable') {
    return POE::Filter::Stackable->new(Filters => [ map { make($_) } @{ $s->{Filters} } ]);
  }
  if ($t eq 'Reference') {
    my %o = (Serializer => 'Storable');
    $o{Compression} = 1 if $s->{Compression};
    $o{NoFatals}    = 1 if $s->{NoFatals};
    $o{MaxBuffer}   = $s->{MaxBuffer} if $s->{MaxBuffer};
    return POE::Filter::Reference->new(%o);
  }
  die "unknown filter type $t\n";
}

sub kind {
  my ($msg) = @_;
  return 'buffer'       if $msg =~ /^Framing buffer exceeds the limit/;
  return 'line-length'  if $msg =~ /^Next line exceeds maximum line length/;
  return 'block-length' if $msg =~ /^Expected size of next block exceeds the limit/;
  return "other: $msg";
}

# enc encodes a record that came out of the filter. $ref says the top
# filter is a Reference, whose records are references, or with NoFatals
# error strings; Storable's thaw returns undef for a truncated image
# instead of dying, which is a thaw failure all the same.
sub enc {
  my ($r, $ref) = @_;
  if ($ref) {
    return { e => 'serializer' } unless defined $r;
    return { s => tohex(nfreeze($r)) } if ref $r;
    return { e => ($r =~ /^Framing buffer exceeds the limit/ ? 'buffer' : 'serializer') };
  }
  return [ map { enc($_, 0) } @$r ] if ref $r eq 'ARRAY';
  return tohex($r);
}

sub dec {
  my ($r) = @_;
  return [ map { dec($_) } @$r ] if ref $r eq 'ARRAY';
  return thaw(unhex($r->{s})) if ref $r eq 'HASH';
  return unhex($r);
}

# get_pending, except that a Block whose length header is already read
# has the header put back in front of the partial block, as the Go filter
# does so that the pending octets can be read again; POE's get_pending
# loses the header.
sub get_pending {
  my ($f) = @_;
  my $p = $f->get_pending;
  if ($f->isa('POE::Filter::Block') and defined $f->[2]) {
    $p = [ (0 + $f->[2]) . "\0" . join '', @{ $p || [] } ];
  }
  return $p;
}

sub pending {
  my ($f) = @_;
  my $p = get_pending($f);
  return undef unless defined $p;
  return [ map { enc($_, 0) } @$p ];
}

# run executes one case.
sub run {
  my ($case) = @_;
  my $spec = $case->{filter};
  my $f = make($spec);
  my $ref = $spec->{type} eq 'Reference';
  my $drop = 0;  # records POE delivers after an error it already raised
  my @results;

  my $error = sub {
    my ($msg, $ev, $where) = @_;
    my $k = $ref && $msg !~ /^Framing buffer/ ? 'serializer' : kind($msg);
    push @$ev, { e => $k };
    # POE::Filter::Block dies on an oversized length and then returns the
    # block anyway once it has arrived; the Go filter drops it, as its
    # documentation says. Drop it here too.
    $drop++ if $k eq 'block-length';
    # POE::Filter::Reference without NoFatals dies in get_one_start and
    # then also returns the message as a record from the next get_one,
    # one error reported twice. Drop the second report.
    $drop++ if $ref && $k eq 'buffer' && $where eq 'start';
  };

  # drain calls get_one until it returns nothing, as a wheel does. A die
  # is an event and the draining goes on. POE::Filter::Block returns
  # nothing from the get_one that removed strange bytes, even when a whole
  # block follows them; a warning therefore does not end the draining.
  my $drain = sub {
    my ($ev) = @_;
    for (my $guard = 0; $guard < 100000; $guard++) {
      my @w;
      local $SIG{__WARN__} = sub { push @w, $_[0] };
      my $r = eval { $f->get_one };
      for (@w) {
        push @$ev, { w => $1 } if /^(\d+ strange bytes removed from stream)/;
      }
      unless (defined $r) { $error->($@, $ev, 'get_one'); next }
      if (@$r) {
        for (@$r) {
          if ($drop) { $drop--; next }
          push @$ev, enc($_, $ref);
        }
        next;
      }
      last unless @w;
    }
  };

  for my $op (@{ $case->{ops} }) {
    my $o = $op->{op};
    if ($o eq 'start') {
      my @ev;
      unless (eval { $f->get_one_start([ unhex($op->{data} // '') ]); 1 }) {
        $error->($@, \@ev, 'start');
      }
      $drain->(\@ev);
      push @results, \@ev;
    }
    elsif ($o eq 'get') {
      my $r = eval { $f->get([ unhex($op->{data} // '') ]) };
      push @results, defined $r ? [ map { enc($_, $ref) } @$r ] : [ { e => kind($@) } ];
    }
    elsif ($o eq 'pending') {
      if ($spec->{type} eq 'Stackable') {
        # Each layer's own pending input, and the stack's as the Go filter
        # defines it: what waits in a layer is put back down through the
        # layers below it, and comes before their own pending input. (POE's
        # own get_pending reports only the top layer's.)
        my @layers = $f->filters;
        my @carry;
        for my $l (reverse @layers) {
          @carry = @{ $l->put([@carry]) } if @carry;
          my $p = get_pending($l);
          push @carry, @$p if $p;
        }
        push @results, {
          layers => [ map { pending($_) } @layers ],
          wire   => tohex(join '', @carry),
        };
      }
      else {
        push @results, pending($f);
      }
    }
    elsif ($o eq 'put') {
      my $out = $f->put([ map { dec($_) } @{ $op->{records} } ]);
      if ($ref) {
        # Frames one by one, the payload inflated when compressed: zlib
        # implementations need not write the same deflate stream.
        push @results, [ map {
          my ($n, $payload) = /^(\d+)\0(.*)$/s or die "bad frame\n";
          die "frame length $n for " . length($payload) . " octets\n" if $n != length $payload;
          tohex($spec->{Compression} ? uncompress($payload) : $payload);
        } @$out ];
      }
      elsif ($spec->{type} =~ /^(?:RecordBlock|Grep|Map)$/) {
        push @results, [ map { enc($_, 0) } @$out ];
      }
      else {
        push @results, tohex(join '', @$out);
      }
    }
    elsif ($o eq 'putpending') {
      my $p = $f->put_pending;
      push @results, defined $p ? [ map { enc($_, 0) } @$p ] : undef;
    }
    elsif ($o eq 'pop' or $o eq 'shift') {
      # Only when the layer removed has no pending input: POE puts that
      # input through the put of a neighbouring layer and drops the
      # result, where the Go filter keeps it.
      my @layers = $f->filters;
      my $l = $o eq 'pop' ? $layers[-1] : $layers[0];
      my $do = @layers > 1 && !defined get_pending($l);
      if ($do) { $o eq 'pop' ? $f->pop : $f->shift }
      push @results, $do ? JSON::PP::true : JSON::PP::false;
    }
    elsif ($o eq 'modify') {
      my $fns = $spec->{type} eq 'Grep' ? \%grep : \%map;
      $f->modify(map { defined $op->{filter}{$_} ? ($_ => $fns->{ $op->{filter}{$_} }) : () } qw(Code Get Put));
      push @results, undef;
    }
    elsif ($o eq 'clone') {
      $f = $f->clone;
      push @results, undef;
    }
    elsif ($o eq 'blocksize') {
      push @results, $f->blocksize($op->{n});
    }
    elsif ($o eq 'checkput') {
      push @results, $f->checkput($op->{on} ? 1 : 0) ? JSON::PP::true : JSON::PP::false;
    }
    elsif ($o eq 'push') {
      $f->push(make($op->{filter}));
      push @results, undef;
    }
    elsif ($o eq 'unshift') {
      $f->unshift(make($op->{filter}));
      push @results, undef;
    }
    else {
      die "unknown op $o\n";
    }
  }
  return \@results;
}

while (my $line = <STDIN>) {
  my $case = $json->decode($line);
  my $res = eval { run($case) };
  print $json->encode(defined $res ? { ok => $res } : { fatal => "$@" }), "\n";
}

#!/usr/bin/perl
# Reads records framed by the Go filters on STDIN, decodes them with POE's
# own filters, and answers on STDOUT by framing what it read again:
#   line          each line L comes back as the line "perl:L"
#   reference     each reference R comes back as { got => R, n => index }
#   reference-z   the same with Compression => 1
use strict;
use warnings;
use POE::Filter::Line;
use POE::Filter::Reference;

binmode STDIN;
binmode STDOUT;
my $mode = shift @ARGV or die "usage: $0 line|reference|reference-z\n";

my $filter =
    $mode eq 'line'        ? POE::Filter::Line->new()
  : $mode eq 'reference'   ? POE::Filter::Reference->new(Serializer => 'Storable')
  : $mode eq 'reference-z' ? POE::Filter::Reference->new(Serializer => 'Storable', Compression => 1)
  : die "unknown mode $mode\n";

# Feed frames in small pieces so POE's own buffering is exercised. Lines go
# in whole: POE::Filter::Line reads a CR LF split between pieces as two
# terminators, which would add empty lines.
my $input = do { local $/; <STDIN> };
my $size = $mode eq 'line' ? length($input) : 7;
my @records;
while (length $input) {
  my $piece = substr($input, 0, $size, '');
  $filter->get_one_start([$piece]);
  while (1) {
    my $next = $filter->get_one();
    last unless @$next;
    push @records, @$next;
  }
}

my $n = 0;
my @answer = $mode eq 'line'
  ? map { "perl:$_" } @records
  : map { { got => $_, n => $n++ } } @records;
print @{ $filter->put(\@answer) };

#!/usr/bin/perl
# normalize.pl — an iex transcript (a tmux pane's text) made comparable:
# pids become <P1>, <P2>... in order of first appearance (so "the same pid
# again" is still checked), funs lose their hashes, banners, blank lines and
# stacktrace lines (4-space indented) go, and trailing spaces are cut.
# The lines one input prints are sorted: whether a spawned process's output
# or the shell's result comes first is a race, in iex as in tapa-iex (both
# orders were seen in each), so only what is printed is compared, not that
# order.
use strict;
use warnings;
my (%pid, $n, $seen_prompt, @block);
sub flush_block { print "$_\n" for sort @block; @block = (); }
while (my $l = <>) {
    $l =~ s/\s+$//;
    $seen_prompt ||= $l =~ /^(iex|\.\.\.)\(/;
    next unless $seen_prompt;
    next if $l eq '' || $l =~ /^Interactive / || $l =~ /^    /;
    $l =~ s{<(\d+)\.(\d+)\.(\d+)>}{'<P' . ($pid{"$1.$2.$3"} //= ++$n) . '>'}ge;
    $l =~ s/#Function<[^>]*>/#Function<F>/g;
    $l =~ s/^(iex|\.\.\.)\(\d+\)> $/$1(N)>/;
    if ($l =~ /^(iex|\.\.\.)\(/) { flush_block(); print "$l\n"; } else { push @block, $l; }
}
flush_block();

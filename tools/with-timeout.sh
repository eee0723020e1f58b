#!/bin/sh
# with-timeout.sh SECONDS CMD [ARGS...] — runs CMD and stops it after SECONDS,
# with exit status 124 then, as GNU timeout does. GNU timeout (or gtimeout,
# Homebrew's coreutils) is used where it is; elsewhere (macOS, BSD) perl,
# which every macOS has. Either way TERM first, KILL 5 s later, and the same
# shape: this script's pid is the watcher and CMD is its child (scripts that
# run it in the background stop both with `pgrep -P`). A signal that kills
# CMD gives 128+signal; a CMD that cannot be run gives 127.
# TAPA_PORTABLE_TIMEOUT=1 uses the perl watcher even where GNU timeout is
# (its test: tests/tools/with-timeout-test.sh).
secs=${1:?usage: with-timeout.sh SECONDS CMD [ARGS...]}
shift
if [ -z "${TAPA_PORTABLE_TIMEOUT:-}" ]; then
    for t in timeout gtimeout; do
        if command -v "$t" >/dev/null 2>&1 && "$t" --version 2>/dev/null | grep -q GNU; then
            exec "$t" --kill-after=5 "$secs" "$@"
        fi
    done
fi
exec perl -e '
use POSIX ();
my $secs = shift;
$secs =~ s/s$//; # GNU timeout accepts "30s"
$secs =~ /^[0-9]+(\.[0-9]+)?$/ or die "with-timeout: \"$secs\" is not a number of seconds\n";
my $pid = fork;
defined $pid or die "with-timeout: cannot fork: $!\n";
if (!$pid) {
    exec { $ARGV[0] } @ARGV;
    print STDERR "with-timeout: cannot run $ARGV[0]: $!\n";
    POSIX::_exit(127);
}
my $timed_out = 0;
$SIG{ALRM} = sub {
    $timed_out = 1;
    kill "TERM", $pid;
    $SIG{ALRM} = sub { kill "KILL", $pid };
    alarm 5;
};
$SIG{$_} = eval "sub { kill \"$_\", \$pid }" for qw(TERM INT HUP);
my $whole = int($secs) + ($secs > int($secs) ? 1 : 0);
alarm $whole if $whole > 0; # 0: no limit, as GNU timeout
1 while waitpid($pid, 0) == -1 && $!{EINTR};
exit 124 if $timed_out && ($? & 127) != 9; # as GNU: 128+9 when KILL was needed
exit 128 + ($? & 127) if $? & 127;
exit $? >> 8;
' "$secs" "$@"

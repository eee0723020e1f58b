#!/bin/sh
# with-timeout.sh SECONDS CMD [ARGS...] — runs CMD and stops it after SECONDS,
# with exit status 124 then, as GNU timeout does. GNU timeout (or gtimeout,
# Homebrew's coreutils) is used where it is; elsewhere (macOS, BSD) perl's
# alarm, which every macOS has. TERM first, KILL 5 s later with GNU timeout.
secs=${1:?usage: with-timeout.sh SECONDS CMD [ARGS...]}
shift
for t in timeout gtimeout; do
    if command -v "$t" >/dev/null 2>&1 && "$t" --version 2>/dev/null | grep -q GNU; then
        exec "$t" --kill-after=5 "$secs" "$@"
    fi
done
perl -e '$SIG{ALRM} = "DEFAULT"; alarm shift; exec @ARGV or die "with-timeout: cannot run $ARGV[0]: $!\n"' \
    "$secs" "$@"
rc=$?
[ $rc = 142 ] && exit 124 # killed by SIGALRM
exit $rc

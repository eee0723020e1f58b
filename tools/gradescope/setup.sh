#!/bin/sh
# setup.sh — Gradescope runs this once, as root, on its Ubuntu image, with
# the autograder's files in $AUTOGRADER_ROOT/source (/autograder/source):
# it installs the kit's dependencies and builds the runtime and the grader.
# AUTOGRADER_ROOT stands in for /autograder (make check-gradescope).
set -eu
root=${AUTOGRADER_ROOT:-/autograder}
cd "$root/source"
sh tools/setup-deps.sh
make -s lib tools
echo "setup.sh: the kit is built in $root/source (grader: build/bin/tapa-grade)"

# mk/portable.mk — issue 8's "scripts use only POSIX tools or the kit's own;
# no Linux-only calls outside guarded code", checked in make test: the kit's
# timeout wrapper behaves as GNU timeout (also its perl fallback, macOS's),
# and no script or C file uses a GNU- or Linux-only tool or call.
.PHONY: test-portable
test-portable:
	@tests/tools/portable-lint.sh
	@tests/tools/with-timeout-test.sh 2>/dev/null

EXTRA_TESTS += test-portable

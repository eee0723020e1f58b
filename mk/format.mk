# mk/format.mk — one style for the kit's C (.clang-format, clang-format 14).
#
#   make format         formats every tracked C file and the lessons' C blocks
#                       in place (tools/check-format.sh --fix; run twice, the
#                       second run changes nothing)
#   make check-format   fails, naming the files and `make format`, when one is
#                       not formatted (in make test; SKIPPED without
#                       clang-format 14); tests/tools/check-format-test.sh
#                       first checks the checker on a small kit of its own

.PHONY: format check-format
format:
	@tools/check-format.sh --fix
check-format:
	@tests/tools/check-format-test.sh
	@tools/check-format.sh
EXTRA_TESTS += check-format

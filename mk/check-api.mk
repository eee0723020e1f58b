# mk/check-api.mk — the mistakes a C learner makes with tapa.h stay compile
# errors (issue 12 item 1). -included by the top Makefile.
#
#   make check-api    every tests/api/compile-fail/*.c fails to compile with
#                     gcc and with clang under LEARNER_CFLAGS, with the
#                     diagnostic its comment names at its marked line, and
#                     tests/api/compile-pass/control.c compiles cleanly, links
#                     and runs (in make test)
#   make check-api API_INCLUDE=DIR   the same against another tapa.h (e.g. an
#                     older kit's runtime/include: it must fail)
#                     The grader's "What it means:" line under each error
#                     (tools/grade/compile_hint.c) must name the mistake too.
API_INCLUDE ?= runtime/include
HINT_DRIVER := $(BUILD)/api/hint-driver
$(HINT_DRIVER): tests/api/hint-driver.c tools/grade/compile_hint.c tools/grade/compile_hint.h
	@mkdir -p $(@D)
	$(call say,LINK,$@)$(CC) $(BASE_CFLAGS) -O1 -Itools/grade tests/api/hint-driver.c tools/grade/compile_hint.c -o $@
.PHONY: check-api
check-api: lib $(HINT_DRIVER)
	@HINT_DRIVER=$(HINT_DRIVER) tests/api/check-api.sh $(API_INCLUDE) $(BUILD)/release/lib/libtapa.a \
	  "$(if $(LTO),-fno-lto) $(LIBS)" -std=c11 -D_GNU_SOURCE $(UV_CFLAGS) $(WARN) $(LEARNER_CFLAGS) -O1

EXTRA_TESTS += check-api

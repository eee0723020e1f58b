# Tapas in C — the kit's build. `make` sets up and opens the course,
# `make test` runs everything. Builds go to build/ (one folder per variant).

.DEFAULT_GOAL := course
SHELL := /bin/bash

CC ?= cc
PREFIX ?= /usr/local
BUILD := build
# pkg-config finds Homebrew's libraries on macOS (OpenSSL is keg-only there:
# tools/setup-deps.sh puts its pkgconfig folder on PKG_CONFIG_PATH).
PKG_CONFIG ?= pkg-config
ifeq ($(shell uname -s),Darwin)
BREW_OPENSSL_PC := $(firstword $(wildcard /opt/homebrew/opt/openssl@3/lib/pkgconfig /usr/local/opt/openssl@3/lib/pkgconfig))
ifneq ($(BREW_OPENSSL_PC),)
export PKG_CONFIG_PATH := $(BREW_OPENSSL_PC)$(if $(PKG_CONFIG_PATH),:$(PKG_CONFIG_PATH))
endif
endif
UV_CFLAGS := $(shell $(PKG_CONFIG) --cflags libuv 2>/dev/null) \
             $(shell $(PKG_CONFIG) --cflags-only-I libcrypto cmocka 2>/dev/null)
UV_LIBS := $(shell $(PKG_CONFIG) --libs libuv 2>/dev/null || echo -luv)
CRYPTO_LIBS := $(shell $(PKG_CONFIG) --libs libcrypto 2>/dev/null || echo -lcrypto)
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)
WARN := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes
# What learners' code is compiled with (plus LEARNER_CFLAGS below).
LEARNER_BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -Iruntime/include $(UV_CFLAGS) $(WARN)
# The kit's own code (runtime, tests, tools) also sees the internal headers,
# and runtime/internal_names.h renames every internal global to tapa_i_*
# (tools/internal-names.sh), so the library defines tapa_ names only.
INTERNAL_NAMES := runtime/internal_names.h
BASE_CFLAGS := $(LEARNER_BASE_CFLAGS) -Iruntime -include $(INTERNAL_NAMES)
LIBS := $(UV_LIBS) $(CRYPTO_LIBS) -lz -lm -lpthread
# The library's own sources: tapa.h's nonnull attributes on term arguments
# are for callers; inside, they would let the compiler drop the runtime's
# own TAPA_NONE checks.
LIB_CFLAGS := -DTAPA_BUILDING_LIBRARY

# Objects remember the compiler: another CC (make CC=clang) rebuilds them.
CC_STAMP := $(BUILD)/.cc
$(shell mkdir -p $(BUILD) && { [ "$$(cat $(CC_STAMP) 2>/dev/null)" = "$(CC)" ] || echo "$(CC)" > $(CC_STAMP); })

# What the compiler targets and supports (tools/toolchain.sh, cached per CC):
# TAPA_TARGET, CTX_ARCH (which context switch), AR, NM and OBJCOPY (the
# binutils matching CC), LTO and LTO_RLINK. An unsupported target stops here
# with one line.
empty :=
space := $(empty) $(empty)
TOOLCHAIN_MK := $(BUILD)/toolchain/$(subst /,_,$(subst $(space),_,$(CC))).mk
include $(TOOLCHAIN_MK)
$(TOOLCHAIN_MK): tools/toolchain.sh
	@mkdir -p $(@D) && tools/toolchain.sh "$(CC)" > $@.tmp && mv $@.tmp $@

# Variants: release (copy stacks, fast), asan (AddressSanitizer+UBSan, one
# stack per process so the sanitizers can follow switches), debug (for
# valgrind, one stack per process as well).
# Link-time optimisation lets send, receive and the switch inline across
# files, and into a program's own loops when it links with -flto (make
# bench: ring 20 -> 30 M msg/s); fat objects keep libtapa.a usable by
# programs built without it (learners' exercises, make install). Where the
# toolchain cannot do that end to end (clang 14), LTO is off (LTO_NOTE).
release_CFLAGS := -O2 -g $(LTO)
# Tests and tools link the plain code of the fat objects: an LTO link of
# each program costs ~3 s of CPU; make bench links with LTO.
release_LINKFLAGS := -fno-lto
# (not nonnull-attribute: tapa.h marks term parameters nonnull for the
# compiler's warning, and the runtime itself stops a process given TAPA_NONE
# with :badarg and what to write; UBSan would abort before it could say so)
asan_CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
               -fno-sanitize=nonnull-attribute \
               -fno-sanitize-recover=undefined -DTAPA_DEDICATED_STACKS
asan_LDFLAGS := -fsanitize=address,undefined -fno-sanitize=nonnull-attribute
debug_CFLAGS := -O0 -g -DTAPA_DEDICATED_STACKS -DTAPA_VALGRIND

# Learners' code is compiled with these, wherever it is built: make NN,
# make grade / grade-all / check-course (the grader), make iex STEP=NN, the
# lessons' code blocks, the editor's compile_commands.json and pkg-config's
# libtapa.pc. A C integer, a C string or 0 where a term belongs, a printf
# argument that does not fit its format (%pT takes a term) and a misspelt
# function are errors a learner cannot scroll past, not warnings
# (issue 12; make check-api proves each with gcc and clang).
LEARNER_CFLAGS := -Werror=int-conversion -Werror=incompatible-pointer-types -Werror=format \
                  -Werror=nonnull -Werror=implicit-function-declaration

# cmocka is needed by the unit tests only: without it the rest is built and
# the tests say SKIPPED (tools/setup-deps.sh says what to install).
HAVE_CMOCKA ?= $(shell printf '\043include <stdarg.h>\n\043include <stddef.h>\n\043include <setjmp.h>\n\043include <cmocka.h>\n' \
                 | $(CC) $(UV_CFLAGS) -E -x c - >/dev/null 2>&1 && echo yes)
NO_CMOCKA = echo "$(1): SKIPPED: cmocka is not installed (apt-get install libcmocka-dev; brew install cmocka)"

# libtapa.a, what learners and users link, is an archive of the runtime's
# objects, whose globals are all tapa_* (tapa_i_* for the internals, by
# runtime/internal_names.h), so a program may define its own utf8_decode or
# flush, and a program built with -flto still gets the API inlined into its
# loops (a partial link that hid the internals cost ring 30 -> 23 M msg/s).
# libtapa-internal.a is the same archive, the name the kit's own tests and
# tools link when they call internals. libtapa-iex.a (mk/iex.mk) is one
# partially linked object (tools/link-api.sh), for make iex STEP=NN.
LINK_API_ENV = CC="$(CC)" NM="$(NM)" OBJCOPY="$(OBJCOPY)" TAPA_TARGET="$(TAPA_TARGET)"
LINK_API = $(LINK_API_ENV) LTO_RLINK="$(if $(LTO),$(LTO_RLINK))" tools/link-api.sh

# The kit's programs that use tapa.h only link libtapa.a, so the semantics
# suite (also under ASan and valgrind), tapa-node and the interop drivers
# run on the object learners get; the others call internals (lib_for NAME).
API_PROGRAMS := test_process test_semantics test_tapa_messages tapa-node dist_driver dist_burst dist_noblock
lib_for = $(if $(filter $(1),$(API_PROGRAMS)),libtapa.a,libtapa-internal.a)

RUNTIME_SRC := $(shell find runtime -name '*.c' | sort)
RUNTIME_ASM := runtime/sched/context_$(CTX_ARCH).S
UNIT_TESTS := $(if $(HAVE_CMOCKA),$(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c)))
TOOLS := $(patsubst tools/%.c,%,$(wildcard tools/tapa-*.c))
BENCHES := $(patsubst bench/%.c,%,$(wildcard bench/bench_*.c))

define variant
$(1)_OBJ := $$(patsubst %.c,$(BUILD)/$(1)/obj/%.o,$$(RUNTIME_SRC)) \
            $$(patsubst %.S,$(BUILD)/$(1)/obj/%.o,$$(RUNTIME_ASM))
$(BUILD)/$(1)/obj/%.o: %.c $$(wildcard runtime/include/*.h runtime/*/*.h) $(INTERNAL_NAMES) $(CC_STAMP) | $(BUILD)/.deps
	@mkdir -p $$(@D)
	$$(call say,CC,$$<)$$(CC) $$(BASE_CFLAGS) $$(LIB_CFLAGS) $$($(1)_CFLAGS) -c $$< -o $$@
$(BUILD)/$(1)/obj/%.o: %.S runtime/sched/context_asm.h $(INTERNAL_NAMES) $(CC_STAMP)
	@mkdir -p $$(@D)
	$$(call say,AS,$$<)$$(CC) $$($(1)_CFLAGS) -include $(INTERNAL_NAMES) -c $$< -o $$@
$(BUILD)/$(1)/lib/libtapa.a: $$($(1)_OBJ)
	@mkdir -p $$(@D)
	$$(call say,AR,$$@)rm -f $$@ && $(AR) rcs $$@ $$^
$(BUILD)/$(1)/lib/libtapa-internal.a: $$($(1)_OBJ)
	@mkdir -p $$(@D)
	$$(call say,AR,$$@)rm -f $$@ && $(AR) rcs $$@ $$^
$(BUILD)/$(1)/tests/%: tests/unit/%.c tests/unit/*.h $$(wildcard tests/unit/tapa_*.c) \
                      $(BUILD)/$(1)/lib/libtapa.a $(BUILD)/$(1)/lib/libtapa-internal.a
	@mkdir -p $$(@D)
	$$(call say,LINK,$$@)$$(CC) $$(BASE_CFLAGS) $$($(1)_CFLAGS) $$($(1)_LINKFLAGS) -Itests/unit $$< -o $$@ \
	  $(BUILD)/$(1)/lib/$$(call lib_for,$$*) $$($(1)_LDFLAGS) $$(LIBS) $(CMOCKA_LIBS)
$(BUILD)/$(1)/bin/%: tools/%.c $(BUILD)/$(1)/lib/libtapa.a $(BUILD)/$(1)/lib/libtapa-internal.a
	@mkdir -p $$(@D)
	$$(call say,LINK,$$@)$$(CC) $$(BASE_CFLAGS) $$($(1)_CFLAGS) $$($(1)_LINKFLAGS) $$< -o $$@ \
	  $(BUILD)/$(1)/lib/$$(call lib_for,$$*) $$($(1)_LDFLAGS) $$(LIBS)
$(1)-tests: $$(addprefix $(BUILD)/$(1)/tests/,$$(UNIT_TESTS))
endef
$(foreach v,release asan debug,$(eval $(call variant,$(v))))

# The shared library, for programs that link the runtime dynamically:
# libtapa.so (libtapa.dylib on macOS), from objects compiled -fPIC, exporting
# tapa_* only (tools/libtapa.map; ld64: an exported symbols list). With LTO
# its link optimises the library as a whole, the rest being its own.
PIC_OBJ := $(patsubst %.c,$(BUILD)/release/pic/%.o,$(RUNTIME_SRC)) \
           $(patsubst %.S,$(BUILD)/release/pic/%.o,$(RUNTIME_ASM))
$(BUILD)/release/pic/%.o: %.c $(wildcard runtime/include/*.h runtime/*/*.h) $(INTERNAL_NAMES) $(CC_STAMP) | $(BUILD)/.deps
	@mkdir -p $(@D)
	$(call say,CC,$< -fPIC)$(CC) $(BASE_CFLAGS) $(LIB_CFLAGS) $(release_CFLAGS) -fPIC -c $< -o $@
$(BUILD)/release/pic/%.o: %.S runtime/sched/context_asm.h $(INTERNAL_NAMES) $(CC_STAMP)
	@mkdir -p $(@D)
	$(call say,AS,$< -fPIC)$(CC) $(release_CFLAGS) -include $(INTERNAL_NAMES) -fPIC -c $< -o $@
ifneq ($(findstring -apple-,$(TAPA_TARGET)),)
SHLIB := $(BUILD)/release/lib/libtapa.dylib
$(SHLIB): $(PIC_OBJ)
	@mkdir -p $(@D)
	$(call say,LINK,$@)$(CC) -dynamiclib $(release_CFLAGS) -install_name @rpath/libtapa.dylib \
	  -Wl,-exported_symbol,'_tapa_*' $(PIC_OBJ) -o $@ $(LIBS)
else
SHLIB := $(BUILD)/release/lib/libtapa.so
$(SHLIB): $(PIC_OBJ) tools/libtapa.map
	@mkdir -p $(@D)
	$(call say,LINK,$@)$(CC) -shared -fPIC $(release_CFLAGS) -Wl,--version-script=tools/libtapa.map \
	  -Wl,-soname,libtapa.so.0 $(PIC_OBJ) -o $@.0 $(LIBS) && ln -sf libtapa.so.0 $@
endif

# Each part of the kit adds its own targets and tests in mk/*.mk
# (EXTRA_TESTS: run by make test; BIN_TOOLS: built by make).
EXTRA_TESTS :=
-include $(sort $(wildcard mk/*.mk))

$(BUILD)/.deps:
	@mkdir -p $(BUILD) && touch $@

.PHONY: all course setup lib tools test test-unit test-asan test-valgrind test-erl \
        fuzz bench install clean

all: lib tools release-tests compile_commands.json # (mk/editor.mk)
lib: $(BUILD)/release/lib/libtapa.a $(SHLIB)
tools: $(addprefix $(BUILD)/bin/,$(TOOLS))
.PRECIOUS: $(BUILD)/release/bin/%
$(BUILD)/bin/%: $(BUILD)/release/bin/%
	@mkdir -p $(@D) && rm -f $@ && cp $< $@

# ------------------------------------------------------------------ setup --
setup:
	@tools/setup-deps.sh

course: setup all
	@if [ -x tools/tapa-course.sh ]; then tools/tapa-course.sh; else \
	  echo "Built. Run 'make test' to check the runtime."; fi

# ------------------------------------------------------------------- test --
TEST_TIMEOUT ?= 120
test: test-unit test-asan test-valgrind test-erl fuzz-brief $(EXTRA_TESTS)
	@echo "make test: all green"

ifneq ($(HAVE_CMOCKA),)
test-unit: release-tests
	@tools/run-tests.sh release $(BUILD)/release/tests $(UNIT_TESTS)

test-asan: asan-tests
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  TAPA_SLOW=4 tools/run-tests.sh asan $(BUILD)/asan/tests $(UNIT_TESTS)

test-valgrind: debug-tests
	@TAPA_SLOW=20 TAPA_VALGRIND=1 tools/run-tests.sh valgrind $(BUILD)/debug/tests $(UNIT_TESTS)

test-erl: $(BUILD)/release/tests/test_semantics
	@tools/compare-with-erl.sh $(BUILD)/release/tests/test_semantics
else
release-tests asan-tests debug-tests test-unit test-asan test-valgrind test-erl:
	@$(call NO_CMOCKA,$@)
endif

# libFuzzer needs clang; the brief run is part of make test.
FUZZ_SECONDS ?= 10
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
$(BUILD)/fuzz/%: tests/fuzz/%.c $(RUNTIME_SRC) $(RUNTIME_ASM)
	@mkdir -p $(@D)
	$(call say,LINK,$@)clang $(BASE_CFLAGS) $(LIB_CFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined -DTAPA_DEDICATED_STACKS \
	  $< $(RUNTIME_SRC) $(RUNTIME_ASM) -o $@ $(LIBS)
# Apple's clang has no libFuzzer: there (or without clang) the brief run says SKIPPED.
FUZZ_PROBE = printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' \
  | clang -fsanitize=fuzzer -x c - -o $(BUILD)/fuzz-probe >/dev/null 2>&1
fuzz-brief:
	@mkdir -p $(BUILD); if ! { command -v clang >/dev/null && $(FUZZ_PROBE); }; then \
	  echo "fuzz: SKIPPED: no clang with libFuzzer (apt-get install clang libclang-rt-dev; on macOS: brew install llvm)"; \
	else $(MAKE) --no-print-directory $(addprefix $(BUILD)/fuzz/,$(FUZZ_TARGETS)) && \
	  tools/run-fuzz.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS); fi
fuzz: $(addprefix $(BUILD)/fuzz/,$(FUZZ_TARGETS))
	@tools/run-fuzz.sh $${FUZZ_SECONDS:-300} $(FUZZ_TARGETS)

# ------------------------------------------------------------------ bench --
bench: $(addprefix $(BUILD)/release/bench/,$(BENCHES))
	@tools/run-bench.sh $(BUILD)/release/bench
$(BUILD)/release/bench/%: bench/%.c $(BUILD)/release/lib/libtapa.a
	@mkdir -p $(@D)
	$(call say,LINK,$@)$(CC) $(BASE_CFLAGS) $(release_CFLAGS) $< -o $@ $(BUILD)/release/lib/libtapa.a $(LIBS)

# ---------------------------------------------------------------- install --
install: lib $(BUILD)/bin/tapa-epmd
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(BUILD)/bin/tapa-epmd $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(BUILD)/release/lib/libtapa.a $(DESTDIR)$(PREFIX)/lib/
ifneq ($(findstring -apple-,$(TAPA_TARGET)),)
	install -m 755 $(SHLIB) $(DESTDIR)$(PREFIX)/lib/
	install_name_tool -id $(PREFIX)/lib/libtapa.dylib $(DESTDIR)$(PREFIX)/lib/libtapa.dylib
else
	install -m 755 $(SHLIB).0 $(DESTDIR)$(PREFIX)/lib/
	ln -sf libtapa.so.0 $(DESTDIR)$(PREFIX)/lib/libtapa.so
endif
	install -m 644 runtime/include/tapa.h $(DESTDIR)$(PREFIX)/include/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LEARNER_CFLAGS@|$(strip $(LEARNER_CFLAGS))|' tools/libtapa.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/libtapa.pc

clean:
	rm -rf $(BUILD) compile_commands.json

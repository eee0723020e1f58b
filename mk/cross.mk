# mk/cross.mk — the kit on other compilers and machines, proved here in
# make test (EXTRA_TESTS):
#
#   make test-clang    the runtime and its unit tests built with clang
#                      (in build/clang/), and run; its libraries' symbols
#                      checked (make check-symbols)
#   make test-arm64    the runtime, its unit tests and the exit-signal
#                      scenarios cross-built for arm64 Linux (build/arm64/)
#                      and run under qemu-aarch64; its libraries' symbols
#                      checked and a program linked with them run
#   make check-macho   the context switch assembled for macOS (x86-64 and
#                      arm64 Mach-O) with clang -target
#
# Each says SKIPPED and what to install where its tools are missing.

CLANG ?= clang
ARM64_CC ?= aarch64-linux-gnu-gcc
QEMU_ARM64 ?= qemu-aarch64
ARM64_LIBDIR ?= /usr/lib/aarch64-linux-gnu
ARM64_PACKAGES := gcc-aarch64-linux-gnu qemu-user libuv1-dev:arm64 libcmocka-dev:arm64 \
                  libssl-dev:arm64 zlib1g-dev:arm64
# both cores for these side builds; the arm64 one without LTO: its tests
# link the plain code anyway, and fat LTO objects cost twice the compile
CROSS_JOBS ?= $(shell getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
SUBMAKE := $(MAKE) --no-print-directory -s -j$(CROSS_JOBS)

.PHONY: test-clang test-arm64 check-macho

test-clang:
	@if ! command -v $(firstword $(CLANG)) >/dev/null 2>&1; then \
	  echo "clang build: SKIPPED: clang is not installed (apt-get install clang)"; exit 0; fi; \
	$(SUBMAKE) BUILD=$(BUILD)/clang CC="$(CLANG)" release-tests lib && \
	tools/run-tests.sh clang $(BUILD)/clang/release/tests $(UNIT_TESTS) && \
	$(SUBMAKE) BUILD=$(BUILD)/clang CC="$(CLANG)" check-symbols

# The arm64 libraries come from Debian multiarch (dpkg --add-architecture arm64);
# pkg-config reads their .pc files. Under qemu-user the tests run as they do
# on arm64 hardware, fork-and-abort death tests included (TAPA_SLOW: slower).
# test_semantics runs once, through the comparison (which checks its status).
ifeq ($(CTX_ARCH),arm64)
test-arm64:
	@echo "arm64 under qemu: not needed: this build is arm64 ($(TAPA_TARGET)), make test-unit ran it natively"
else
test-arm64:
	@missing=""; for t in $(ARM64_CC) $(QEMU_ARM64); do command -v $$t >/dev/null 2>&1 || missing="$$missing $$t"; done; \
	for l in libuv.so libcmocka.so libcrypto.so libz.so; do [ -e $(ARM64_LIBDIR)/$$l ] || missing="$$missing $$l(arm64)"; done; \
	if [ -n "$$missing" ]; then \
	  echo "arm64 under qemu: SKIPPED: missing$$missing. Install: dpkg --add-architecture arm64 && apt-get update && apt-get install $(ARM64_PACKAGES)"; \
	  exit 0; fi; \
	PKG_CONFIG_LIBDIR=$(ARM64_LIBDIR)/pkgconfig $(SUBMAKE) BUILD=$(BUILD)/arm64 CC="$(ARM64_CC)" LTO= release-tests lib && \
	TAPA_RUNNER="$(QEMU_ARM64)" TAPA_SLOW=2 tools/run-tests.sh arm64-qemu $(BUILD)/arm64/release/tests \
	  $(filter-out test_semantics,$(UNIT_TESTS)) && \
	TAPA_RUNNER="$(QEMU_ARM64)" COMPARE_WITHOUT_ERL=1 tools/compare-with-erl.sh $(BUILD)/arm64/release/tests/test_semantics && \
	PKG_CONFIG_LIBDIR=$(ARM64_LIBDIR)/pkgconfig TAPA_RUNNER="$(QEMU_ARM64)" \
	  $(SUBMAKE) BUILD=$(BUILD)/arm64 CC="$(ARM64_CC)" LTO= HAVE_LIBEDIT=no-arm64-libedit check-symbols
endif

# Mach-O has its own symbol prefix and directives: assembling the switch for
# macOS here catches an ELF-only directive before a Mac learner does.
check-macho:
	@if ! command -v $(firstword $(CLANG)) >/dev/null 2>&1; then \
	  echo "Mach-O check: SKIPPED: clang is not installed (apt-get install clang)"; exit 0; fi; \
	mkdir -p $(BUILD)/macho && \
	for t in x86_64-apple-macos11:x86_64 arm64-apple-macos11:arm64; do \
	  triple=$${t%%:*} arch=$${t##*:}; o=$(BUILD)/macho/context_$$arch.o; \
	  $(CLANG) -target $$triple -c runtime/sched/context_$$arch.S -o $$o || exit 1; \
	  syms=$$(llvm-nm $$o 2>/dev/null || nm $$o); \
	  for s in _ctx_switch _ctx_with_regs_spilled; do \
	    echo "$$syms" | grep -q " T $$s$$" || { echo "Mach-O check: $$triple: no global $$s in $$o"; exit 1; }; done; \
	  echo "Mach-O check: runtime/sched/context_$$arch.S assembles for $$triple: OK"; done

EXTRA_TESTS += test-clang test-arm64 check-macho

# the set-up without root (tools/setup-deps.sh): builds what it can
.PHONY: test-setup
test-setup:
	@tests/setup/test-setup-deps.sh $(BUILD)
EXTRA_TESTS += test-setup

# The build's own decisions (tools/toolchain.sh): an unsupported target
# stops with one line naming what is supported; clang 14 gets no LTO (its
# bitcode archive would not link without -flto); gcc keeps it.
.PHONY: check-toolchain
check-toolchain:
	@out=$$(tools/toolchain.sh "$(firstword $(CLANG)) -target riscv64-linux-gnu" 2>&1); \
	case "$$out" in *"error tapa: no context switch for target riscv64"*"supported: x86-64 and arm64"*) ;; \
	  *) echo "toolchain check: an unsupported target is not refused in one line: $$out"; exit 1 ;; esac; \
	out=$$($(MAKE) --no-print-directory -s BUILD=$(BUILD)/riscv CC="$(firstword $(CLANG)) -target riscv64-linux-gnu" lib 2>&1); \
	[ $$(printf '%s\n' "$$out" | wc -l) -eq 1 ] && printf '%s\n' "$$out" | grep -q "no context switch for target" \
	  || { echo "toolchain check: make for riscv64 did not stop with one line: $$out"; exit 1; }; \
	if command -v $(firstword $(CLANG)) >/dev/null 2>&1; then \
	  tools/toolchain.sh "$(CLANG)" | grep -qx "LTO := " \
	    || { echo "toolchain check: clang 14 got LTO, its archive would not link without -flto"; exit 1; }; fi; \
	echo "toolchain check: unsupported target refused in one line; LTO decided per toolchain ($(LTO_NOTE)): OK"
EXTRA_TESTS += check-toolchain

# mk/iex.mk — tapa-iex, the tutorial's shell on a C node. -included by the
# top Makefile.
#
#   make iex              the shell, with the tutorial's TapaMessages module
#   make iex STEP=05      the shell with exercises/05_*.c linked in: its
#                         functions replace the tutorial's (TapaMessages.*)
#   make test-iex         the shell driven under tmux (in make test)
#   make bench-iex        start time and per-line time, beside iex's start
#
# Why link and not dlopen: libtapa is a static library whose processes,
# heaps and export table must be one copy; a shared object of the exercise
# would need a shared libtapa or -rdynamic on every symbol. Linking the
# exercise's object into a shell binary of its own (build/iex/NN/tapa-iex)
# costs ~0.3 s and the functions are found by weak references
# (tools/iex/tutorial.c). The exercise's main is renamed out of the way.

IEX_SRC := $(sort $(wildcard tools/iex/*.c))
IEX_HDR := $(wildcard tools/iex/*.h)
IEX_LIBS := -ledit
IEX_CFLAGS = $(BASE_CFLAGS) -Itools

define iex_variant
$(BUILD)/$(1)/bin/tapa-iex: tools/tapa-iex.c $(IEX_SRC) $(IEX_HDR) $(BUILD)/$(1)/lib/libtapa.a
	@mkdir -p $$(@D)
	$$(CC) $$(IEX_CFLAGS) $$($(1)_CFLAGS) $$($(1)_LINKFLAGS) tools/tapa-iex.c $(IEX_SRC) -o $$@ \
	  $(BUILD)/$(1)/lib/libtapa.a $$($(1)_LDFLAGS) $$(LIBS) $(IEX_LIBS)
endef
$(foreach v,release asan,$(eval $(call iex_variant,$(v))))

.PHONY: iex test-iex bench-iex
IEX_STEP_FILE = $(firstword $(wildcard exercises/$(shell printf '%02d' $$((10#$(STEP))) 2>/dev/null)_*.c))
iex: $(BUILD)/bin/tapa-iex
ifeq ($(STEP),)
	@$(BUILD)/bin/tapa-iex $(IEX_ARGS)
else
	@tools/iex/run-step.sh "$(STEP)" "$(CC)" "$(BASE_CFLAGS) -O1 -g $(if $(LTO),-fno-lto)" \
	  "$(BUILD)/release/lib/libtapa.a $(LIBS) $(IEX_LIBS)" $(BUILD)/iex $(BUILD)/bin/tapa-iex $(IEX_ARGS)
endif

test-iex: $(BUILD)/bin/tapa-iex
	@tests/iex/run.sh $(BUILD)/bin/tapa-iex $(BUILD)/iex-test

bench-iex: $(BUILD)/bin/tapa-iex
	@bench/iex/bench-iex.sh $(BUILD)/bin/tapa-iex

EXTRA_TESTS += test-iex

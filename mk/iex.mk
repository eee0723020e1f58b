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

# libedit gives the prompt its line editing and history; without its headers
# (libedit-dev) the shell is not built and its targets say SKIPPED.
HAVE_LIBEDIT := $(shell printf '\043include <editline/readline.h>\n' | $(CC) -E -x c - >/dev/null 2>&1 && echo 1)
ifneq ($(HAVE_LIBEDIT),1)
TOOLS := $(filter-out tapa-iex,$(TOOLS))
IEX_SKIP := iex: SKIPPED, tapa-iex needs libedit's headers (Debian: apt-get install libedit-dev; macOS has them)
endif

IEX_SRC := $(sort $(wildcard tools/iex/*.c))
IEX_HDR := $(wildcard tools/iex/*.h)
IEX_LIBS := -ledit
IEX_CFLAGS = $(BASE_CFLAGS) -Itools

define iex_variant
$(BUILD)/$(1)/bin/tapa-iex: tools/tapa-iex.c $(IEX_SRC) $(IEX_HDR) $(BUILD)/$(1)/lib/libtapa-internal.a
	@mkdir -p $$(@D)
	$$(call say,LINK,$$@)$$(CC) $$(IEX_CFLAGS) $$($(1)_CFLAGS) $$($(1)_LINKFLAGS) tools/tapa-iex.c $(IEX_SRC) -o $$@ \
	  $(BUILD)/$(1)/lib/libtapa-internal.a $$($(1)_LDFLAGS) $$(LIBS) $(IEX_LIBS)
endef
$(foreach v,release asan,$(eval $(call iex_variant,$(v))))

# the shell and the runtime as one object, for make iex STEP=NN to link with
# an exercise: only tapa_* and main stay global (tools/link-api.sh), so the
# learner's functions (flush, receive, eval...) clash with none of the shell's
# or the runtime's; the shell's weak references find them.
IEX_OBJ := $(patsubst %.c,$(BUILD)/release/iex-obj/%.o,tools/tapa-iex.c $(IEX_SRC))
$(BUILD)/release/iex-obj/%.o: %.c $(IEX_HDR) $(wildcard runtime/include/*.h runtime/*/*.h) $(INTERNAL_NAMES)
	@mkdir -p $(@D)
	$(call say,CC,$<)$(CC) $(IEX_CFLAGS) $(release_CFLAGS) -fno-lto -c $< -o $@
$(BUILD)/release/lib/libtapa-iex.a: $(IEX_OBJ) $(release_OBJ) tools/link-api.sh
	@mkdir -p $(@D)
	$(call say,LINK,$@)$(LINK_API_ENV) LTO_RLINK= tools/link-api.sh $@.o 'tapa_*,main' $(IEX_OBJ) $(release_OBJ) \
	  && rm -f $@ && $(AR) rcs $@ $@.o && rm -f $@.o

.PHONY: iex test-iex bench-iex
ifdef IEX_SKIP
iex test-iex bench-iex install-iex:
	@echo "$(IEX_SKIP)"
else
iex: $(BUILD)/bin/tapa-iex $(BUILD)/release/lib/libtapa-iex.a
ifeq ($(STEP),)
	@$(BUILD)/bin/tapa-iex $(IEX_ARGS)
else
	@$(IEX_STEP_ENV) tools/iex/run-step.sh "$(STEP)" $(BUILD)/iex $(BUILD)/bin/tapa-iex $(IEX_ARGS)
endif

IEX_STEP_ENV = TAPA_CC="$(CC)" TAPA_CFLAGS="$(LEARNER_BASE_CFLAGS) $(LEARNER_CFLAGS) -Iexercises -O0 -g $(if $(LTO),-fno-lto)" \
  TAPA_LIBS="$(BUILD)/release/lib/libtapa-iex.a $(LIBS) $(IEX_LIBS)"
test-iex: $(BUILD)/bin/tapa-iex $(BUILD)/release/lib/libtapa-iex.a
	@$(IEX_STEP_ENV) tests/iex/step.sh $(BUILD)/iex-test/step $(BUILD)/bin/tapa-iex
	@tests/iex/explore.sh $(BUILD)/bin/tapa-iex
	@tests/iex/garbage.sh $(BUILD)/bin/tapa-iex
	@tests/iex/run.sh $(BUILD)/bin/tapa-iex $(BUILD)/iex-test

bench-iex: $(BUILD)/bin/tapa-iex
	@bench/iex/bench-iex.sh $(BUILD)/bin/tapa-iex

endif
EXTRA_TESTS += test-iex

# make bench: the shell's start and per-line times beside iex's start
bench: bench-iex

# make install puts the shell and its man page beside the library
.PHONY: install-iex
install: install-iex
ifndef IEX_SKIP
install-iex: $(BUILD)/bin/tapa-iex
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BUILD)/bin/tapa-iex $(DESTDIR)$(PREFIX)/bin/
	@if command -v pandoc >/dev/null; then \
	  pandoc --from markdown --to man --standalone -o $(DESTDIR)$(PREFIX)/share/man/man1/tapa-iex.1 docs/man/tapa-iex.1.md; \
	else echo "install: no pandoc, so no man page for tapa-iex (make setup installs pandoc)"; fi
endif

# mk/editor.mk — editor support. `make` writes compile_commands.json (the
# JSON Compilation Database) at the top of the kit; clangd, the language
# server behind VS Code's clangd extension, Vim (coc/ALE/vim-lsp) and Emacs
# (eglot/lsp-mode), reads it: completion of tapa_*, and the kit's warnings
# in the exercises as the grader compiles them.
#
#   make check-editor   clangd opens an exercise and a runtime file with no
#                       error (in make test; SKIPPED without clangd)

# For clangd (VS Code, Vim, Emacs): every C file of the kit with the flags
# the build and the grader use, so the editor completes tapa_* and shows the
# same warnings. Rewritten when the Makefile, mk/ or the file list changes.
CDB_FLAGS := $(BASE_CFLAGS) -O2 -g
CDB_EXERCISE_FLAGS := -std=c11 -D_GNU_SOURCE -Iruntime/include -Iexercises $(UV_CFLAGS) $(WARN) $(LEARNER_CFLAGS) -O1 -g
CDB_FILES := $(wildcard tools/*.c bench/*.c tests/interop/*.c tests/fuzz/*.c)
CDB_EXERCISES := $(wildcard exercises/*.c solutions/*.c tests/course/*.c tests/course/*/*.c)
compile_commands.json: Makefile $(wildcard mk/*.mk) tools/compile-commands.sh $(CDB_FILES) $(CDB_EXERCISES) \
                       $(RUNTIME_SRC) $(wildcard tests/unit/*.c)
	@tools/compile-commands.sh $@ "$(CC)" -- $(CDB_FLAGS) $(LIB_CFLAGS) -- $(RUNTIME_SRC) \
	  -- $(CDB_FLAGS) -- $(CDB_FILES) \
	  -- $(CDB_FLAGS) -Itests/unit -- $(wildcard tests/unit/*.c) \
	  -- $(CDB_EXERCISE_FLAGS) -- $(CDB_EXERCISES)

CLANGD ?= clangd
.PHONY: check-editor
check-editor: compile_commands.json
	@if ! command -v $(CLANGD) >/dev/null 2>&1; then \
	  echo "editor check: SKIPPED: clangd is not installed (apt-get install clangd)"; exit 0; fi; \
	for f in exercises/05_mailbox_growth.c runtime/sched/receive.c tests/unit/test_process.c; do \
	  if ! $(CLANGD) --check=$$f --check-lines=1 > $(BUILD)/clangd-check.log 2>&1; then \
	    echo "editor check: clangd finds errors in $$f with compile_commands.json:"; \
	    grep '^E\[' $(BUILD)/clangd-check.log | head -5; exit 1; fi; done; \
	echo "editor check: clangd reads compile_commands.json; an exercise, the runtime and a test open with no error: OK"

EXTRA_TESTS += check-editor

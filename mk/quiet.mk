# mk/quiet.mk — quiet builds, as kernel and Ninja builds are: make runs its
# commands without echoing them, and a rule says in one short line what it
# builds (`  CC   runtime/sched/receive.c`); warnings and errors are always
# shown (they are the compiler's own output). `make V=1` echoes every full
# command line instead.
#
# In a recipe: $(call say,CC,$<)$(CC) ...   (no @: V=1 must show the command)

export V # the test runners print a line per program when V=1
ifeq ($(V),1)
say =
else
MAKEFLAGS += -s --no-print-directory
say = printf '  %-4s %s\n' '$(1)' '$(2)';
endif

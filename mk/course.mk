# mk/course.mk — the course: grading, the learner's loop, and the proof that
# the checks discriminate. -included by the top Makefile.
#
#   make 05 | make step STEP=05   build and run step 05's program, then check it
#   make grade [STEP=05]          grade the exercises; reports in build/grade/
#   make hint [STEP=05]           the next hint (a nudge first, most of the answer last)
#   make solution STEP=05         the reference solution, once step 05 passes
#   make reset STEP=05            restore the starter file (yours is kept in build/course/)
#   make watch                    re-check the current step on every save
#   make check-course             every solution passes, every starter fails (in make test)
#   make grade-all SUBMISSIONS=DIR  grade every submission folder of DIR
#
# Grading sets TAPA_FAST=1 (steps 6 and 7 sleep 20x shorter); TAPA_SLOW=N
# multiplies every timeout (sanitizer builds).

COURSE_STEPS := 01 02 03 04 05 06 07 08
COURSE_SLUGS := $(patsubst exercises/%.c,%,$(wildcard exercises/[0-9][0-9]_*.c))
GRADE_BIN := $(BUILD)/bin/tapa-grade
GRADE_JOBS ?= $(shell nproc 2>/dev/null || echo 2)
COURSE_PROGRESS ?= .tapa-progress
GRADE_ENV = TAPA_CC="$(CC)" TAPA_CFLAGS="-std=c11 -D_GNU_SOURCE $(UV_CFLAGS) $(WARN) -O1 -g" \
            TAPA_LIB="$(BUILD)/release/lib/libtapa.a" TAPA_LIBS="$(LIBS)"
GRADE = $(GRADE_ENV) $(GRADE_BIN) --kit . --progress $(COURSE_PROGRESS) -j $(GRADE_JOBS)

# the grader is one file plus its headers
$(BUILD)/release/bin/tapa-grade: $(wildcard tools/grade/*.h)

.PHONY: grade step hint solution reset watch check-course grade-all $(COURSE_STEPS)

$(COURSE_STEPS): lib $(GRADE_BIN)
	@$(GRADE) run $@

step: lib $(GRADE_BIN)
	@test -n "$(STEP)" || { echo "usage: make step STEP=05"; exit 2; }
	@$(GRADE) run $(STEP)

grade: lib $(GRADE_BIN)
	@$(GRADE) grade $(STEP) --out $(BUILD)/grade

hint: $(GRADE_BIN)
	@$(GRADE) hint $(STEP)

solution: $(GRADE_BIN)
	@test -n "$(STEP)" || { echo "usage: make solution STEP=05"; exit 2; }
	@$(GRADE) solution $(STEP)

watch: lib $(GRADE_BIN)
	@$(GRADE) watch $(STEP)

# The starter comes from git (HEAD); the learner's version is kept aside.
reset:
	@test -n "$(STEP)" || { echo "usage: make reset STEP=05"; exit 2; }
	@set -e; n=$$(printf '%02d' $$((10#$(STEP)))); \
	for f in exercises/$${n}_*.c answers/$${n}_*.answers; do \
	  test -e "$$f" || continue; \
	  if ! git cat-file -e "HEAD:$$f" 2>/dev/null; then \
	    echo "reset: git has no committed $$f to restore"; exit 1; fi; \
	  mkdir -p $(BUILD)/course/kept; \
	  keep=$(BUILD)/course/kept/$$(basename $$f).$$(date +%Y%m%d-%H%M%S); \
	  cp "$$f" "$$keep"; git show "HEAD:$$f" > "$$f"; \
	  echo "reset: $$f restored (yours is in $$keep)"; \
	done

# The untouched exercises are taken from git when the tree has edits, so a
# learner's work in progress does not make the self-test fail.
COURSE_STARTERS := $(BUILD)/course/starters
check-course: lib $(GRADE_BIN)
	@rm -rf $(COURSE_STARTERS) && mkdir -p $(COURSE_STARTERS)
	@for f in exercises/[0-9][0-9]_*.c; do \
	  if git cat-file -e "HEAD:$$f" 2>/dev/null; then git show "HEAD:$$f"; else cat "$$f"; fi \
	    > $(COURSE_STARTERS)/$$(basename $$f); done
	@$(GRADE_ENV) $(GRADE_BIN) --kit . -j $(GRADE_JOBS) -q check-course \
	  --starters $(COURSE_STARTERS) --out $(BUILD)/course/check

grade-all: lib $(GRADE_BIN)
	@test -d "$(SUBMISSIONS)" || { echo "usage: make grade-all SUBMISSIONS=DIR"; exit 2; }
	@$(GRADE_ENV) $(GRADE_BIN) --kit . -j $(GRADE_JOBS) grade-all "$(SUBMISSIONS)" --out $(BUILD)/grade-all

EXTRA_TESTS += check-course

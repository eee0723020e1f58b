# mk/course.mk — the course: grading, the learner's loop, and the proof that
# the checks discriminate. -included by the top Makefile.
#
#   make 05 | make step STEP=05   build and run step 05's program, then check it
#   make grade [STEP=05]          grade the exercises; reports in build/grade/
#   make hint [STEP=05]           the next hint (a nudge first, most of the answer last)
#   make solution STEP=05         the reference solution, once step 05 passes
#   make reset STEP=05            restore the starter file (yours is kept in build/course/);
#                                 the answers are kept unless ANSWERS=1
#   make watch                    re-check the current step on every save
#   make check-course             every solution passes, every starter fails (in make test)
#                                 and a failed check gets its chart page
#   make grade-all SUBMISSIONS=DIR  grade every submission folder of DIR (layout: README)
#   make gradescope               build/gradescope/autograder.zip (check-gradescope tests it)
#   make bench-grade              time one full submission, then 50 (bench lines)
#
# Grading sets TAPA_FAST=1 (steps 6 and 7 sleep 20x shorter); TAPA_SLOW=N
# multiplies every timeout (sanitizer builds). When a behaviour check fails,
# make grade and make NN draw the run and the solution's run side by side with
# tapa-chart: build/grade/charts/NN.html (TAPA_NO_CHARTS=1 turns that off).

# The steps: one table, tools/course-steps.txt (NUMBER SLUG TITLE).
STEPS_TABLE := tools/course-steps.txt
COURSE_STEPS := $(shell awk '/^[0-9]/ { print $$1 }' $(STEPS_TABLE))
COURSE_SLUGS := $(shell awk '/^[0-9]/ { print $$1 "_" $$2 }' $(STEPS_TABLE))
GRADE_BIN := $(BUILD)/bin/tapa-grade
CHART_BIN := $(BUILD)/bin/tapa-chart
# getconf is POSIX (macOS has no nproc)
GRADE_JOBS ?= $(shell getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
COURSE_PROGRESS ?= .tapa-progress
GRADE_ENV = TAPA_CC="$(CC)" TAPA_CFLAGS="-std=c11 -D_GNU_SOURCE $(UV_CFLAGS) $(WARN) $(LEARNER_CFLAGS) -O1 -g" \
            TAPA_LIB="$(BUILD)/release/lib/libtapa.a" TAPA_LIBS="$(LIBS)" \
            TAPA_LDFLAGS="$(if $(LTO),-fno-lto)" TAPA_CHART="$(CHART_BIN)"
GRADE = $(GRADE_ENV) $(GRADE_BIN) --kit . --progress $(COURSE_PROGRESS) -j $(GRADE_JOBS)

# the grader: tools/tapa-grade.c and its units tools/grade/*.c (this rule
# takes the place of the top Makefile's one-file rule for tools)
GRADE_UNITS := $(sort $(wildcard tools/grade/*.c))
$(BUILD)/gen/course_steps.h: $(STEPS_TABLE)
	@mkdir -p $(@D)
	$(call say,GEN,$@)awk '/^[0-9]/ { n++; t = $$0; sub(/^[^ ]+ [^ ]+ /, "", t); gsub(/[\\"]/, "\\\\&", t); \
	  printf "#define COURSE_STEP_%s \"%s\", \"%s\", \"%s\"\n", $$1, $$1, $$2, t } \
	  END { printf "#define COURSE_STEP_COUNT %d\n", n }' $< > $@.tmp && mv $@.tmp $@
$(BUILD)/release/bin/tapa-grade: tools/tapa-grade.c $(GRADE_UNITS) $(wildcard tools/grade/*.h) $(BUILD)/gen/course_steps.h \
                                 $(BUILD)/release/lib/libtapa-internal.a
	@mkdir -p $(@D)
	$(call say,CC,$@)$(CC) $(BASE_CFLAGS) $(release_CFLAGS) $(release_LINKFLAGS) -Itools/grade -I$(BUILD)/gen tools/tapa-grade.c $(GRADE_UNITS) -o $@ \
	  $(BUILD)/release/lib/libtapa-internal.a $(release_LDFLAGS) $(LIBS)

.PHONY: grade step hint solution reset watch check-course check-hostile check-hints check-steps check-warnings check-progress check-loop gradescope check-gradescope grade-all bench-grade $(COURSE_STEPS)

$(COURSE_STEPS): lib $(GRADE_BIN) $(CHART_BIN)
	@$(GRADE) run $@

step: lib $(GRADE_BIN) $(CHART_BIN)
	@test -n "$(STEP)" || { echo "usage: make step STEP=05"; exit 2; }
	@$(GRADE) run $(STEP)

grade: lib $(GRADE_BIN) $(CHART_BIN)
	@$(GRADE) grade $(STEP) --out $(BUILD)/grade

hint: $(GRADE_BIN)
	@$(GRADE) hint $(STEP)

solution: lib $(GRADE_BIN)
	@test -n "$(STEP)" || { echo "usage: make solution STEP=05"; exit 2; }
	@$(GRADE) solution $(STEP)

watch: lib $(GRADE_BIN) $(CHART_BIN)
	@$(GRADE) watch $(STEP)

# The starter comes from git (HEAD); the learner's version is kept aside.
# The answers file is kept (your predictions are not the exercise) unless
# ANSWERS=1 asks for it too.
reset:
	@test -n "$(STEP)" || { echo "usage: make reset STEP=05 [ANSWERS=1]"; exit 2; }
	@set -e; n=$$(printf '%02d' $$((10#$(STEP)))); \
	for f in exercises/$${n}_*.c $(if $(filter 1 yes,$(ANSWERS)),answers/$${n}_*.answers); do \
	  test -e "$$f" || continue; \
	  if ! git cat-file -e "HEAD:$$f" 2>/dev/null; then \
	    echo "reset: git has no committed $$f to restore"; exit 1; fi; \
	  mkdir -p $(BUILD)/course/kept; \
	  keep=$(BUILD)/course/kept/$$(basename $$f).$$(date +%Y%m%d-%H%M%S); \
	  cp "$$f" "$$keep"; git show "HEAD:$$f" > "$$f"; \
	  echo "reset: $$f restored (yours is in $$keep)"; \
	done; \
	$(if $(filter 1 yes,$(ANSWERS)),:,echo "reset: answers/$${n}_*.answers kept (make reset STEP=$$n ANSWERS=1 restores it too)")

# The untouched exercises are taken from git when the tree has edits, so a
# learner's work in progress does not make the self-test fail. No charts
# there (it fails starters on purpose); then one failing fixture, graded as a
# learner's exercise, must get its page with both charts.
COURSE_STARTERS := $(BUILD)/course/starters
COURSE_CHARTS := $(BUILD)/course/charts
check-course: lib $(GRADE_BIN) $(CHART_BIN)
	@rm -rf $(COURSE_STARTERS) && mkdir -p $(COURSE_STARTERS)
	@for f in exercises/[0-9][0-9]_*.c; do \
	  if git cat-file -e "HEAD:$$f" 2>/dev/null; then git show "HEAD:$$f"; else cat "$$f"; fi \
	    > $(COURSE_STARTERS)/$$(basename $$f); done
	@$(GRADE_ENV) $(GRADE_BIN) --kit . -j $(GRADE_JOBS) -q --no-charts check-course \
	  --starters $(COURSE_STARTERS) --out $(BUILD)/course/check
	@rm -rf $(COURSE_CHARTS) && mkdir -p $(COURSE_CHARTS)/exercises
	@cp tests/course/fixtures/04_pong_to_self.c $(COURSE_CHARTS)/exercises/04_ping_pong.c
	@printf '%s\n' '#include <stdio.h>' '/* check-course: output that is not UTF-8 must not reach the reports raw */' \
	  '__attribute__((constructor)) static void print_bad_bytes(void)' \
	  '{ printf("not UTF-8: [\xED\xA0\x80] [\xC0\xAF] [\xF4\x90\x80\x80]\n"); }' \
	  >> $(COURSE_CHARTS)/exercises/04_ping_pong.c
	@if $(GRADE_ENV) $(GRADE_BIN) --kit . grade 04 --exercises $(COURSE_CHARTS)/exercises \
	    --answers solutions/answers --out $(COURSE_CHARTS)/out --work $(COURSE_CHARTS)/work \
	    > $(COURSE_CHARTS)/grade.log 2>&1; then \
	  echo "check-course: the fixture 04_pong_to_self passes? See $(COURSE_CHARTS)/grade.log"; exit 1; fi; \
	  page=$(COURSE_CHARTS)/out/charts/04.html; \
	  if grep -q "See the chart of your run next to the expected one: .*/charts/04.html$$" $(COURSE_CHARTS)/grade.log \
	     && [ "$$(grep -o '<svg' $$page | wc -l)" -eq 2 ]; then \
	    echo "check-course: a failed check's chart page has both charts ($$page): OK"; \
	  else echo "check-course: no chart page with two <svg> for a failed check; see $(COURSE_CHARTS)/grade.log"; \
	    exit 1; fi
	@python3 -c 'import json, sys, xml.etree.ElementTree as ET; d = sys.argv[1]; \
	  out = json.load(open(d + "/results.json", encoding="utf-8")); ET.parse(d + "/junit.xml"); \
	  ok = any("not UTF-8: [\ufffd" in t["output"] for t in out["tests"]); \
	  print("check-course: output that is not UTF-8 reaches results.json and junit.xml as U+FFFD, both parse: " + ("OK" if ok else "WRONG (the line is missing)")); \
	  sys.exit(0 if ok else 1)' $(COURSE_CHARTS)/out || { \
	  echo "check-course: results.json or junit.xml does not parse (see above), in $(COURSE_CHARTS)/out"; exit 1; }

# A hostile class graded by grade-all in its sandbox: every other grade
# unaffected, nothing leaked, nothing left running (tests/course/hostile-class.sh).
check-hostile: lib $(GRADE_BIN)
	@$(GRADE_ENV) tests/course/hostile-class.sh $(GRADE_BIN) $(BUILD)/course/hostile

# make hint follows the failure: a receiver whose pattern is too narrow is
# graded as a learner's step 3, then `make hint` must speak of the pattern;
# the ladder follows, and its end is said.
COURSE_HINTS := $(BUILD)/course/hints
HINT_GRADE = $(GRADE_ENV) $(GRADE_BIN) --kit . --progress $(COURSE_HINTS)/progress --no-charts
check-hints: lib $(GRADE_BIN)
	@rm -rf $(COURSE_HINTS) && mkdir -p $(COURSE_HINTS)/exercises
	@cp tests/course/fixtures/03_pattern_too_narrow.c $(COURSE_HINTS)/exercises/03_message_receiver.c
	@if $(HINT_GRADE) grade 03 --exercises $(COURSE_HINTS)/exercises --answers solutions/answers \
	    --out $(COURSE_HINTS)/out --work $(COURSE_HINTS)/work > $(COURSE_HINTS)/grade.log 2>&1; then \
	  echo "check-hints: the too-narrow receiver passes? See $(COURSE_HINTS)/grade.log"; exit 1; fi
	@set -e; for k in 1 2 3 4 5; do $(HINT_GRADE) hint 03 > $(COURSE_HINTS)/hint$$k.log; done; \
	grep -q "narrower than the tutorial" $(COURSE_HINTS)/hint1.log || { \
	  echo "check-hints: the first hint does not follow the failure:"; cat $(COURSE_HINTS)/hint1.log; exit 1; }; \
	grep -q "hint 1 of" $(COURSE_HINTS)/hint2.log || { echo "check-hints: no ladder after the aimed hint"; exit 1; }; \
	grep -q "that was the last hint" $(COURSE_HINTS)/hint5.log || { \
	  echo "check-hints: past the last hint nothing says so:"; cat $(COURSE_HINTS)/hint5.log; exit 1; }; \
	echo "check-hints: make hint follows the failure (a too-narrow pattern), then the ladder, and says its end: OK"

GRADE_OUT ?= $(BUILD)/grade-all
grade-all: lib $(GRADE_BIN)
	@test -d "$(SUBMISSIONS)" || { echo "usage: make grade-all SUBMISSIONS=DIR  (DIR/STUDENT/exercises/NN_slug.c" \
	  "and DIR/STUDENT/answers/NN_slug.answers, or flat: DIR/STUDENT/NN_slug.c, DIR/STUDENT/NN_slug.answers)"; exit 2; }
	@$(GRADE_ENV) $(GRADE_BIN) --kit . -j $(GRADE_JOBS) grade-all "$(SUBMISSIONS)" --out $(GRADE_OUT)

# make gradescope: build/gradescope/autograder.zip, Gradescope's autograder:
# setup.sh and run_autograder (tools/gradescope/) at its root, beside the
# kit's files, without the solutions and the course's own fixtures (a
# submission runs where these files are).
GRADESCOPE := $(BUILD)/gradescope
gradescope:
	@rm -rf $(GRADESCOPE) && mkdir -p $(GRADESCOPE)/pkg
	@git ls-files | grep -v -e '^solutions/' -e '^tests/course/fixtures/' -e '^tests/course/hostile' \
	  -e '^lessons/' -e '^docs/' -e '^bench/' | \
	  while read -r f; do [ -e "$$f" ] && mkdir -p "$(GRADESCOPE)/pkg/$$(dirname "$$f")" && cp -p "$$f" "$(GRADESCOPE)/pkg/$$f"; done
	@cp -p tools/gradescope/setup.sh tools/gradescope/run_autograder $(GRADESCOPE)/pkg/
	@cd $(GRADESCOPE)/pkg && zip -qr ../autograder.zip .
	@echo "gradescope: $(GRADESCOPE)/autograder.zip ($$(du -k $(GRADESCOPE)/autograder.zip | cut -f1) KB): upload it as the autograder"

# The package tested as Gradescope would run it, in a folder standing in for
# /autograder: setup.sh builds the kit there; a solution upload (flat) must
# get full marks, a starter upload (the kit's layout) a low score.
check-gradescope: gradescope
	@set -e; root=$(abspath $(GRADESCOPE))/root; rm -rf $$root; mkdir -p $$root/source $$root/submission; \
	cd $$root/source && unzip -q $(abspath $(GRADESCOPE))/autograder.zip; cp run_autograder $$root/; \
	AUTOGRADER_ROOT=$$root sh $$root/source/setup.sh > $$root/setup.log 2>&1 || { \
	  echo "check-gradescope: setup.sh failed, see $$root/setup.log"; exit 1; }; \
	cd $(CURDIR); cp solutions/[0-9][0-9]_*.c solutions/answers/*.answers $$root/submission/; \
	AUTOGRADER_ROOT=$$root $$root/run_autograder > $$root/solution.log 2>&1; \
	cp $$root/results/results.json $$root/solution.json; \
	rm -rf $$root/submission $$root/results && mkdir -p $$root/submission/exercises $$root/submission/answers; \
	cp exercises/[0-9][0-9]_*.c $$root/submission/exercises/; cp answers/*.answers $$root/submission/answers/; \
	AUTOGRADER_ROOT=$$root $$root/run_autograder > $$root/starter.log 2>&1; \
	cp $$root/results/results.json $$root/starter.json; \
	python3 -c 'import json,sys; 	s=json.load(open(sys.argv[1])); x=json.load(open(sys.argv[2])); 	tot=lambda r: sum(t["score"] for t in r["tests"]); mx=lambda r: sum(t["max_score"] for t in r["tests"]); 	ok=tot(s)==mx(s) and mx(s)>0 and tot(x)<mx(x)/4; 	print("check-gradescope: solution upload %d/%d, starter upload %d/%d: %s" % (tot(s), mx(s), tot(x), mx(x), "OK" if ok else "WRONG")); 	sys.exit(0 if ok else 1)' $$root/solution.json $$root/starter.json

# The one table of steps agrees with the kit and the grader (check-steps);
# the exercises and solutions compile without warnings with gcc and clang
# under the grader's flags (check-warnings).
check-steps: $(GRADE_BIN)
	@tests/course/check-steps.sh $(GRADE_BIN)
check-warnings:
	@tests/course/check-warnings.sh -std=c11 -D_GNU_SOURCE $(UV_CFLAGS) $(WARN) $(LEARNER_CFLAGS) -O1 -g
# what `make` shows says the next thing to do, in each state (check-progress)
check-progress:
	@tests/course/check-progress-screen.sh

# The learner's loop in a fresh copy of the kit (make, make 05 broken, make
# 05 fixed): quiet, the error at the learner's file and line, verdicts first.
check-loop: all $(GRADE_BIN) $(CHART_BIN)
	@tests/course/learner-loop.sh $(BUILD)/course/loop

EXTRA_TESTS += check-course check-hostile check-hints check-steps check-warnings check-progress check-loop

# make bench-grade: one full submission (all 14 steps) graded, then 50
# submissions through grade-all (both cores). The submissions are made in
# $(BUILD)/bench-grade/ from mixes of solutions and untouched exercises, so
# that passing, failing and timing-out checks all take their real time.
# Goals (issue 11, sandbox included): one under 10 s, fifty under 3 minutes.
BENCH_GRADE := $(BUILD)/bench-grade
BENCH_GRADE_N ?= 50
bench-grade: lib $(GRADE_BIN) $(CHART_BIN)
	@rm -rf $(BENCH_GRADE) && mkdir -p $(BENCH_GRADE)/one $(BENCH_GRADE)/batch
	@i=0; while [ $$i -lt $(BENCH_GRADE_N) ]; do i=$$((i + 1)); \
	  d=$(BENCH_GRADE)/batch/student$$(printf '%03d' $$i); mkdir -p $$d/exercises $$d/answers; \
	  for f in exercises/[0-9][0-9]_*.c; do b=$$(basename $$f .c); n=$${b%%_*}; n=$${n#0}; \
	    if [ $$(( (n * 7 + i * 3) % 4 )) -ne 0 ]; then \
	      cp solutions/$$b.c $$d/exercises/; cp solutions/answers/$$b.answers $$d/answers/; \
	    else cp $$f $$d/exercises/; cp answers/$$b.answers $$d/answers/; fi; done; done
	@mkdir -p $(BENCH_GRADE)/one/student/answers && cp -r solutions $(BENCH_GRADE)/one/student/exercises \
	  && cp solutions/answers/*.answers $(BENCH_GRADE)/one/student/answers/
	@$(GRADE_ENV) $(GRADE_BIN) --kit . -j $(GRADE_JOBS) grade-all $(BENCH_GRADE)/one --out $(BENCH_GRADE)/one-out \
	  > $(BENCH_GRADE)/one.log 2>&1; \
	  awk '/^grade-all:/ { for (i = 1; i <= NF; i++) if ($$i == "in" && s == "") s = $$(i + 1) } \
	       END { if (s == "") { print "bench-grade: grade_one failed, see $(BENCH_GRADE)/one.log"; exit 1 } \
	             printf "bench grade_one seconds=%s\n", s }' $(BENCH_GRADE)/one.log
	@$(GRADE_ENV) $(GRADE_BIN) --kit . -j $(GRADE_JOBS) grade-all $(BENCH_GRADE)/batch --out $(BENCH_GRADE)/batch-out \
	  > $(BENCH_GRADE)/batch.log 2>&1; \
	  awk -v n=$(BENCH_GRADE_N) '/^grade-all:/ { for (i = 1; i <= NF; i++) if ($$i == "in" && s == "") s = $$(i + 1) } \
	       END { if (s == "") { print "bench-grade: grade_batch failed, see $(BENCH_GRADE)/batch.log"; exit 1 } \
	             printf "bench grade_batch submissions=%d seconds=%s\n", n, s }' $(BENCH_GRADE)/batch.log
	@echo "bench-grade: gradebook $(BENCH_GRADE)/batch-out/gradebook.csv (goals: one < 10 s, 50 < 180 s, on 2 free cores)"

# mk/site.mk — the lessons as a site, their code tested, and sequence charts
# of real runs. -included by the top Makefile.
#
#   make lessons          build/site/ (index, one page per lesson, charts, EPUB)
#                         and build/man/*.1, with pandoc; warnings and broken
#                         links fail it (tools/site/build-site.sh)
#   make test-lessons     every C block of the lessons compiled, the runnable
#                         ones run and their output compared; the site built
#                         and opened in headless Chromium at 1000 and 390 px,
#                         the EPUB through epubcheck (in make test)
#   make trace STEP=07    your exercise's run as a chart, beside the solution's:
#                         build/trace/07.html
#
# Charts are drawn by build/bin/tapa-chart (tools/tapa-chart.c) from runs with
# TAPA_TRACE and TAPA_FAST=1: tools/site/charts.txt (solutions) and the
# lessons' {.c .run chart=...} blocks.

SITE := $(BUILD)/site
SITE_ENV = CC="$(CC)" TAPA_CFLAGS="-std=c11 -D_GNU_SOURCE $(UV_CFLAGS) $(WARN) $(LEARNER_CFLAGS) -O1 -g" \
           TAPA_LIB="$(BUILD)/release/lib/libtapa.a" TAPA_LIBS="$(LIBS)" TAPA_BIN="$(BUILD)/bin"
SITE_DEPS := lib $(BUILD)/bin/tapa-chart $(BUILD)/bin/tapa-node

.PHONY: lessons lessons-code test-lessons trace

# the code blocks (compiled, run, compared) and the charts from their runs
lessons-code: $(SITE_DEPS)
	@$(SITE_ENV) tools/site/run-blocks.sh $(BUILD)/lessons $(SITE)/charts

lessons: lessons-code
	@command -v pandoc >/dev/null || { echo "make lessons needs pandoc: make setup"; exit 1; }
	@tools/site/build-site.sh $(SITE) $(BUILD)/man

test-lessons: lessons $(BUILD)/asan/bin/tapa-chart
	@tests/lessons/test-chart.sh $(BUILD)/bin/tapa-chart $(BUILD)/lessons/chart-test $(SITE)/charts
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1 \
	  tests/lessons/test-chart.sh $(BUILD)/asan/bin/tapa-chart $(BUILD)/lessons/chart-test-asan >/dev/null || \
	  { echo "chart test: FAILED under AddressSanitizer+UBSan (tapa-chart reads outside input)"; exit 1; }
	@echo "chart test: the same under AddressSanitizer+UBSan: clean"
	@tests/lessons/browser-check.sh $(SITE) $(BUILD)/lessons/browser
	@tests/lessons/epub-check.sh $(SITE)/tapas-in-c.epub

trace: $(SITE_DEPS)
	@test -n "$(STEP)" || { echo "usage: make trace STEP=07"; exit 2; }
	@$(SITE_ENV) tools/site/trace-step.sh "$(STEP)" $(BUILD)/trace

EXTRA_TESTS += test-lessons

# tapa-chart is tools/tapa-chart.c (its main) and its stages in tools/chart/
CHART_SRC := $(wildcard tools/chart/*.c)
$(BUILD)/release/bin/tapa-chart: tools/tapa-chart.c $(CHART_SRC) tools/chart/chart.h
	@mkdir -p $(@D)
	$(call say,LINK,$@)$(CC) $(BASE_CFLAGS) -O2 -g $< $(CHART_SRC) -o $@
$(BUILD)/asan/bin/tapa-chart: tools/tapa-chart.c $(CHART_SRC) tools/chart/chart.h
	@mkdir -p $(@D)
	$(call say,LINK,$@)$(CC) $(BASE_CFLAGS) $(asan_CFLAGS) $< $(CHART_SRC) -o $@ $(asan_LDFLAGS)

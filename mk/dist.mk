# mk/dist.mk — distribution: the interop tests against real erl nodes and
# other C nodes (tests/interop/), run by `make test` via EXTRA_TESTS.

INTEROP_BIN := $(BUILD)/release/interop

$(INTEROP_BIN)/%: tests/interop/%.c $(BUILD)/release/lib/libtapa.a
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(release_CFLAGS) $< -o $@ $(BUILD)/release/lib/libtapa.a $(LIBS)

.PHONY: test-interop
test-interop: $(INTEROP_BIN)/dist_driver $(BUILD)/bin/tapa-node $(BUILD)/bin/tapa-epmd
	@tests/interop/interop.sh $(INTEROP_BIN)/dist_driver $(BUILD)/bin

EXTRA_TESTS += test-interop

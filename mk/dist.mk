# mk/dist.mk — distribution: the interop tests against real erl nodes and
# other C nodes (tests/interop/), run by `make test` via EXTRA_TESTS.

INTEROP_BIN := $(BUILD)/release/interop

$(INTEROP_BIN)/%: tests/interop/%.c $(BUILD)/release/lib/libtapa.a $(BUILD)/release/lib/libtapa-internal.a
	@mkdir -p $(@D)
	$(call say,LINK,$@)$(CC) $(BASE_CFLAGS) $(release_CFLAGS) $(release_LINKFLAGS) $< -o $@ $(BUILD)/release/lib/$(call lib_for,$*) $(LIBS)

# the drivers that play a raw, hostile peer share its sockets (raw_peer.c)
RAW_PEER_DRIVERS := $(INTEROP_BIN)/dist_abuse $(INTEROP_BIN)/dist_hostile
$(RAW_PEER_DRIVERS): $(INTEROP_BIN)/%: tests/interop/%.c tests/interop/raw_peer.c tests/interop/raw_peer.h \
                     $(BUILD)/release/lib/libtapa-internal.a
	@mkdir -p $(@D)
	$(call say,LINK,$@)$(CC) $(BASE_CFLAGS) $(release_CFLAGS) $(release_LINKFLAGS) $< tests/interop/raw_peer.c -o $@ \
	  $(BUILD)/release/lib/$(call lib_for,$*) $(LIBS)

# an LD_PRELOAD shim: lookups of hosts named slow* take 1.5 s (dist_noblock)
$(INTEROP_BIN)/slow_dns.so: tests/interop/slow_dns.c
	@mkdir -p $(@D)
	$(CC) -shared -fPIC -O2 -Wall -Wextra $< -o $@ -ldl

.PHONY: test-interop
test-interop: $(INTEROP_BIN)/dist_driver $(INTEROP_BIN)/dist_hostile $(INTEROP_BIN)/dist_abuse $(INTEROP_BIN)/dist_burst $(INTEROP_BIN)/dist_noblock $(INTEROP_BIN)/slow_dns.so $(BUILD)/bin/tapa-node $(BUILD)/bin/tapa-epmd
	@tests/interop/interop.sh $(INTEROP_BIN)/dist_driver $(BUILD)/bin

EXTRA_TESTS += test-interop

# libei (erlang-dev) as a second decoder of what libtapa encodes.
EI_DIR := $(lastword $(sort $(wildcard /usr/lib/erlang/lib/erl_interface-*)))

$(INTEROP_BIN)/etf_libei: tests/interop/etf_libei.c $(BUILD)/release/lib/libtapa-internal.a
	@mkdir -p $(@D)
	$(call say,LINK,$@)$(CC) $(BASE_CFLAGS) $(release_CFLAGS) $(release_LINKFLAGS) -D_REENTRANT -pthread -I$(EI_DIR)/include $< -o $@ \
	  $(BUILD)/release/lib/libtapa-internal.a -L$(EI_DIR)/lib -lei $(LIBS)

.PHONY: test-libei
ifeq ($(EI_DIR),)
test-libei:
	@echo "libei: SKIPPED: erl_interface is not installed (apt-get install erlang-dev runs this test)"
else
test-libei: $(INTEROP_BIN)/etf_libei
	@$(INTEROP_BIN)/etf_libei
endif

EXTRA_TESTS += test-libei

# make bench: 3,000,000 messages from one C process to an erl sink, all in
# order (make test runs 200,000 with a small output limit).
.PHONY: bench-burst
bench-burst: $(INTEROP_BIN)/dist_burst
	@tests/interop/burst-bench.sh $(INTEROP_BIN)/dist_burst $(BURST_COUNT)
bench: bench-burst

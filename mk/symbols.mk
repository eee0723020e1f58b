# mk/symbols.mk — the library exports its API only (issue 12): libtapa.a is
# one object whose only global symbols are tapa_* (tools/link-api.sh), the
# shared library exports tapa_* only (tools/libtapa.map), and the kit's own
# programs link libtapa-internal.a (the Makefile).
#
#   make check-symbols   the exported symbols of libtapa.a and of the shared
#                        library, any without tapa_ named; a learner's program
#                        with its own flush, receive, utf8_decode, heap_copy...
#                        linked with each (and into make iex's shell) and run
#                        (in make test; make test-clang and test-arm64 run it
#                        on their builds too)

.PHONY: check-symbols
check-symbols: lib $(if $(IEX_SKIP),,$(BUILD)/release/lib/libtapa-iex.a)
	@CC="$(CC)" NM="$(NM)" TAPA_TARGET="$(TAPA_TARGET)" TAPA_CFLAGS="-std=c11 -D_GNU_SOURCE $(UV_CFLAGS) $(WARN) -O1 -g" \
	  TAPA_LIBS="$(LIBS)" TAPA_IEX_LIBS="$(IEX_LIBS)" \
	  tests/symbols/check-symbols.sh $(BUILD)/symbols $(BUILD)/release/lib/libtapa.a $(SHLIB) \
	  $(if $(IEX_SKIP),,$(BUILD)/release/lib/libtapa-iex.a)

EXTRA_TESTS += check-symbols

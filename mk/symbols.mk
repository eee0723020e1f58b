# mk/symbols.mk — the library exports its API only (issue 12): the runtime's
# internal globals are compiled as tapa_i_* (runtime/internal_names.h, made
# by tools/internal-names.sh), so every global of libtapa.a is tapa_*; the
# shared library exports tapa_* only (tools/libtapa.map).
#
#   make internal-names  regenerates runtime/internal_names.h after a new
#                        internal global appears (check-symbols names it)
#
#   make check-symbols   the exported symbols of libtapa.a and of the shared
#                        library, any without tapa_ named; a learner's program
#                        with its own flush, receive, utf8_decode, heap_copy...
#                        linked with each (and into make iex's shell) and run
#                        (in make test; make test-clang and test-arm64 run it
#                        on their builds too)

.PHONY: check-symbols
check-symbols: lib $(if $(IEX_SKIP),,$(BUILD)/release/lib/libtapa-iex.a)
	@CC="$(CC)" NM="$(NM)" TAPA_TARGET="$(TAPA_TARGET)" TAPA_CFLAGS="-std=c11 -D_GNU_SOURCE $(UV_CFLAGS) $(WARN) -O1 -g $(LTO)" \
	  TAPA_LIBS="$(LIBS)" TAPA_IEX_LIBS="$(IEX_LIBS)" \
	  tests/symbols/check-symbols.sh $(BUILD)/symbols $(BUILD)/release/lib/libtapa.a $(SHLIB) \
	  $(if $(IEX_SKIP),,$(BUILD)/release/lib/libtapa-iex.a)

EXTRA_TESTS += check-symbols

# The header renames the globals of objects compiled with it in force, so
# the list is read back from them (tapa_i_X gives X) plus any new name.
.PHONY: internal-names
internal-names: $(release_OBJ)
	@tools/internal-names.sh "$(NM)" $(release_OBJ) > $(INTERNAL_NAMES).tmp && mv $(INTERNAL_NAMES).tmp $(INTERNAL_NAMES)
	@echo "internal-names: $(INTERNAL_NAMES) renames $$(grep -c '^#define .* tapa_i_' $(INTERNAL_NAMES)) internal globals"

/* fuzz_etf.c — libFuzzer target for the external term format decoder.
 * Whatever the bytes, decoding must fail cleanly or give a term that
 * encodes and decodes back to an equal term. */
#include "dist/etf.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        atoms_init();
        ready = true;
    }
    tapa_heap heap;
    heap_init(&heap);
    tapa_heap *saved = tapa_current_heap;
    tapa_current_heap = &heap;
    etf_limits lim = etf_default_limits;
    lim.max_inflated = 1u << 20;
    lim.max_new_atoms = 64;
    char err[256];
    size_t used;
    tapa_term t = etf_decode(data, size, &used, &lim, err, sizeof err);
    if (t) {
        if (used > size) abort();
        dbuf b = {0};
        if (!etf_encode(&b, t, err, sizeof err)) abort();
        tapa_term again = etf_decode(b.data, b.len, NULL, &lim, err, sizeof err);
        if (!again || !tapa_equal(t, again)) abort();
        dbuf_free(&b);
    } else if (!err[0]) {
        abort(); /* a failure must say why */
    }
    tapa_current_heap = saved;
    heap_destroy(&heap);
    return 0;
}

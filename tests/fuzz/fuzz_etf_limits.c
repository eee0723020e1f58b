/* fuzz_etf_limits.c — libFuzzer target for the decoder's limits. The
 * first byte picks tight limits (memory per byte of input, nesting, new
 * atoms and node incarnations a peer may add); the rest is the term.
 * Whatever the bytes: decoding fails with a reason or succeeds, never
 * allocates more heap than etf_decode_budget allows, and never spends more
 * of a peer's budgets than it had. */
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
    if (size < 1) return 0;
    uint8_t pick = data[0];
    data++, size--;
    etf_limits lim = etf_default_limits;
    lim.max_inflated = 1u << 16;
    lim.max_new_atoms = 64;
    lim.heap_per_byte = 1 + (pick & 7) * 16; /* 1 .. 113 */
    lim.heap_floor = 256;
    lim.max_depth = (pick & 0x30) ? 4u << ((pick >> 4) & 3) : 100000;
    uint32_t atoms_left = pick & 0x40 ? 2 : 1000, nodes_left = pick & 0x80 ? 1 : 1000;
    uint32_t atoms0 = atoms_left, nodes0 = nodes_left;
    lim.atoms_left = &atoms_left;
    lim.nodes_left = &nodes_left;
    tapa_heap heap;
    heap_init(&heap);
    tapa_heap *saved = tapa_current_heap;
    tapa_current_heap = &heap;
    char err[256];
    size_t used;
    tapa_term t = etf_decode(data, size, &used, &lim, err, sizeof err);
    if (heap.bytes > etf_decode_budget(&lim, size)) abort(); /* past the memory budget */
    if (atoms_left > atoms0 || nodes_left > nodes0) abort(); /* counters wrapped */
    if (t && used > size) abort();
    if (!t && !err[0]) abort(); /* a failure must say why */
    tapa_current_heap = saved;
    heap_destroy(&heap);
    return 0;
}

/* hash.h — the kit's one string hash: FNV-1a (Fowler, Noll, Vo), in its
 * 32- and 64-bit forms, for the atom table, the pattern cache, receive's
 * clause cache and the stand-in for a fun's "uniq". Not for anything a
 * peer could use to collide on purpose where that matters.
 *
 * The offset bases and primes are the published ones
 * (http://www.isthe.com/chongo/tech/comp/fnv/); tests/unit/test_support.c
 * checks them against the published test vectors.
 */
#ifndef TAPA_SUPPORT_HASH_H
#define TAPA_SUPPORT_HASH_H

#include <stddef.h>
#include <stdint.h>

#define TAPA_FNV32_BASIS 2166136261u /* 0x811c9dc5 */
#define TAPA_FNV32_PRIME 16777619u
#define TAPA_FNV64_BASIS 14695981039346656037ull /* 0xcbf29ce484222325 */
#define TAPA_FNV64_PRIME 1099511628211ull

/* One FNV-1a step: mix v (a byte, or a whole word) into h. */
static inline uint32_t tapa_fnv32_mix(uint32_t h, uint32_t v)
{
    return (h ^ v) * TAPA_FNV32_PRIME;
}
static inline uint64_t tapa_fnv64_mix(uint64_t h, uint64_t v)
{
    return (h ^ v) * TAPA_FNV64_PRIME;
}

/* FNV-1a of the bytes data[0..len), continuing from h (TAPA_FNV32_BASIS /
 * TAPA_FNV64_BASIS to start). */
static inline uint32_t tapa_fnv32_bytes(uint32_t h, const void *data, size_t len)
{
    const uint8_t *p = data;
    for (size_t i = 0; i < len; i++) h = tapa_fnv32_mix(h, p[i]);
    return h;
}

static inline uint64_t tapa_fnv64_bytes(uint64_t h, const void *data, size_t len)
{
    const uint8_t *p = data;
    for (size_t i = 0; i < len; i++) h = tapa_fnv64_mix(h, p[i]);
    return h;
}

static inline uint32_t tapa_fnv1a32(const void *data, size_t len)
{
    return tapa_fnv32_bytes(TAPA_FNV32_BASIS, data, len);
}
static inline uint64_t tapa_fnv1a64(const void *data, size_t len)
{
    return tapa_fnv64_bytes(TAPA_FNV64_BASIS, data, len);
}

#endif

/* utf8.h — the kit's one UTF-8 decoder and encoder, shared by the runtime
 * (atoms, strings, the literal parser, the external term format, the IO
 * protocol) and the tools (tapa-iex, tapa-grade's reports).
 *
 * Strict, as Erlang's unicode module is: an overlong form, a surrogate
 * (U+D800..U+DFFF), a value past U+10FFFF, a stray continuation byte or a
 * sequence cut short is not UTF-8.
 */
#ifndef TAPA_SUPPORT_UTF8_H
#define TAPA_SUPPORT_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TAPA_UTF8_MAX_BYTES 4
#define TAPA_UNICODE_MAX 0x10FFFF

/* A Unicode scalar value: a code point that UTF-8 may carry. */
static inline bool tapa_unicode_scalar(int64_t cp)
{
    return cp >= 0 && cp <= TAPA_UNICODE_MAX && !(cp >= 0xD800 && cp <= 0xDFFF);
}

/* The length (1 to 4) of the UTF-8 character at s, reading at most len
 * bytes, with its code point in *cp; 0 when s[0..len) does not start with
 * one (or len is 0). Stops at the first byte that is not a continuation,
 * so a NUL-terminated string may pass SIZE_MAX as len. */
size_t tapa_utf8_decode(const uint8_t *s, size_t len, uint32_t *cp);

/* Writes cp as UTF-8 to out and returns its length (1 to 4); 0, writing
 * nothing, when cp is not a Unicode scalar value. */
size_t tapa_utf8_encode(uint32_t cp, uint8_t out[TAPA_UTF8_MAX_BYTES]);

/* The characters in s[0..len) when all of it is UTF-8, else -1. */
long tapa_utf8_count(const uint8_t *s, size_t len);

#endif

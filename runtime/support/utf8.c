/* utf8.c — the kit's one UTF-8 decoder and encoder (see utf8.h). */
#include "support/utf8.h"

size_t tapa_utf8_decode(const uint8_t *s, size_t len, uint32_t *cp)
{
    if (len == 0) return 0;
    uint8_t lead = s[0];
    if (lead < 0x80) {
        *cp = lead;
        return 1;
    }
    /* 0x80..0xBF continue a character; 0xF5 and up would pass U+10FFFF */
    size_t n = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
    if (n == 0 || lead > 0xF4 || n > len) return 0;
    uint32_t v = lead & (0x3Fu >> (n - 1));
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    /* the shortest form only: a longer one hides what it says from checks */
    static const uint32_t least[TAPA_UTF8_MAX_BYTES + 1] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < least[n] || !tapa_unicode_scalar(v)) return 0;
    *cp = v;
    return n;
}

size_t tapa_utf8_encode(uint32_t cp, uint8_t out[TAPA_UTF8_MAX_BYTES])
{
    if (!tapa_unicode_scalar(cp)) return 0;
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    size_t n = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    static const uint8_t lead_bits[TAPA_UTF8_MAX_BYTES + 1] = {0, 0, 0xC0, 0xE0, 0xF0};
    for (size_t i = n; i-- > 1; cp >>= 6) out[i] = (uint8_t)(0x80 | (cp & 0x3F));
    out[0] = (uint8_t)(lead_bits[n] | cp);
    return n;
}

long tapa_utf8_count(const uint8_t *s, size_t len)
{
    long chars = 0;
    for (size_t i = 0; i < len; chars++) {
        uint32_t cp;
        size_t n = tapa_utf8_decode(s + i, len - i, &cp);
        if (n == 0) return -1;
        i += n;
    }
    return chars;
}

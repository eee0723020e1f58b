/* test_support.c — the helpers the runtime and the tools share
 * (runtime/support/): the one UTF-8 decoder and encoder, checked on the
 * inputs a hostile peer or a careless string would bring (overlongs,
 * surrogates, values past U+10FFFF, sequences cut short), and the one
 * FNV-1a hash, checked against the published test vectors (a basis that
 * loses a digit fails here). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "support/hash.h"
#include "support/utf8.h"

/* tapa_utf8_decode on a string literal (its length without the NUL). */
static size_t decode(const char *s, size_t len, uint32_t *cp)
{
    return tapa_utf8_decode((const uint8_t *)s, len, cp);
}

static void test_utf8_decodes_each_length(void **state)
{
    (void)state;
    uint32_t cp = 0;
    assert_int_equal(decode("A", 1, &cp), 1);
    assert_int_equal(cp, 0x41);
    assert_int_equal(decode("\xC3\xA9", 2, &cp), 2); /* é */
    assert_int_equal(cp, 0xE9);
    assert_int_equal(decode("\xE2\x82\xAC", 3, &cp), 3); /* € */
    assert_int_equal(cp, 0x20AC);
    assert_int_equal(decode("\xF0\x9F\x98\x80", 4, &cp), 4); /* 😀, U+1F600 */
    assert_int_equal(cp, 0x1F600);
    assert_int_equal(decode("\xF4\x8F\xBF\xBF", 4, &cp), 4); /* the last code point */
    assert_int_equal(cp, 0x10FFFF);
    /* the edges of each length */
    assert_int_equal(decode("\x7F", 1, &cp), 1);
    assert_int_equal(decode("\xC2\x80", 2, &cp), 2);
    assert_int_equal(cp, 0x80);
    assert_int_equal(decode("\xE0\xA0\x80", 3, &cp), 3);
    assert_int_equal(cp, 0x800);
    assert_int_equal(decode("\xF0\x90\x80\x80", 4, &cp), 4);
    assert_int_equal(cp, 0x10000);
    assert_int_equal(decode("\xED\x9F\xBF", 3, &cp), 3); /* U+D7FF, just below the surrogates */
    assert_int_equal(decode("\xEE\x80\x80", 3, &cp), 3); /* U+E000, just above */
    /* only the first character is read */
    assert_int_equal(decode("\xC3\xA9z", 3, &cp), 2);
}

static void test_utf8_refuses_overlongs(void **state)
{
    (void)state;
    uint32_t cp = 12345;
    assert_int_equal(decode("\xC0\xAF", 2, &cp), 0); /* '/' in two bytes */
    assert_int_equal(decode("\xC1\xBF", 2, &cp), 0);
    assert_int_equal(decode("\xC0\x80", 2, &cp), 0); /* NUL in two bytes (modified UTF-8) */
    assert_int_equal(decode("\xE0\x80\xAF", 3, &cp), 0);
    assert_int_equal(decode("\xE0\x9F\xBF", 3, &cp), 0); /* U+7FF in three bytes */
    assert_int_equal(decode("\xF0\x80\x80\xAF", 4, &cp), 0);
    assert_int_equal(decode("\xF0\x8F\xBF\xBF", 4, &cp), 0); /* U+FFFF in four bytes */
    assert_int_equal(cp, 12345); /* a refusal leaves *cp alone */
}

static void test_utf8_refuses_surrogates(void **state)
{
    (void)state;
    uint32_t cp;
    assert_int_equal(decode("\xED\xA0\x80", 3, &cp), 0); /* U+D800 */
    assert_int_equal(decode("\xED\xAD\xBF", 3, &cp), 0); /* U+DB7F */
    assert_int_equal(decode("\xED\xB0\x80", 3, &cp), 0); /* U+DC00 */
    assert_int_equal(decode("\xED\xBF\xBF", 3, &cp), 0); /* U+DFFF */
    /* CESU-8's pair for U+1F600 is not UTF-8 either */
    assert_int_equal(decode("\xED\xA0\xBD\xED\xB8\x80", 6, &cp), 0);
}

static void test_utf8_refuses_past_10ffff(void **state)
{
    (void)state;
    uint32_t cp;
    assert_int_equal(decode("\xF4\x90\x80\x80", 4, &cp), 0); /* U+110000 */
    assert_int_equal(decode("\xF5\x80\x80\x80", 4, &cp), 0);
    assert_int_equal(decode("\xF7\xBF\xBF\xBF", 4, &cp), 0); /* U+1FFFFF */
    assert_int_equal(decode("\xF8\x88\x80\x80\x80", 5, &cp), 0); /* the old 5-byte form */
    assert_int_equal(decode("\xFC\x84\x80\x80\x80\x80", 6, &cp), 0); /* and 6-byte */
    assert_int_equal(decode("\xFE", 1, &cp), 0);
    assert_int_equal(decode("\xFF", 1, &cp), 0);
}

static void test_utf8_refuses_truncated_and_stray(void **state)
{
    (void)state;
    uint32_t cp;
    /* cut short by the length given: the bytes after it are never read */
    assert_int_equal(decode("\xC3\xA9", 1, &cp), 0);
    assert_int_equal(decode("\xE2\x82\xAC", 2, &cp), 0);
    assert_int_equal(decode("\xF0\x9F\x98\x80", 3, &cp), 0);
    assert_int_equal(decode("A", 0, &cp), 0);
    /* cut short by the NUL of a C string, with "no limit" as the length */
    assert_int_equal(decode("\xE2\x82", SIZE_MAX, &cp), 0);
    assert_int_equal(decode("\xF0\x9F\x98", SIZE_MAX, &cp), 0);
    /* a continuation byte where a character starts, or an ASCII byte
     * where a continuation belongs */
    assert_int_equal(decode("\x80", 1, &cp), 0);
    assert_int_equal(decode("\xBF", 1, &cp), 0);
    assert_int_equal(decode("\xC3"
                            "A",
                            2, &cp),
                     0);
    assert_int_equal(decode("\xE2\x82"
                            "A",
                            3, &cp),
                     0);
    assert_int_equal(decode("\xF0\x9F\x98"
                            "A",
                            4, &cp),
                     0);
}

static void test_utf8_count(void **state)
{
    (void)state;
    const char ok[] = "h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80";
    assert_int_equal(tapa_utf8_count((const uint8_t *)ok, strlen(ok)), 9);
    assert_int_equal(tapa_utf8_count((const uint8_t *)"", 0), 0);
    const char bad[] = "abc\xED\xA0\x80";
    assert_int_equal(tapa_utf8_count((const uint8_t *)bad, strlen(bad)), -1);
    assert_int_equal(tapa_utf8_count((const uint8_t *)ok, strlen(ok) - 1), -1); /* cut */
}

static void test_utf8_encode_round_trips(void **state)
{
    (void)state;
    static const uint32_t cps[] = {0,      0x41,   0x7F,    0x80,    0xE9,
                                   0x7FF,  0x800,  0x20AC,  0xD7FF,  0xE000,
                                   0xFFFD, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF};
    for (size_t i = 0; i < sizeof cps / sizeof *cps; i++) {
        uint8_t b[TAPA_UTF8_MAX_BYTES];
        size_t n = tapa_utf8_encode(cps[i], b);
        size_t want = cps[i] < 0x80 ? 1 : cps[i] < 0x800 ? 2 : cps[i] < 0x10000 ? 3 : 4;
        assert_int_equal(n, want);
        uint32_t back = 0;
        assert_int_equal(tapa_utf8_decode(b, n, &back), n);
        assert_int_equal(back, cps[i]);
    }
    uint8_t b[TAPA_UTF8_MAX_BYTES];
    assert_int_equal(tapa_utf8_encode(0x20AC, b), 3);
    assert_memory_equal(b, "\xE2\x82\xAC", 3);
    /* no bytes for what is not a character */
    assert_int_equal(tapa_utf8_encode(0xD800, b), 0);
    assert_int_equal(tapa_utf8_encode(0xDFFF, b), 0);
    assert_int_equal(tapa_utf8_encode(0x110000, b), 0);
    assert_int_equal(tapa_utf8_encode(UINT32_MAX, b), 0);
    assert_false(tapa_unicode_scalar(-1));
    assert_true(tapa_unicode_scalar(0x10FFFF));
}

/* Every 1- to 3-byte sequence, checked against the definition: decoding
 * accepts exactly what encoding produces. */
static void test_utf8_agrees_with_encoder_everywhere(void **state)
{
    (void)state;
    size_t accepted = 0;
    for (uint32_t v = 0; v < (1u << 24); v++) {
        uint8_t s[3] = {(uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
        uint32_t cp;
        size_t n = tapa_utf8_decode(s, 3, &cp);
        if (n == 0) continue;
        uint8_t again[TAPA_UTF8_MAX_BYTES];
        assert_int_equal(tapa_utf8_encode(cp, again), n);
        assert_memory_equal(again, s, n);
        if (n == 3) accepted++;
    }
    /* the 3-byte characters: U+0800..U+FFFF without the 2048 surrogates */
    assert_int_equal(accepted, 0x10000 - 0x800 - 0x800);
}

/* The published FNV-1a vectors (Noll's test suite). */
static void test_fnv1a_vectors(void **state)
{
    (void)state;
    assert_true(tapa_fnv1a64("", 0) == 0xcbf29ce484222325ull);
    assert_true(tapa_fnv1a64("a", 1) == 0xaf63dc4c8601ec8cull);
    assert_true(tapa_fnv1a64("foobar", 6) == 0x85944171f73967e8ull);
    assert_int_equal(tapa_fnv1a32("", 0), 0x811c9dc5u);
    assert_int_equal(tapa_fnv1a32("a", 1), 0xe40c292cu);
    assert_int_equal(tapa_fnv1a32("foobar", 6), 0xbf9cf968u);
    /* hashing in pieces is hashing the whole */
    assert_true(tapa_fnv64_bytes(tapa_fnv1a64("foo", 3), "bar", 3) == tapa_fnv1a64("foobar", 6));
    assert_int_equal(tapa_fnv32_bytes(tapa_fnv1a32("foo", 3), "bar", 3), tapa_fnv1a32("foobar", 6));
    assert_int_equal(tapa_fnv32_mix(TAPA_FNV32_BASIS, 'a'), 0xe40c292cu);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_decodes_each_length),
        cmocka_unit_test(test_utf8_refuses_overlongs),
        cmocka_unit_test(test_utf8_refuses_surrogates),
        cmocka_unit_test(test_utf8_refuses_past_10ffff),
        cmocka_unit_test(test_utf8_refuses_truncated_and_stray),
        cmocka_unit_test(test_utf8_count),
        cmocka_unit_test(test_utf8_encode_round_trips),
        cmocka_unit_test(test_utf8_agrees_with_encoder_everywhere),
        cmocka_unit_test(test_fnv1a_vectors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

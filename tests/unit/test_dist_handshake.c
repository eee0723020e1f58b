/* test_dist_handshake.c — the 'N' handshake state machines, run against
 * each other in memory: the happy path in one piece and byte by byte,
 * wrong cookies, the old 'n' form, missing mandatory flags, the
 * simultaneous-connect statuses, and the digest itself.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "dist/handshake.h"

static int setup(void **state)
{
    (void)state;
    atoms_init();
    return 0;
}

/* Move what `from` wrote into `to`, chunk bytes at a time. */
static hs_result pump(handshake *from, handshake *to, size_t chunk)
{
    hs_result r = HS_MORE;
    dbuf out = from->out;
    from->out = (dbuf){0};
    for (size_t i = 0; i < out.len && r == HS_MORE; i += chunk) {
        size_t n = out.len - i < chunk ? out.len - i : chunk;
        r = hs_feed(to, out.data + i, n);
    }
    if (!out.len) r = hs_feed(to, NULL, 0);
    dbuf_free(&out);
    return r;
}

static const char *status_ok(void *ctx, handshake *hs)
{
    (void)hs;
    return ctx ? ctx : "ok";
}

/* Runs a handshake to its end; returns the acceptor's and initiator's results. */
static void run(const char *cookie_a, const char *cookie_b, size_t chunk, const char *status,
                hs_result *ra, hs_result *rb, handshake *a, handshake *b)
{
    hs_init_initiator(a, "a@127.0.0.1", "b@127.0.0.1", cookie_a, 7, 0x12345678);
    hs_init_acceptor(b, "b@127.0.0.1", cookie_b, 9, 0xfedcba98, status_ok, (void *)status);
    *ra = *rb = HS_MORE;
    for (int round = 0; round < 10 && (*ra == HS_MORE || *rb == HS_MORE); round++) {
        if (*rb == HS_MORE) *rb = pump(a, b, chunk);
        if (*ra == HS_MORE) *ra = pump(b, a, chunk);
        if (*ra == HS_FAIL || *rb == HS_FAIL) break;
    }
}

static void test_digest(void **state)
{
    (void)state;
    static const uint8_t want[16] = {93,  253, 24,  30, 105, 170, 88, 124,
                                     200, 18,  235, 51, 62,  101, 54, 182};
    uint8_t got[16];
    hs_digest("secret", 6, 4294967295u, got); /* the challenge as unsigned decimal */
    assert_memory_equal(got, want, 16);
}

static void test_handshake_ok(void **state)
{
    (void)state;
    size_t chunks[] = {1, 3, 1000};
    for (size_t i = 0; i < 3; i++) {
        handshake a, b;
        hs_result ra, rb;
        run("cookie", "cookie", chunks[i], "ok", &ra, &rb, &a, &b);
        assert_int_equal(ra, HS_DONE);
        assert_int_equal(rb, HS_DONE);
        assert_string_equal(b.peer_name, "a@127.0.0.1");
        assert_int_equal(a.peer_creation, 9);
        assert_int_equal(b.peer_creation, 7);
        assert_true((a.peer_flags & DFLAG_MANDATORY_25) == DFLAG_MANDATORY_25);
        assert_false(a.peer_flags & (DFLAG_PUBLISHED | DFLAG_ATOM_CACHE | DFLAG_FRAGMENTS));
        hs_free(&a);
        hs_free(&b);
    }
}

static void test_wrong_cookie(void **state)
{
    (void)state;
    handshake a, b;
    hs_result ra, rb;
    run("cookie", "other", 1000, "ok", &ra, &rb, &a, &b);
    assert_int_equal(rb, HS_FAIL);
    assert_true(b.refused_cookie);
    assert_non_null(strstr(b.why, "cookie"));
    assert_int_equal(b.out.len, 0); /* no ack for a wrong digest */
    hs_free(&a);
    hs_free(&b);
}

static void test_statuses(void **state)
{
    (void)state;
    handshake a, b;
    hs_result ra, rb;
    run("c", "c", 1000, "nok", &ra, &rb, &a, &b);
    assert_int_equal(ra, HS_FAIL);
    assert_string_equal(a.status, "nok");
    hs_free(&a);
    hs_free(&b);
    run("c", "c", 1000, "ok_simultaneous", &ra, &rb, &a, &b);
    assert_int_equal(ra, HS_DONE);
    assert_int_equal(rb, HS_DONE);
    hs_free(&a);
    hs_free(&b);
    run("c", "c", 1000, "alive", &ra, &rb, &a, &b); /* the initiator says true */
    assert_int_equal(ra, HS_DONE);
    assert_int_equal(rb, HS_DONE);
    hs_free(&a);
    hs_free(&b);
    run("c", "c", 1000, "not_allowed", &ra, &rb, &a, &b);
    assert_int_equal(ra, HS_FAIL);
    hs_free(&a);
    hs_free(&b);
}

static void test_refusals(void **state)
{
    (void)state;
    handshake b;
    /* the old 'n' send_name */
    hs_init_acceptor(&b, "b@h", "c", 1, 2, NULL, NULL);
    const uint8_t old[] = {0, 10, 'n', 0, 5, 0, 0, 0x7f, 0xfd, 'a', '@', 'h'};
    assert_int_equal(hs_feed(&b, old, sizeof old), HS_FAIL);
    assert_non_null(strstr(b.why, "'n'"));
    hs_free(&b);
    /* an 'N' without the mandatory flags gets not_allowed */
    hs_init_acceptor(&b, "b@h", "c", 1, 2, NULL, NULL);
    const uint8_t weak[] = {0, 18, 'N', 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 1, 0, 3, 'a', '@', 'h'};
    assert_int_equal(hs_feed(&b, weak, sizeof weak), HS_FAIL);
    assert_non_null(strstr(b.why, "mandatory"));
    assert_memory_equal(b.out.data + 2, "snot_allowed", 12);
    hs_free(&b);
    /* a name that does not fit its frame */
    hs_init_acceptor(&b, "b@h", "c", 1, 2, NULL, NULL);
    const uint8_t bad[] = {0, 17, 'N', 0, 0, 0, 0, 1, 7, 15, 0x94, 0, 0, 0, 1, 0, 9, 'a', '@', 'h'};
    assert_int_equal(hs_feed(&b, bad, sizeof bad), HS_FAIL);
    hs_free(&b);
}

/* A challenge frame: 'N' Flags:64 Challenge:32 Creation:32 Nlen:16 Name. */
static void challenge_frame(dbuf *b, uint64_t flags, const char *name)
{
    size_t n = strlen(name);
    dbuf_u16(b, (uint16_t)(1 + 8 + 4 + 4 + 2 + n));
    dbuf_u8(b, 'N');
    dbuf_u64(b, flags);
    dbuf_u32(b, 77);
    dbuf_u32(b, 5);
    dbuf_u16(b, (uint16_t)n);
    dbuf_put(b, name, n);
}

/* As initiator too, a peer without OTP 25's mandatory flags is refused:
 * no challenge reply (so no digest of our cookie) goes out. */
static void test_initiator_refuses_weak_flags(void **state)
{
    (void)state;
    uint64_t weak[] = {0, DFLAG_MANDATORY_25 & ~DFLAG_BIG_CREATION,
                       DFLAG_MANDATORY_25 & ~DFLAG_HANDSHAKE_23,
                       DFLAG_MANDATORY_25 & ~DFLAG_UTF8_ATOMS};
    for (size_t i = 0; i < sizeof weak / sizeof *weak; i++) {
        handshake a;
        hs_init_initiator(&a, "a@h", "b@h", "c", 1, 2);
        a.out.len = 0;
        dbuf in = {0};
        dbuf_u16(&in, 3);
        dbuf_put(&in, "sok", 3);
        challenge_frame(&in, weak[i], "b@h");
        assert_int_equal(hs_feed(&a, in.data, in.len), HS_FAIL);
        assert_non_null(strstr(a.why, "mandatory"));
        assert_int_equal(a.out.len, 0);
        dbuf_free(&in);
        hs_free(&a);
    }
    /* the full set passes */
    handshake a;
    hs_init_initiator(&a, "a@h", "b@h", "c", 1, 2);
    a.out.len = 0;
    dbuf in = {0};
    dbuf_u16(&in, 3);
    dbuf_put(&in, "sok", 3);
    challenge_frame(&in, DFLAG_MANDATORY_25, "b@h");
    assert_int_equal(hs_feed(&a, in.data, in.len), HS_MORE);
    assert_int_equal(a.out.data[2], 'r');
    dbuf_free(&in);
    hs_free(&a);
}

/* Names that would forge log lines (control characters) are refused, and
 * nothing but a status goes out before the peer is known. */
static void test_hostile_names(void **state)
{
    (void)state;
    const char *names[] = {"a\n@h", "a@h\r", "\x1b[31m@h", "a\x7f@h", "noat"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        handshake b;
        hs_init_acceptor(&b, "b@h", "c", 1, 2, NULL, NULL);
        size_t n = strlen(names[i]);
        dbuf in = {0};
        dbuf_u16(&in, (uint16_t)(1 + 8 + 4 + 2 + n));
        dbuf_u8(&in, 'N');
        dbuf_u64(&in, DFLAG_TAPA);
        dbuf_u32(&in, 1);
        dbuf_u16(&in, (uint16_t)n);
        dbuf_put(&in, names[i], n);
        assert_int_equal(hs_feed(&b, in.data, in.len), HS_FAIL);
        assert_int_equal(b.out.len, 0);
        dbuf_free(&in);
        hs_free(&b);
    }
}

/* Frames that are empty or arrive after a failure change nothing. */
static void test_garbage_frames(void **state)
{
    (void)state;
    handshake b;
    hs_init_acceptor(&b, "b@h", "c", 1, 2, NULL, NULL);
    const uint8_t empty[] = {0, 0};
    assert_int_equal(hs_feed(&b, empty, sizeof empty), HS_FAIL);
    const uint8_t more[] = {0, 3, 's', 'o', 'k'};
    assert_int_equal(hs_feed(&b, more, sizeof more), HS_FAIL);
    assert_int_equal(b.out.len, 0);
    hs_free(&b);
    /* an initiator given a challenge ack before any challenge */
    handshake a;
    hs_init_initiator(&a, "a@h", "b@h", "c", 1, 2);
    a.out.len = 0;
    uint8_t ack[2 + 3 + 2 + 17] = {0, 3, 's', 'o', 'k', 0, 17, 'a'};
    assert_int_equal(hs_feed(&a, ack, sizeof ack), HS_FAIL);
    assert_int_equal(a.out.len, 0);
    hs_free(&a);
}

/* The initiator must see the name it dialled in the challenge. */
static void test_wrong_peer_name(void **state)
{
    (void)state;
    handshake a, b;
    hs_init_initiator(&a, "a@h", "b@h", "c", 1, 2);
    hs_init_acceptor(&b, "impostor@h", "c", 1, 3, NULL, NULL);
    assert_int_equal(pump(&a, &b, 1000), HS_MORE);
    assert_int_equal(pump(&b, &a, 1000), HS_FAIL);
    hs_free(&a);
    hs_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_digest),
        cmocka_unit_test(test_handshake_ok),
        cmocka_unit_test(test_wrong_cookie),
        cmocka_unit_test(test_statuses),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_wrong_peer_name),
        cmocka_unit_test(test_initiator_refuses_weak_flags),
        cmocka_unit_test(test_hostile_names),
        cmocka_unit_test(test_garbage_frames),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}

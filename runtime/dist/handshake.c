/* handshake.c — both sides of the 'N' handshake as a state machine.
 *
 * Checked against OTP's dist_util.erl and erl_dist_protocol: the status
 * may share a read with the challenge, so input is buffered and parsed
 * frame by frame; the old 'n' form is refused, as OTP 25 does.
 */
#include "dist/handshake.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

enum {
    I_WAIT_STATUS = 1,
    I_WAIT_CHALLENGE,
    I_WAIT_ACK,
    A_WAIT_NAME,
    A_WAIT_ALIVE_ANSWER,
    A_WAIT_REPLY,
    S_DONE,
    S_FAILED,
};

void hs_digest(const char *cookie, size_t cookie_len, uint32_t challenge, uint8_t out[16])
{
    char buf[256 + 16];
    if (cookie_len > 256) cookie_len = 256;
    memcpy(buf, cookie, cookie_len);
    int n = snprintf(buf + cookie_len, 16, "%u", challenge);
    unsigned int mdlen = 16;
    EVP_Digest(buf, cookie_len + (size_t)n, out, &mdlen, EVP_md5(), NULL);
}

static hs_result hs_fail(handshake *hs, const char *fmt, const char *arg)
{
    snprintf(hs->why, sizeof hs->why, fmt, arg ? arg : "");
    hs->state = S_FAILED;
    return HS_FAIL;
}

/* One frame: Len:16 | body. */
static void put_frame(handshake *hs, const dbuf *body)
{
    dbuf_u16(&hs->out, (uint16_t)body->len);
    dbuf_put(&hs->out, body->data, body->len);
}

static void send_status(handshake *hs, const char *status)
{
    dbuf b = {0};
    dbuf_u8(&b, 's');
    dbuf_put(&b, status, strlen(status));
    put_frame(hs, &b);
    dbuf_free(&b);
}

static void send_name(handshake *hs)
{
    dbuf b = {0};
    size_t n = strlen(hs->my_name);
    dbuf_u8(&b, 'N');
    dbuf_u64(&b, hs->my_flags);
    dbuf_u32(&b, hs->my_creation);
    dbuf_u16(&b, (uint16_t)n);
    dbuf_put(&b, hs->my_name, n);
    put_frame(hs, &b);
    dbuf_free(&b);
}

static void send_challenge(handshake *hs)
{
    dbuf b = {0};
    size_t n = strlen(hs->my_name);
    dbuf_u8(&b, 'N');
    dbuf_u64(&b, hs->my_flags);
    dbuf_u32(&b, hs->my_challenge);
    dbuf_u32(&b, hs->my_creation);
    dbuf_u16(&b, (uint16_t)n);
    dbuf_put(&b, hs->my_name, n);
    put_frame(hs, &b);
    dbuf_free(&b);
}

static void init_common(handshake *hs, const char *my_name, const char *cookie, uint32_t creation,
                        uint32_t challenge)
{
    memset(hs, 0, sizeof *hs);
    snprintf(hs->my_name, sizeof hs->my_name, "%s", my_name);
    hs->cookie_len = strlen(cookie);
    if (hs->cookie_len >= sizeof hs->cookie) hs->cookie_len = sizeof hs->cookie - 1;
    memcpy(hs->cookie, cookie, hs->cookie_len);
    hs->my_flags = DFLAG_TAPA;
    hs->my_creation = creation;
    hs->my_challenge = challenge;
}

void hs_init_initiator(handshake *hs, const char *my_name, const char *peer_name,
                       const char *cookie, uint32_t creation, uint32_t challenge)
{
    init_common(hs, my_name, cookie, creation, challenge);
    hs->initiator = true;
    snprintf(hs->peer_name, sizeof hs->peer_name, "%s", peer_name);
    hs->state = I_WAIT_STATUS;
    send_name(hs);
}

void hs_init_acceptor(handshake *hs, const char *my_name, const char *cookie, uint32_t creation,
                      uint32_t challenge, hs_status_fn status_for, void *ctx)
{
    init_common(hs, my_name, cookie, creation, challenge);
    hs->state = A_WAIT_NAME;
    hs->status_for = status_for;
    hs->ctx = ctx;
}

void hs_free(handshake *hs)
{
    dbuf_free(&hs->in);
    dbuf_free(&hs->out);
    OPENSSL_cleanse(hs->cookie, sizeof hs->cookie);
}

static uint64_t be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | p[i];
    return v;
}
static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The peer's flags, creation and name from a send_name or challenge. */
static bool read_peer(handshake *hs, const uint8_t *p, size_t len, bool with_challenge)
{
    size_t fixed = 1 + 8 + (with_challenge ? 4 : 0) + 4 + 2;
    if (len < fixed) return false;
    hs->peer_flags = be64(p + 1);
    p += 9;
    if (with_challenge) hs->peer_challenge = be32(p), p += 4;
    hs->peer_creation = be32(p);
    size_t n = (size_t)p[4] << 8 | p[5];
    if (n != len - fixed || n == 0 || n >= HS_NAME_MAX) return false;
    char name[HS_NAME_MAX];
    memcpy(name, p + 6, n);
    name[n] = 0;
    /* no NUL, and no control characters: the name goes into log lines */
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] < 0x20) return false; /* char is unsigned on arm64 */
    if (memchr(name, 0x7f, n) || !strchr(name, '@')) return false;
    if (!atom_name_valid(name, n)) return false; /* valid UTF-8, at most 255 characters */
    if (with_challenge && strcmp(name, hs->peer_name) != 0) return false;
    memcpy(hs->peer_name, name, n + 1);
    return true;
}

static hs_result check_flags(handshake *hs)
{
    uint64_t missing = DFLAG_MANDATORY_25 & ~hs->peer_flags;
    if (!missing) return HS_MORE;
    char hex[32];
    snprintf(hex, sizeof hex, "0x%llx", (unsigned long long)missing);
    return hs_fail(hs, "the peer lacks mandatory distribution flags %s", hex);
}

static void send_reply(handshake *hs)
{
    dbuf b = {0};
    uint8_t digest[16];
    hs_digest(hs->cookie, hs->cookie_len, hs->peer_challenge, digest);
    dbuf_u8(&b, 'r');
    dbuf_u32(&b, hs->my_challenge);
    dbuf_put(&b, digest, 16);
    put_frame(hs, &b);
    dbuf_free(&b);
}

static void send_ack(handshake *hs)
{
    dbuf b = {0};
    uint8_t digest[16];
    hs_digest(hs->cookie, hs->cookie_len, hs->peer_challenge, digest);
    dbuf_u8(&b, 'a');
    dbuf_put(&b, digest, 16);
    put_frame(hs, &b);
    dbuf_free(&b);
}

/* The digest the peer must have computed from our challenge. */
static bool digest_ok(handshake *hs, const uint8_t *got)
{
    uint8_t want[16];
    hs_digest(hs->cookie, hs->cookie_len, hs->my_challenge, want);
    return CRYPTO_memcmp(want, got, 16) == 0;
}

static bool is_status(const uint8_t *p, size_t len, const char *s)
{
    return len == 1 + strlen(s) && memcmp(p + 1, s, len - 1) == 0;
}

static hs_result initiator_frame(handshake *hs, const uint8_t *p, size_t len)
{
    switch (hs->state) {
    case I_WAIT_STATUS:
        if (len < 1 || p[0] != 's')
            return hs_fail(hs, "expected a status, got something else", NULL);
        if (is_status(p, len, "ok") || is_status(p, len, "ok_simultaneous")) {
            hs->status = len == 3 ? "ok" : "ok_simultaneous";
        } else if (is_status(p, len, "alive")) {
            hs->status = "alive"; /* an old connection of ours is stale: replace it */
            send_status(hs, "true");
        } else if (is_status(p, len, "nok")) {
            hs->status = "nok";
            return hs_fail(hs, "simultaneous connect: the peer's own attempt goes on (nok)", NULL);
        } else {
            return hs_fail(hs, "the peer refused the connection (status %s)",
                           is_status(p, len, "not_allowed") ? "not_allowed" : "unknown");
        }
        hs->state = I_WAIT_CHALLENGE;
        return HS_MORE;
    case I_WAIT_CHALLENGE:
        if (len < 1 || p[0] != 'N' || !read_peer(hs, p, len, true))
            return hs_fail(hs, "a malformed challenge, or from a node other than %s",
                           hs->peer_name);
        if (check_flags(hs) == HS_FAIL) return HS_FAIL;
        send_reply(hs);
        hs->state = I_WAIT_ACK;
        return HS_MORE;
    case I_WAIT_ACK:
        if (len != 17 || p[0] != 'a') return hs_fail(hs, "a malformed challenge ack", NULL);
        if (!digest_ok(hs, p + 1)) return hs_fail(hs, "the peer's digest is wrong (cookie?)", NULL);
        hs->state = S_DONE;
        return HS_DONE;
    }
    return hs_fail(hs, "internal: bad state", NULL);
}

static hs_result accept_name(handshake *hs, const uint8_t *p, size_t len)
{
    if (len >= 1 && p[0] == 'n')
        return hs_fail(hs, "the peer uses the old 'n' handshake; only 'N' (OTP 23+) is spoken",
                       NULL);
    if (len < 1 || p[0] != 'N' || !read_peer(hs, p, len, false))
        return hs_fail(hs, "a malformed send_name", NULL);
    if (check_flags(hs) == HS_FAIL) {
        send_status(hs, "not_allowed");
        return HS_FAIL;
    }
    hs->status = hs->status_for ? hs->status_for(hs->ctx, hs) : "ok";
    send_status(hs, hs->status);
    if (strcmp(hs->status, "alive") == 0) {
        hs->state = A_WAIT_ALIVE_ANSWER;
        return HS_MORE;
    }
    if (strcmp(hs->status, "ok") != 0 && strcmp(hs->status, "ok_simultaneous") != 0)
        return hs_fail(hs, "refused the peer (status %s)", hs->status);
    send_challenge(hs);
    hs->state = A_WAIT_REPLY;
    return HS_MORE;
}

static hs_result acceptor_frame(handshake *hs, const uint8_t *p, size_t len)
{
    switch (hs->state) {
    case A_WAIT_NAME:
        return accept_name(hs, p, len);
    case A_WAIT_ALIVE_ANSWER:
        if (!is_status(p, len, "true"))
            return hs_fail(hs, "the peer keeps its old connection", NULL);
        send_challenge(hs);
        hs->state = A_WAIT_REPLY;
        return HS_MORE;
    case A_WAIT_REPLY:
        if (len != 21 || p[0] != 'r') return hs_fail(hs, "a malformed challenge reply", NULL);
        if (!digest_ok(hs, p + 5)) {
            hs->refused_cookie = true;
            return hs_fail(hs, "%s sent a wrong digest: its cookie differs from ours",
                           hs->peer_name);
        }
        hs->peer_challenge = be32(p + 1);
        send_ack(hs);
        hs->state = S_DONE;
        return HS_DONE;
    }
    return hs_fail(hs, "internal: bad state", NULL);
}

hs_result hs_feed(handshake *hs, const uint8_t *data, size_t len)
{
    if (hs->state == S_FAILED) return HS_FAIL;
    dbuf_put(&hs->in, data, len);
    size_t pos = 0;
    hs_result r = hs->state == S_DONE ? HS_DONE : HS_MORE;
    while (r == HS_MORE && hs->in.len - pos >= 2) {
        size_t flen = (size_t)hs->in.data[pos] << 8 | hs->in.data[pos + 1];
        if (hs->in.len - pos - 2 < flen) break;
        const uint8_t *frame = hs->in.data + pos + 2;
        pos += 2 + flen;
        r = hs->initiator ? initiator_frame(hs, frame, flen) : acceptor_frame(hs, frame, flen);
    }
    if (pos) {
        memmove(hs->in.data, hs->in.data + pos, hs->in.len - pos);
        hs->in.len -= pos;
    }
    return r;
}

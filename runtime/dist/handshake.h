/* handshake.h — the distribution handshake (the new 'N' form), both roles.
 *
 * A pure state machine: feed it the bytes that arrived, send what it put
 * in `out`. No sockets here, so the fuzzer can drive it and the
 * connection layer stays small. Frames are Len:16 | body.
 *   initiator: send_name -> status -> challenge -> challenge_reply -> ack
 *   acceptor:  name -> status (+challenge) -> reply -> ack
 */
#ifndef TAPA_DIST_HANDSHAKE_H
#define TAPA_DIST_HANDSHAKE_H

#include "dist/etf.h"

/* Capability flags (erl_dist_protocol "Distribution Flags"). */
#define DFLAG_PUBLISHED 0x1ULL
#define DFLAG_ATOM_CACHE 0x2ULL
#define DFLAG_EXTENDED_REFERENCES 0x4ULL
#define DFLAG_DIST_MONITOR 0x8ULL
#define DFLAG_FUN_TAGS 0x10ULL
#define DFLAG_DIST_MONITOR_NAME 0x20ULL
#define DFLAG_HIDDEN_ATOM_CACHE 0x40ULL
#define DFLAG_NEW_FUN_TAGS 0x80ULL
#define DFLAG_EXTENDED_PIDS_PORTS 0x100ULL
#define DFLAG_EXPORT_PTR_TAG 0x200ULL
#define DFLAG_BIT_BINARIES 0x400ULL
#define DFLAG_NEW_FLOATS 0x800ULL
#define DFLAG_DIST_HDR_ATOM_CACHE 0x2000ULL
#define DFLAG_SMALL_ATOM_TAGS 0x4000ULL
#define DFLAG_UTF8_ATOMS 0x10000ULL
#define DFLAG_MAP_TAG 0x20000ULL
#define DFLAG_BIG_CREATION 0x40000ULL
#define DFLAG_SEND_SENDER 0x80000ULL
#define DFLAG_BIG_SEQTRACE_LABELS 0x100000ULL
#define DFLAG_EXIT_PAYLOAD 0x400000ULL
#define DFLAG_FRAGMENTS 0x800000ULL
#define DFLAG_HANDSHAKE_23 0x1000000ULL
#define DFLAG_UNLINK_ID 0x2000000ULL
#define DFLAG_MANDATORY_25_DIGEST 0x4000000ULL /* bit 26, checked on OTP 25.2 */
#define DFLAG_SPAWN (1ULL << 32)
#define DFLAG_V4_NC (1ULL << 34)
#define DFLAG_ALIAS (1ULL << 35)

/* What OTP 25 refuses to talk without; we demand the same of peers. */
#define DFLAG_MANDATORY_25 0x1070F94ULL
/* What we offer: OTP 25's and 26's mandatory sets and the control messages
 * we handle. Never the atom cache or fragments, never PUBLISHED (hidden). */
#define DFLAG_TAPA                                                                               \
    (DFLAG_MANDATORY_25 | DFLAG_DIST_MONITOR | DFLAG_DIST_MONITOR_NAME | DFLAG_SMALL_ATOM_TAGS | \
     DFLAG_SEND_SENDER | DFLAG_BIG_SEQTRACE_LABELS | DFLAG_EXIT_PAYLOAD | DFLAG_UNLINK_ID |      \
     DFLAG_MANDATORY_25_DIGEST | DFLAG_SPAWN | DFLAG_V4_NC | DFLAG_ALIAS)

typedef enum hs_result { HS_MORE, HS_DONE, HS_FAIL } hs_result;

#define HS_NAME_MAX 256

struct handshake;
/* Acceptor: what status to give the peer that says it is `peer_name`:
 * "ok", "ok_simultaneous", "nok", "alive" or "not_allowed". */
typedef const char *(*hs_status_fn)(void *ctx, struct handshake *hs);

typedef struct handshake {
    bool initiator;
    int state;
    char my_name[HS_NAME_MAX], peer_name[HS_NAME_MAX];
    char cookie[256];
    size_t cookie_len;
    uint64_t my_flags, peer_flags;
    uint32_t my_creation, peer_creation;
    uint32_t my_challenge, peer_challenge;
    const char *status; /* the status sent or received */
    dbuf in; /* bytes not yet parsed; after HS_DONE: the first frames */
    dbuf out; /* bytes for the caller to send */
    char why[HS_NAME_MAX + 256]; /* why it failed */
    bool refused_cookie; /* failed because the digest was wrong */
    hs_status_fn status_for;
    void *ctx;
} handshake;

/* challenge: 32 random bits from a CSPRNG (the caller's uv_random). */
void hs_init_initiator(handshake *hs, const char *my_name, const char *peer_name,
                       const char *cookie, uint32_t creation, uint32_t challenge);
void hs_init_acceptor(handshake *hs, const char *my_name, const char *cookie, uint32_t creation,
                      uint32_t challenge, hs_status_fn status_for, void *ctx);
hs_result hs_feed(handshake *hs, const uint8_t *data, size_t len);
void hs_free(handshake *hs);

/* MD5(cookie ++ decimal challenge), as every OTP release computes it. */
void hs_digest(const char *cookie, size_t cookie_len, uint32_t challenge, uint8_t out[16]);

#endif

/* fuzz_handshake.c — libFuzzer target for the handshake state machines.
 * The first byte picks the role (acceptor or initiator) and how the rest
 * is cut into reads; the rest is what the peer sends. Nothing may crash,
 * and no garbage may complete a handshake. */
#include "dist/handshake.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *status(void *ctx, handshake *hs)
{
    (void)ctx;
    return hs->peer_name[0] == 'a' ? "alive" : hs->peer_name[0] == 'n' ? "nok" : "ok";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    bool initiator = data[0] & 1;
    size_t chunk = (size_t)(data[0] >> 1) + 1;
    handshake hs;
    if (initiator) hs_init_initiator(&hs, "me@h", "peer@h", "cookie", 1, 42);
    else hs_init_acceptor(&hs, "me@h", "cookie", 1, 42, status, NULL);
    hs_result r = HS_MORE;
    for (size_t i = 1; i < size && r == HS_MORE; i += chunk) {
        size_t n = size - i < chunk ? size - i : chunk;
        r = hs_feed(&hs, data + i, n);
        hs.out.len = 0;
    }
    hs_free(&hs);
    return 0;
}

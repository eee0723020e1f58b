/* tapa-epmd — the kit's Erlang port mapper daemon (what `epmd` does for
 * nodes: ALIVE2 registration, PORT_PLEASE2, NAMES), so that C nodes and
 * real erl nodes find each other without OTP's epmd. A node starts it by
 * itself when nothing listens on port 4369. */
#include "dist/epmd.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out, "usage: tapa-epmd [--loopback | --all] [--quiet]\n"
                 "  Serves the Erlang port mapper protocol on port 4369 until killed.\n"
                 "  --loopback  listen on 127.0.0.1 only (nodes named name@127.0.0.1)\n"
                 "  --all       listen on every address (the default, as epmd)\n"
                 "  --quiet     do not log registrations\n"
                 "Names may be registered from this host only. C nodes start it themselves when\n"
                 "no port mapper runs; real erl nodes use it as they use epmd.\n");
}

int main(int argc, char **argv)
{
    bool loopback = false, quiet = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--loopback")) loopback = true;
        else if (!strcmp(argv[i], "--all")) loopback = false;
        else if (!strcmp(argv[i], "--quiet")) quiet = true;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    return epmd_daemon_main(loopback, quiet);
}

/* slow_dns.c — an LD_PRELOAD shim for dist_noblock: looking up a host
 * whose name starts with "slow" takes 1.5 s (as a dead DNS server would),
 * then fails. Every other lookup goes to the C library. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netdb.h>
#include <string.h>
#include <time.h>

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                struct addrinfo **res)
{
    if (node && strncmp(node, "slow", 4) == 0) {
        struct timespec ts = {1, 500 * 1000 * 1000};
        nanosleep(&ts, NULL);
        return EAI_NONAME;
    }
    int (*real)(const char *, const char *, const struct addrinfo *, struct addrinfo **) =
        (int (*)(const char *, const char *, const struct addrinfo *, struct addrinfo **))dlsym(
            RTLD_NEXT, "getaddrinfo");
    return real(node, service, hints, res);
}

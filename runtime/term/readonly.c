/* readonly.c — is an address in read-only memory (a string literal)?
 *
 * receive's patterns are nearly always string literals. The pattern cache
 * is keyed by the string's address, and must check the text on each hit in
 * case a caller reused a buffer — unless the string sits in a read-only
 * mapping, whose bytes cannot change. The mappings of the program and its
 * libraries are read once from /proc/self/maps (Linux); elsewhere, or for
 * memory mapped later, the answer is "no" and the text is compared. */
#include "term/term.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RANGES 256

static struct {
    uintptr_t lo, hi;
} ranges[MAX_RANGES];
static int nranges = -1;
static int last_hit; /* patterns mostly come from one range: look there first */

static void load_ranges(void)
{
    nranges = 0;
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f) return;
    char line[512];
    while (nranges < MAX_RANGES && fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        char perms[5];
        if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) != 3) continue;
        if (perms[1] == 'w' || perms[0] != 'r') continue; /* writable or unreadable */
        if (!strchr(line, '/')) continue; /* only file-backed: the program and libraries */
        ranges[nranges].lo = lo;
        ranges[nranges++].hi = hi;
    }
    fclose(f);
}

bool addr_is_readonly(const void *p)
{
    if (nranges < 0) load_ranges();
    uintptr_t a = (uintptr_t)p;
    if (nranges > 0 && a >= ranges[last_hit].lo && a < ranges[last_hit].hi) return true;
    for (int i = 0; i < nranges; i++) {
        if (a < ranges[i].lo || a >= ranges[i].hi) continue;
        last_hit = i;
        return true;
    }
    return false;
}

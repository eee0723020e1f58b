/* registry.c — registered names (Process.register and friends).
 * Nodes have few names, so a small array searched linearly is enough. */
#include "sched/process.h"
#include "trace/trace.h"

#include <stdlib.h>

typedef struct {
    tapa_term name, pid;
} entry;
static entry *entries;
static size_t nentries, cap;

tapa_term registry_whereis(tapa_term name)
{
    for (size_t i = 0; i < nentries; i++)
        if (entries[i].name == name) return entries[i].pid;
    return 0;
}

bool registry_add(tapa_term name, tapa_term pid)
{
    if (registry_whereis(name)) return false;
    if (nentries == cap) {
        cap = cap ? cap * 2 : 16;
        entries = realloc(entries, cap * sizeof *entries);
        if (!entries) abort();
    }
    entries[nentries++] = (entry){name, pid};
    TRACE(TR_REGISTER, pid, TAPA_NONE, name);
    return true;
}

bool registry_remove(tapa_term name)
{
    for (size_t i = 0; i < nentries; i++) {
        if (entries[i].name != name) continue;
        TRACE(TR_UNREGISTER, entries[i].pid, TAPA_NONE, name);
        entries[i] = entries[--nentries];
        return true;
    }
    return false;
}

tapa_term registry_names(void)
{
    tapa_term list = TERM_NIL;
    for (size_t i = nentries; i-- > 0;) list = tapa_cons(entries[i].name, list);
    return list;
}

void registry_reset(void)
{
    free(entries);
    entries = NULL;
    nentries = cap = 0;
}

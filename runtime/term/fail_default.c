/* fail_default.c — term_fail for programs that run no processes.
 *
 * The process layer defines the real term_fail (it ends the running
 * process with the reason). This weak default keeps the term core usable
 * on its own (unit tests, tools): it prints why and aborts.
 */
#include "term/term.h"

#include <stdlib.h>

__attribute__((weak)) _Noreturn void term_fail(tapa_term reason, const char *why)
{
    strbuf sb = {0};
    inspect_into(&sb, reason);
    fprintf(stderr, "tapa: ** (exit) %s: %s\n", sb.data ? sb.data : "?", why ? why : "");
    sb_free(&sb);
    abort();
}

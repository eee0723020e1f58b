/* hint-driver.c — make check-api's view of the grader's compile hints: the
 * compiler's output on stdin, the line tapa-grade would print under it
 * ("What it means: ...") on stdout, or nothing. */
#include "compile_hint.h"

#include <stdio.h>

int main(void)
{
    static char out[1 << 16];
    size_t n = fread(out, 1, sizeof out - 1, stdin);
    out[n] = 0;
    const char *hint = grade_compile_hint(out);
    if (hint) printf("%s\n", hint);
    return 0;
}

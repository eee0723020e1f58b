/* compile_hint.c — what the compiler's first error means for a learner of
 * the kit (see compile_hint.h). Judged from the error line and the source
 * line the compiler quotes under it, so the hint names the usual mistake
 * behind that diagnostic, not merely its flag. */
#include "compile_hint.h"

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* The first "...: error: ..." line, and the few lines after it (the source
 * line and caret both compilers print), copied into buf. */
static bool first_error(const char *out, char *line, size_t line_size, char *context,
                        size_t context_size)
{
    const char *e = strstr(out, ": error: ");
    if (!e) return false;
    const char *start = e;
    while (start > out && start[-1] != '\n') start--;
    const char *end = strchr(e, '\n');
    size_t n = end ? (size_t)(end - start) : strlen(start);
    snprintf(line, line_size, "%.*s", (int)n, start);
    const char *after = end ? end + 1 : start + n;
    size_t k = 0;
    for (int lines = 0; after[k] && lines < 4; k++)
        if (after[k] == '\n') lines++;
    snprintf(context, context_size, "%.*s", (int)k, after);
    return true;
}

static bool has(const char *s, const char *word)
{
    return strstr(s, word) != NULL;
}

static bool matches(const char *s, const char *pattern)
{
    regex_t re;
    if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0) return false;
    bool found = regexec(&re, s, 0, NULL, 0) == 0;
    regfree(&re);
    return found;
}

/* 'T' in ASCII or in a UTF-8 locale's curly quotes */
static bool names_T(const char *line)
{
    return has(line, "'T'") || has(line, "\xe2\x80\x98T\xe2\x80\x99");
}

const char *grade_compile_hint(const char *out)
{
    char line[1024], context[2048];
    if (!out || !first_error(out, line, sizeof line, context, sizeof context)) return NULL;
    if (has(line, "int-conversion")) {
        if (matches(context, "tapa_(tuple|list)[ ]*\\([ ]*[0-9]+[ ]*,"))
            return "tapa_tuple and tapa_list take the terms only, no count first: "
                   "write tapa_tuple(tapa_atom(\"ok\"), x), not tapa_tuple(2, tapa_atom(\"ok\"), x).";
        if (matches(context, "tapa_apply[ ]*\\([^,]+,[ ]*[0-9]+[ ]*,"))
            return "tapa_apply takes the fun, then its arguments, no count: write tapa_apply(fun, tapa_int(100)).";
        if (matches(context, "tapa_fun[ ]*\\([^,]+,[^,]+,[ ]*[0-9]+[ ]*,[ ]*[0-9]+[ ]*,"))
            return "tapa_fun takes module, function, arity, then the captured terms, no count: "
                   "write tapa_fun(\"TapaMessages\", \"add_n\", 1, tapa_int(42)).";
        return "a tapa_term is not an integer: write tapa_int(42) for the number 42 (tapa_atom(\"ok\") for :ok).";
    }
    if (has(line, "nonnull") || has(line, "non-null"))
        return "0 is not a term (to C it is a null pointer): write tapa_int(0) for the number 0.";
    if (has(line, "incompatible-pointer-types") &&
        has(out, "tapa_term")) /* gcc names the type in a note */
        return "a C string is not a term: write tapa_atom(\"hello\") for :hello, tapa_string(\"hello\") for \"hello\".";
    if ((has(line, "conversion type character") || has(line, "conversion specifier")) &&
        names_T(line))
        return "a term prints with %pT, not %T: tapa_printf(\"Received: %pT\\n\", msg).";
    if (has(line, "format") && has(line, "void *"))
        return "%pT prints a term: give it a tapa_term (tapa_int(42) for a number), not a C value.";
    if (has(line, "-Wformat") || has(line, "-Werror=format"))
        return "an argument does not fit its place in the format: %d takes an int, %s a C string, %pT a term.";
    if (has(line, "implicit declaration of function"))
        return "no function of that name is declared: check its spelling against tapa.h (and exercises/course.h).";
    return NULL;
}

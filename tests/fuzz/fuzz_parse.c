// fuzz_parse.c — libFuzzer target for the literal parser and the pattern
// compiler/matcher.
//
// Build and run (from the repository root):
//   clang -std=c11 -D_GNU_SOURCE -Iruntime/include -Iruntime -g -O1
//     -fsanitize=fuzzer,address,undefined tests/fuzz/fuzz_parse.c
//     runtime/term/*.c -lm -o /tmp/fuzz_parse
//   mkdir -p /tmp/corpus && /tmp/fuzz_parse -max_total_time=30 /tmp/corpus tests/fuzz/corpus_parse

/* Each input, as a C string, is parsed as a literal (placeholder arguments
 * come from the input bytes, so ~t ~p ~i ~f ~s ~a are all exercised,
 * including TAPA_NONE, NULL, NaN and invalid UTF-8), printed, parsed back
 * and compared (the printer and the parser must agree), then compiled as a
 * pattern and matched against the literal and a few fixed terms.
 */
#include "term/term.h"
#include "term/pattern.h"
#include "term/parse_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fuzz_args {
    const uint8_t *data;
    size_t size, pos;
    int used;
} fuzz_args;

static bool next_arg(void *ud, char kind, parse_arg *out)
{
    fuzz_args *f = ud;
    if (f->used++ >= 64) return false;
    uint8_t b = f->size ? f->data[f->pos++ % f->size] : 0;
    switch (kind) {
    case 't':
    case 'p':
        out->term = b % 5 == 0   ? TAPA_NONE
                    : b % 5 == 1 ? tapa_int((int64_t)b << 56)
                    : b % 5 == 2 ? tapa_atom("x y")
                    : b % 5 == 3 ? tapa_tuple(tapa_string("s"), tapa_float(0.5))
                                 : tapa_list(tapa_int(b), tapa_empty_list());
        break;
    case 'i':
        out->i = b % 3 == 0 ? INT64_MIN : b % 3 == 1 ? INT64_MAX : (int64_t)b - 128;
        break;
    case 'f':
        out->f = b % 4 == 0 ? NAN : b % 4 == 1 ? -INFINITY : b % 4 == 2 ? -0.0 : b * 1e300;
        break;
    default:
        out->s = b % 4 == 0 ? NULL : b % 4 == 1 ? "" : b % 4 == 2 ? "bad \xff utf8" : "ok é";
        break;
    }
    return true;
}

/* The printer's output must parse back to an equal term, unless iex's
 * limits cut it short (more than 50 elements print as "...") or it prints
 * the operator atom :"not in" bare, as Elixir does (":not in"). */
static void check_roundtrip(tapa_term t)
{
    char *text = tapa_inspect_alloc(t);
    if (strstr(text, "...") || strstr(text, "not in")) {
        free(text);
        return;
    }
    tapa_parse_error e;
    tapa_term back = tapa_parse(text, &e);
    if (!back || !tapa_equal(back, t)) {
        fprintf(stderr, "round trip failed for %s: %s at %d:%d\n", text, e.message, e.line,
                e.column);
        abort();
    }
    free(text);
}

static void match_some(const pattern *p, tapa_term literal)
{
    tapa_term probes[] = {
        literal,
        tapa_t("{:ok, 1, [1, 2 | 3], %{\"b\" => [2.0], a: 1}}"),
        tapa_t("[1, 2, 3]"),
        tapa_t("%{a: 1, b: %{c: <<1, 2>>}}"),
        tapa_t("{1, 1}"),
    };
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        if (!probes[i]) continue;
        tapa_match m = {0};
        m.names[0] = "x";
        m.values[0] = tapa_int(1);
        m.count = 1;
        tapa_match before = m;
        if (!pattern_match(p, probes[i], &m) && memcmp(&m, &before, sizeof m) != 0) {
            fprintf(stderr, "a failed match changed the bindings\n");
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static unsigned runs;
    atoms_init();
    char *src = malloc(size + 1);
    if (!src) return 0;
    memcpy(src, data, size);
    src[size] = 0;

    fuzz_args f = {data, size, 0, 0};
    parse_args args = {next_arg, &f};
    tapa_parse_error e;
    tapa_term t = parse_literal_args(src, &e, &args, NULL);
    if (t) check_roundtrip(t);
    else if (e.line < 1 || e.column < 1 || !e.message[0]) abort();

    pattern *p = pattern_compile(src, &e);
    if (p) {
        match_some(p, t);
        pattern_free(p);
    } else if (e.line < 1 || e.column < 1 || !e.message[0]) {
        abort();
    }
    free(src);

    if (++runs % 512 == 0) { /* keep memory bounded */
        heap_destroy(heap_global());
        heap_init(heap_global());
    }
    return 0;
}

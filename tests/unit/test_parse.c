/* test_parse.c — term literals (tapa_t / tapa_parse) and patterns.
 *
 * Literals are checked by printing them back (tapa_inspect_to prints as
 * iex does) and by their structure; malformed ones by the line, column and
 * message of the error; patterns by what they bind and what they reject.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "term/term.h"
#include "term/pattern.h"
#include "term/parse_internal.h" /* PARSE_MAX_DEPTH */

static int setup(void **state)
{
    (void)state;
    atoms_init();
    if (!tapa_current_heap) tapa_current_heap = heap_global();
    return 0;
}

/* ------------------------------------------------------------ helpers -- */

static const char *show(tapa_term t)
{
    static char buf[4096];
    tapa_inspect_to(buf, sizeof buf, t);
    return buf;
}

/* Parses src (no placeholders) and checks it prints as expected. */
static void roundtrip_(const char *src, const char *expected, const char *file, int line)
{
    tapa_parse_error e;
    tapa_term t = tapa_parse(src, &e);
    if (!t) {
        fprintf(stderr, "%s:%d: parse of %s failed: %s at %d:%d\n", file, line, src, e.message,
                e.line, e.column);
        fail();
    }
    const char *got = show(t);
    if (strcmp(got, expected) != 0) {
        fprintf(stderr, "%s:%d: %s printed as %s, expected %s\n", file, line, src, got, expected);
        fail();
    }
}
#define roundtrip(src, expected) roundtrip_((src), (expected), __FILE__, __LINE__)
#define same(src) roundtrip_((src), (src), __FILE__, __LINE__)

/* Parses src and checks the error's line, column and message. */
static void bad_(const char *src, int line, int col, const char *msg_part, const char *file,
                 int fline)
{
    tapa_parse_error e;
    memset(&e, 0x55, sizeof e);
    tapa_term t = tapa_parse(src, &e);
    if (t || e.line != line || e.column != col || !strstr(e.message, msg_part)) {
        fprintf(stderr, "%s:%d: for %.60s: got %s at %d:%d (\"%s\"), expected %d:%d \"%s\"\n", file,
                fline, src, t ? "success" : "error", e.line, e.column, e.message, line, col,
                msg_part);
        fail();
    }
}
#define bad(src, line, col, msg) bad_((src), (line), (col), (msg), __FILE__, __LINE__)

static tapa_term parse_ok(const char *src)
{
    tapa_parse_error e;
    tapa_term t = tapa_parse(src, &e);
    if (!t) fprintf(stderr, "parse of %s failed: %s at %d:%d\n", src, e.message, e.line, e.column);
    assert_true(t != TAPA_NONE);
    return t;
}

static bool is_atom_named(tapa_term t, const char *name)
{
    return tapa_is_atom(t) && strcmp(tapa_atom_name(t), name) == 0;
}

/* ----------------------------------------------------- literal values -- */

static void test_atoms(void **state)
{
    (void)state;
    same(":hello");
    same(":\"quoted atom\"");
    roundtrip(":\"Elixir.Foo\"", "Foo");
    roundtrip("Foo.Bar", "Foo.Bar");
    roundtrip("Elixir.Foo", "Foo");
    same("true");
    same("false");
    same("nil");
    roundtrip(":true", "true");
    same(":ok?");
    same(":nonode@nohost");
    same(":+");
    same(":<>");
    same(":%{}");
    same(":{}");
    same(":|");
    roundtrip("[+: 1, <>: 2, !: 3]", "[+: 1, <>: 2, !: 3]");
    roundtrip("%{==: 1}", "%{==: 1}");
    assert_true(is_atom_named(parse_ok(":été"), "été"));
    assert_true(is_atom_named(tapa_element(tapa_hd(parse_ok("[foo@bar: 1]")), 0), "foo@bar"));
    assert_true(is_atom_named(tapa_element(tapa_hd(parse_ok("[été: 1]")), 0), "été"));
    roundtrip(":'single'", ":single");
    assert_true(is_atom_named(parse_ok("Foo.Bar"), "Elixir.Foo.Bar"));
    assert_true(is_atom_named(parse_ok(":Foo"), "Foo"));
    assert_true(is_atom_named(parse_ok(":\"a\\nb\""), "a\nb"));
    assert_true(parse_ok("true") == tapa_true());
    assert_true(parse_ok("nil") == tapa_atom("nil"));
}

static void test_integers(void **state)
{
    (void)state;
    same("42");
    same("0");
    same("-5");
    roundtrip("1_000_000", "1000000");
    roundtrip("0x1F", "31");
    roundtrip("0xff_ff", "65535");
    roundtrip("0b101", "5");
    roundtrip("0o17", "15");
    roundtrip("?a", "97");
    roundtrip("?\\n", "10");
    roundtrip("?é", "233");
    roundtrip("-0", "0");
    assert_int_equal(tapa_int_value(parse_ok("-5")), -5);
    assert_int_equal(tapa_int_value(parse_ok("1152921504606846975")), 1152921504606846975LL);
    assert_int_equal(tapa_int_value(parse_ok("9223372036854775807")), INT64_MAX);
    assert_int_equal(tapa_int_value(parse_ok("-9223372036854775808")), INT64_MIN);
    /* beyond int64: bignums */
    same("9223372036854775808");
    same("-9223372036854775809");
    same("123456789012345678901234567890123456789");
    same("-340282366920938463463374607431768211456");
    roundtrip("0x1_0000_0000_0000_0000", "18446744073709551616");
    assert_true(tapa_equal(parse_ok("18446744073709551616"), parse_ok("0x10000000000000000")));
    assert_int_equal(tapa_type_of(parse_ok("99999999999999999999999")), TAPA_T_INTEGER);
}

static void test_floats(void **state)
{
    (void)state;
    same("1.5");
    same("-2.5");
    same("0.1");
    roundtrip("1.0e10", "10000000000.0"); /* iex 1.14 prints whole floats below 1.0e16 plainly */
    same("1.0e20");
    same("1.5e-10");
    roundtrip("1.0E20", "1.0e20");
    roundtrip("2.5e-3", "0.0025");
    roundtrip("1_000.5", "1000.5");
    assert_true(tapa_float_value(parse_ok("1.5")) == 1.5);
    assert_true(tapa_float_value(parse_ok("-1.25e2")) == -125.0);
    assert_int_equal(tapa_type_of(parse_ok("3.0")), TAPA_T_FLOAT);
}

static void test_strings(void **state)
{
    (void)state;
    same("\"hello\"");
    same("\"\"");
    same("\"hi\\n\"");
    same("\"tab\\there\"");
    same("\"quote \\\" and backslash \\\\\"");
    same("\"\\e\"");
    roundtrip("\"\\x41\\x42\"", "\"AB\"");
    roundtrip("\"\\u00e9\"", "\"é\"");
    roundtrip("\"\\u{1F600}\"", "\"😀\"");
    roundtrip("\"\\xFF\"", "<<255>>");
    roundtrip("\"\\0\"", "<<0>>");
    roundtrip("\"\\q\"", "\"q\"");
    roundtrip("\"\\#{x}\"", "\"\\#{x}\"");
    roundtrip("\"two\nlines\"", "\"two\\nlines\"");
    roundtrip("\"joined\\\nline\"", "\"joinedline\"");
    tapa_term s = parse_ok("\"a\\tb\"");
    assert_true(tapa_is_binary(s));
    assert_int_equal(tapa_binary_size(s), 3);
    assert_memory_equal(tapa_binary_data(s), "a\tb", 3);
}

static void test_charlists(void **state)
{
    (void)state;
    same("'abc'");
    roundtrip("''", "[]");
    roundtrip("'\\x41'", "'A'");
    tapa_term l = parse_ok("'é\\u{1F600}'");
    assert_int_equal(tapa_length(l), 2);
    assert_int_equal(tapa_int_value(tapa_hd(l)), 0xE9);
    assert_int_equal(tapa_int_value(tapa_hd(tapa_tl(l))), 0x1F600);
    roundtrip("'\\0'", "[0]");
}

static void test_containers(void **state)
{
    (void)state;
    same("{}");
    same("{:a, 1}");
    same("{:ok, {1, {2, \"x\"}}}");
    same("[]");
    same("[1, 2, 3]");
    same("[1 | 2]");
    same("[1, 2 | :tail]");
    roundtrip("[1, 2 | [3]]", "[1, 2, 3]");
    roundtrip("[1 | []]", "[1]");
    same("[a: 1, b: 2]");
    roundtrip("[{:a, 1}]", "[a: 1]");
    roundtrip("[1, a: 2]", "[1, {:a, 2}]");
    roundtrip("{:ok, a: 1, b: 2}", "{:ok, [a: 1, b: 2]}");
    roundtrip("{a: 1}", "{[a: 1]}");
    roundtrip("[\"my key\": 1]", "[\"my key\": 1]");
    roundtrip("[Foo: 1]", "[Foo: 1]");
    same("%{}");
    same("%{a: 1}");
    same("%{a: 1, b: [2]}");
    same("%{:a => 1, \"b\" => 2}");
    roundtrip("%{\"b\" => 2, a: 1}", "%{:a => 1, \"b\" => 2}");
    roundtrip("%{1 => :x, {1} => %{}}", "%{1 => :x, {1} => %{}}");
    roundtrip("%{a: 1, a: 2}", "%{a: 2}");
    same("<<1, 2, 3>>");
    roundtrip("<<>>", "\"\"");
    roundtrip("<<104, 105>>", "\"hi\"");
    roundtrip("<<\"ab\", 0>>", "<<97, 98, 0>>");
    roundtrip("[1, 2,]", "[1, 2]");
    roundtrip("{1, 2,}", "{1, 2}");
    roundtrip("%{a: 1,}", "%{a: 1}");
    tapa_term t = parse_ok("{:ok, [1 | 2], %{a: 1}}");
    assert_int_equal(tapa_tuple_size(t), 3);
    assert_true(is_atom_named(tapa_element(t, 0), "ok"));
    assert_int_equal(tapa_int_value(tapa_tl(tapa_element(t, 1))), 2);
    assert_int_equal(tapa_int_value(tapa_map_get(tapa_element(t, 2), tapa_atom("a"))), 1);
    tapa_term kw = parse_ok("[name: \"x\", age: 3]");
    assert_int_equal(tapa_int_value(tapa_keyword_get(kw, "age")), 3);
}

static void test_layout(void **state)
{
    (void)state;
    roundtrip("  {\n  :a,   # the tag\n  [1,\n   2]\n}\n  # trailing comment", "{:a, [1, 2]}");
    roundtrip("\t%{\r\n a: 1\r\n}", "%{a: 1}");
    roundtrip("# only a comment first\n:x", ":x");
}

static void test_placeholders(void **state)
{
    (void)state;
    tapa_parse_error e;
    tapa_term t = tapa_parse("{~a, ~i, ~f, ~s, ~t, [~p]}", &e, "x", (int64_t)-3, 2.5, "str",
                             tapa_atom("y"), tapa_int(-1));
    assert_true(t != TAPA_NONE);
    assert_string_equal(show(t), "{:x, -3, 2.5, \"str\", :y, [-1]}");
    t = tapa_t("%{~a => ~i, ~s => ~t}", "k", (int64_t)INT64_MAX, "s", tapa_empty_list());
    assert_string_equal(show(t), "%{:k => 9223372036854775807, \"s\" => []}");
    t = tapa_t("<<~i, ~s>>", (int64_t)1, "ab");
    assert_string_equal(show(t), "<<1, 97, 98>>");
    t = tapa_t("~s", "quote\" é");
    assert_string_equal(show(t), "\"quote\\\" é\"");
    t = tapa_t("~a", "with space");
    assert_string_equal(show(t), ":\"with space\"");
}

/* ------------------------------------------------------------- errors -- */

static void test_errors(void **state)
{
    (void)state;
    bad("\"abc", 1, 1, "unterminated string");
    bad("{:a, \"abc}", 1, 6, "unterminated string");
    bad("'abc", 1, 1, "unterminated charlist");
    bad(":\"abc", 1, 2, "unterminated atom");
    bad("{:a :b}", 1, 5, "expected ',' or '}' after tuple element");
    bad("{:a,\n  :b\n  :c}", 3, 3, "expected ',' or '}' after tuple element");
    bad("[1 2]", 1, 4, "expected ',', '|' or ']' after list element");
    bad("[1 | 2, 3]", 1, 7, "expected ']' after the tail of a list");
    bad("%{:a 1}", 1, 6, "expected '=>' after map key");
    bad("%{:a => 1 :b}", 1, 11, "expected ',' or '}' after map value");
    bad("<<1 2>>", 1, 5, "expected ',' or '>>' after binary segment");
    bad("\"\\xZZ\"", 1, 2, "invalid hex escape character");
    bad("\"ok\\x4\"", 1, 4, "invalid hex escape character");
    bad("\"\\u{}\"", 1, 2, "invalid Unicode escape character");
    bad("\"\\u12\"", 1, 2, "invalid Unicode escape character");
    bad("\"\\u{110000}\"", 1, 2, "invalid or reserved Unicode code point");
    bad("\"\\uD800\"", 1, 2, "invalid or reserved Unicode code point");
    bad("\"a #{b}\"", 1, 4, "interpolation");
    bad("}", 1, 1, "unexpected '}'");
    bad("{1, 2}}", 1, 7, "unexpected '}', expected end of input");
    bad("{1, 2} 3", 1, 8, "expected end of input");
    bad("", 1, 1, "unexpected end of input");
    bad("  \n   # nothing\n  ", 3, 3, "unexpected end of input");
    bad("[1, 2", 1, 6, "missing ']' to close the list at line 1, column 1");
    bad("{", 1, 2, "missing '}'");
    bad("%{a: 1", 1, 7, "missing '}'");
    bad("<<1,", 1, 5, "missing '>>' to close the binary");
    bad("{,}", 1, 2, "unexpected ','");
    bad("[| 1]", 1, 2, "unexpected '|'");
    bad("~q", 1, 1, "unknown placeholder ~q");
    bad("{1, ~}", 1, 5, "expected a placeholder letter");
    bad("~", 1, 1, "expected a placeholder letter");
    bad("[a: 1, 2]", 1, 8, "unexpected expression after keyword list");
    bad("%{a: 1, :b => 2}", 1, 9, "unexpected expression after keyword list");
    bad("[a:1]", 1, 4, "keyword argument must be followed by space after: a:");
    bad("a: 1", 1, 1, "unexpected keyword key");
    bad("%{a => 1}", 1, 3, "unexpected identifier 'a'");
    bad("{x}", 1, 2, "variables are only allowed in patterns");
    bad("^x", 1, 1, "pins are only allowed in patterns");
    bad("<<256>>", 1, 3, "binary segments must be integers 0..255 or strings");
    bad("<<-1>>", 1, 3, "binary segments");
    bad("<<:a>>", 1, 3, "binary segments");
    bad("<<1.0>>", 1, 3, "binary segments");
    bad("1e10", 1, 2, "invalid character 'e' after number");
    bad("12abc", 1, 3, "invalid character 'a' after number");
    bad("1__0", 1, 2, "invalid character '_' in number");
    bad("0x", 1, 1, "invalid hexadecimal number");
    bad("1.0e400", 1, 1, "float literal is out of range");
    bad("- 1", 1, 1, "unexpected character '-'");
    bad(":", 1, 1, "unexpected ':'");
    bad("%Foo{}", 1, 1, "structs are not supported");
    bad("{1 => 2}", 1, 4, "expected ',' or '}' after tuple element");
    bad("@", 1, 1, "unexpected character '@'");
    bad("{\"é\", :b :c}", 1, 10, "expected ',' or '}'");
    bad("'\xff'", 1, 2, "invalid UTF-8");
    bad(":\"\xc3\"", 1, 1, "atom is not valid UTF-8");
    bad("?", 1, 1, "expected a character after ?");
    bad("Foo.bar", 1, 1, "invalid alias");
    bad("\x01", 1, 1, "unexpected character (byte 0x01)");
    bad("{1, \xff}", 1, 5, "invalid UTF-8 in identifier");
    bad("{1, é}", 1, 5, "unexpected identifier 'é'");
    bad("1é", 1, 2, "invalid character after number");
    bad("{a@b}", 1, 2, "invalid identifier 'a@b'");
    bad(NULL, 1, 1, "NULL");

    char big[400];
    memset(big, 'a', 300);
    memcpy(big, ":\"", 2);
    strcpy(big + 300, "\"");
    bad(big, 1, 1, "atom length must be less than system limit");

    tapa_parse_error e;
    assert_true(tapa_parse("~s", &e, (const char *)NULL) == TAPA_NONE);
    assert_string_equal(e.message, "the argument for ~s is NULL");
    assert_true(tapa_parse("{1, ~t}", &e, TAPA_NONE) == TAPA_NONE);
    assert_int_equal(e.column, 5);
    assert_true(tapa_parse(":ok", NULL) != TAPA_NONE); /* err may be NULL */
    assert_true(tapa_parse("{", NULL) == TAPA_NONE);
}

static char *nested(const char *open, const char *close, int depth)
{
    size_t lo = strlen(open), lc = strlen(close);
    char *s = malloc((lo + lc) * (size_t)depth + 1), *p = s;
    for (int i = 0; i < depth; i++, p += lo) memcpy(p, open, lo);
    for (int i = 0; i < depth; i++, p += lc) memcpy(p, close, lc);
    *p = 0;
    return s;
}

static void test_nesting(void **state)
{
    (void)state;
    char *ok = nested("[", "]", PARSE_MAX_DEPTH);
    assert_true(tapa_parse(ok, NULL) != TAPA_NONE);
    pattern *pat = pattern_compile(ok, NULL);
    assert_non_null(pat);
    assert_true(pattern_match(pat, tapa_parse(ok, NULL), NULL));
    pattern_free(pat);
    free(ok);
    char *deep = nested("[", "]", PARSE_MAX_DEPTH + 1);
    bad(deep, 1, PARSE_MAX_DEPTH + 1, "nesting too deep");
    assert_null(pattern_compile(deep, NULL));
    free(deep);
    deep = nested("[", "]", 100000);
    bad(deep, 1, PARSE_MAX_DEPTH + 1, "nesting too deep");
    free(deep);
    /* three levels a unit: level PARSE_MAX_DEPTH + 1 falls on unit u's k-th opener */
    char *mixed = nested("{%{1 => <<>>, 2 => [", "]}}", PARSE_MAX_DEPTH);
    int u = PARSE_MAX_DEPTH / 3, k = PARSE_MAX_DEPTH % 3; /* openers at offsets 0, 1, 19 */
    bad(mixed, 1, 1 + 20 * u + (k == 0 ? 0 : k == 1 ? 1 : 19), "nesting too deep");
    free(mixed);
    /* a long flat input is fine */
    size_t n = 200000;
    char *flat = malloc(n * 3 + 3), *p = flat;
    *p++ = '[';
    for (size_t i = 0; i < n; i++) p += sprintf(p, "%s1", i ? "," : "");
    strcpy(p, "]");
    tapa_term l = tapa_parse(flat, NULL);
    assert_int_equal(tapa_length(l), n);
    free(flat);
}

/* tapa_t on a bad literal stops the caller; outside a process that means
 * a message on stderr and abort(). Run it in a child and read its stderr. */
static void test_tapa_t_failure(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        tapa_t("{:ok,\n  :a :b}");
        _exit(0); /* not reached */
    }
    close(fds[1]);
    char out[4096];
    size_t len = 0;
    ssize_t r;
    while (len + 1 < sizeof out && (r = read(fds[0], out + len, sizeof out - 1 - len)) > 0)
        len += (size_t)r;
    out[len] = 0;
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    if (!strstr(out, "expected ',' or '}' after tuple element at line 2, column 6") ||
        !strstr(out, "  :a :b"))
        fprintf(stderr, "child said: %s\n", out);
    assert_non_null(strstr(out, "expected ',' or '}' after tuple element at line 2, column 6"));
    assert_non_null(strstr(out, "  :a :b"));
}

/* ----------------------------------------------------------- patterns -- */

static pattern *compile_ok(const char *src)
{
    tapa_parse_error e;
    pattern *p = pattern_compile(src, &e);
    if (!p) fprintf(stderr, "pattern %s: %s at %d:%d\n", src, e.message, e.line, e.column);
    assert_non_null(p);
    return p;
}

/* Cached patterns live for good, so the names bound into m stay valid. */
static bool matches(const char *pat, tapa_term t, tapa_match *m)
{
    tapa_parse_error e;
    const pattern *p = pattern_cached(pat, &e);
    if (!p) fprintf(stderr, "pattern %s: %s at %d:%d\n", pat, e.message, e.line, e.column);
    assert_non_null(p);
    return pattern_match(p, t, m);
}

static tapa_term bound(const tapa_match *m, const char *name)
{
    for (int i = m->count - 1; i >= 0; i--)
        if (strcmp(m->names[i], name) == 0) return m->values[i];
    return TAPA_NONE;
}

static void test_pattern_binding(void **state)
{
    (void)state;
    tapa_match m = {0};
    pattern *p = compile_ok("{:ping, from}");
    tapa_term msg = tapa_t("{:ping, 42}");
    assert_true(pattern_match(p, msg, &m));
    assert_int_equal(m.count, 1);
    assert_string_equal(m.names[0], "from");
    assert_int_equal(tapa_int_value(m.values[0]), 42);
    assert_true(m.message == TAPA_NONE); /* the receive sets it, not pattern_match */
    assert_false(pattern_has_pins(p));
    /* rejects leave m as it was */
    tapa_match before = m;
    assert_false(pattern_match(p, tapa_t("{:pong, 42}"), &m));
    assert_false(pattern_match(p, tapa_t("{:ping}"), &m));
    assert_false(pattern_match(p, tapa_t("{:ping, 1, 2}"), &m));
    assert_false(pattern_match(p, tapa_t(":ping"), &m));
    assert_false(pattern_match(p, tapa_t("[:ping, 1]"), &m));
    assert_memory_equal(&m, &before, sizeof m);
    /* a second match rebinds the same name in place */
    assert_true(pattern_match(p, tapa_t("{:ping, :again}"), &m));
    assert_int_equal(m.count, 1);
    assert_true(is_atom_named(m.values[0], "again"));
    pattern_free(p);

    tapa_match m2 = {0};
    assert_true(matches("{:ok, %{name: name, tags: [first | rest]}, _}",
                        tapa_t("{:ok, %{name: \"x\", tags: [1, 2], extra: 3}, :z}"), &m2));
    assert_int_equal(m2.count, 3);
    assert_string_equal(show(bound(&m2, "name")), "\"x\"");
    assert_string_equal(show(bound(&m2, "first")), "1");
    assert_string_equal(show(bound(&m2, "rest")), "[2]");
    /* the bound values are the message's own subterms */
    tapa_term big = tapa_t("{:data, [1, 2, 3]}");
    tapa_match m3 = {0};
    assert_true(matches("{:data, list}", big, &m3));
    assert_true(m3.values[0] == tapa_element(big, 1));
}

static void test_pattern_repeated_and_wild(void **state)
{
    (void)state;
    tapa_match m = {0};
    assert_true(matches("{x, x}", tapa_t("{1, 1}"), &m));
    assert_int_equal(m.count, 1);
    m.count = 0;
    assert_true(matches("{x, [x]}", tapa_t("{\"s\", [\"s\"]}"), &m));
    m.count = 0;
    assert_false(matches("{x, x}", tapa_t("{1, 2}"), &m));
    assert_false(matches("{x, x}", tapa_t("{1, 1.0}"), &m));
    assert_int_equal(m.count, 0);
    assert_true(matches("%{a: x, b: x}", tapa_t("%{a: 5, b: 5}"), &m));
    m.count = 0;
    assert_false(matches("%{a: x, b: x}", tapa_t("%{a: 5, b: 6}"), &m));
    assert_true(matches("{_, _}", tapa_t("{1, 2}"), &m));
    assert_true(matches("{_a, _a}", tapa_t("{1, 2}"), &m));
    assert_true(matches("_", tapa_t("%{}"), &m));
    assert_int_equal(m.count, 0);
}

static void test_pattern_pins(void **state)
{
    (void)state;
    tapa_term ref = tapa_t("{:ref, 7}");
    tapa_match m = {0};
    m.names[0] = "ref";
    m.values[0] = ref;
    m.count = 1;
    pattern *p = compile_ok("{^ref, reply}");
    assert_true(pattern_has_pins(p));
    assert_false(pattern_match(p, tapa_t("{{:ref, 8}, :no}"), &m));
    assert_int_equal(m.count, 1);
    assert_true(pattern_match(p, tapa_t("{{:ref, 7}, :yes}"), &m));
    assert_int_equal(m.count, 2);
    assert_true(is_atom_named(bound(&m, "reply"), "yes"));
    /* an unbound pin matches nothing here; receive refuses it first */
    tapa_match empty = {0};
    assert_false(pattern_match(p, tapa_t("{{:ref, 7}, :yes}"), &empty));
    assert_int_equal(empty.count, 0);
    assert_string_equal(pattern_unbound_pin(p, &empty), "ref");
    assert_null(pattern_unbound_pin(p, &m));
    pattern *two = compile_ok("{^a, ^b}");
    tapa_match only_a = {0};
    only_a.names[0] = "a";
    only_a.values[0] = tapa_int(1);
    only_a.count = 1;
    assert_string_equal(pattern_unbound_pin(two, &only_a), "b");
    pattern *none = compile_ok("{x, _}");
    assert_null(pattern_unbound_pin(none, &empty)); /* no pins at all */
    pattern_free(none);
    pattern_free(two);
    pattern_free(p);
}

static void test_pattern_lists_maps(void **state)
{
    (void)state;
    tapa_match m = {0};
    assert_true(matches("[h | t]", tapa_t("[1, 2, 3]"), &m));
    assert_string_equal(show(bound(&m, "h")), "1");
    assert_string_equal(show(bound(&m, "t")), "[2, 3]");
    m.count = 0;
    assert_false(matches("[h | t]", tapa_t("[]"), &m));
    assert_true(matches("[h | t]", tapa_t("[1 | 2]"), &m));
    m.count = 0;
    assert_true(matches("[a, b]", tapa_t("[1, 2]"), &m));
    m.count = 0;
    assert_false(matches("[a, b]", tapa_t("[1, 2, 3]"), &m));
    assert_false(matches("[a, b]", tapa_t("[1]"), &m));
    assert_true(matches("[_, _ | _]", tapa_t("[1, 2, 3]"), &m));
    assert_true(matches("[]", tapa_t("[]"), &m));
    assert_false(matches("[]", tapa_t("[1]"), &m));
    assert_true(matches("[1, 2]", tapa_t("[1, 2]"), &m));
    assert_true(matches("[a: 1]", tapa_t("[{:a, 1}]"), &m));
    assert_int_equal(m.count, 0);
    /* maps match a subset of keys */
    assert_true(matches("%{}", tapa_t("%{a: 1}"), &m));
    assert_false(matches("%{}", tapa_t("[]"), &m));
    assert_true(matches("%{a: 1}", tapa_t("%{a: 1, b: 2}"), &m));
    assert_false(matches("%{a: 1}", tapa_t("%{a: 2, b: 2}"), &m));
    assert_false(matches("%{c: _}", tapa_t("%{a: 1, b: 2}"), &m));
    assert_true(matches("%{\"k\" => v, 1 => _}", tapa_t("%{1 => 0, \"k\" => :v, :z => 0}"), &m));
    assert_true(is_atom_named(bound(&m, "v"), "v"));
    m.count = 0;
    assert_true(matches("{:ok, %{}}", tapa_t("{:ok, %{x: 1}}"), &m));
}

static void test_pattern_literals(void **state)
{
    (void)state;
    tapa_match m = {0};
    assert_false(matches("1", tapa_t("1.0"), &m));
    assert_false(matches("1.0", tapa_t("1"), &m));
    assert_true(matches("1.0", tapa_t("1.0"), &m));
    assert_true(matches("{1, x}", tapa_t("{1, 1.0}"), &m));
    m.count = 0;
    assert_false(matches("{1, x}", tapa_t("{1.0, 1}"), &m));
    assert_true(matches("\"abc\"", tapa_t("\"abc\""), &m));
    assert_false(matches("\"abc\"", tapa_t("'abc'"), &m));
    assert_true(matches("'abc'", tapa_t("[97, 98, 99]"), &m));
    assert_true(matches("<<1, 2>>", tapa_t("<<1, 2>>"), &m));
    assert_true(matches(":ok", tapa_t(":ok"), &m));
    assert_false(matches(":ok", tapa_t(":error"), &m));
    assert_true(
        matches("123456789012345678901234567890", tapa_t("123456789012345678901234567890"), &m));
    assert_true(matches("{:a, {:b, [1, \"x\"]}}", tapa_t("{:a, {:b, [1, \"x\"]}}"), &m));
    assert_false(matches("{:a, {:b, [1, \"x\"]}}", tapa_t("{:a, {:b, [1, \"y\"]}}"), &m));
    assert_true(matches("Foo", tapa_atom("Elixir.Foo"), &m));
    assert_int_equal(m.count, 0);
    /* NULL m: no bindings kept */
    pattern *p = compile_ok("{x, 1}");
    assert_true(pattern_match(p, tapa_t("{0, 1}"), NULL));
    pattern_free(p);
}

static void test_pattern_heap(void **state)
{
    (void)state;
    tapa_heap h, *saved = tapa_current_heap;
    heap_init(&h);
    tapa_current_heap = &h;
    pattern *p = compile_ok("{:msg, \"literal string\", [1.5, x], %{a: 1}}");
    assert_true(tapa_current_heap == &h); /* restored */
    assert_int_equal(h.count, 0); /* the literals are the pattern's own */
    tapa_term t = tapa_t("{:msg, \"literal string\", [1.5, 2], %{a: 1, b: 2}}");
    tapa_match m = {0};
    assert_true(pattern_match(p, t, &m));
    pattern_free(p);
    tapa_current_heap = saved;
    heap_destroy(&h);
}

static void test_pattern_errors(void **state)
{
    (void)state;
    tapa_parse_error e;
    assert_null(pattern_compile("{x, ", &e));
    assert_int_equal(e.line, 1);
    assert_int_equal(e.column, 5);
    assert_null(pattern_compile("%{x => 1}", &e));
    assert_int_equal(e.column, 3);
    assert_non_null(strstr(e.message, "map keys"));
    assert_null(pattern_compile("%{^x => 1}", &e));
    assert_null(pattern_compile("{:a, ~t}", &e));
    assert_non_null(strstr(e.message, "not allowed in patterns"));
    assert_int_equal(e.column, 6);
    assert_null(pattern_compile("^_x", &e));
    assert_int_equal(e.column, 2);
    assert_null(pattern_compile("<<x>>", &e));
    assert_null(pattern_compile("{a, b, c, d, e, f, g, h, i}", &e)); /* TAPA_MAX_VARS is 8 */
    assert_non_null(strstr(e.message, "too many variables"));
    assert_int_equal(e.column, 26);
    assert_null(pattern_compile(NULL, &e));
    pattern *p = compile_ok("{a, b, c, d, e, f, g, h, a, _q}");
    pattern_free(p);
    /* m full: a match that would overflow it fails instead */
    tapa_match m = {0};
    for (int i = 0; i < TAPA_MAX_VARS; i++) {
        static const char *names[] = {"v0", "v1", "v2",  "v3",  "v4",  "v5",  "v6",  "v7",
                                      "v8", "v9", "v10", "v11", "v12", "v13", "v14", "v15"};
        m.names[i] = names[i];
        m.values[i] = tapa_int(i);
    }
    m.count = TAPA_MAX_VARS;
    assert_false(matches("{x}", tapa_t("{1}"), &m));
    assert_true(matches("{v3}", tapa_t("{1}"), &m)); /* rebinding needs no room */
    assert_int_equal(tapa_int_value(m.values[3]), 1);
}

static void test_pattern_cache(void **state)
{
    (void)state;
    tapa_parse_error e;
    const char *lit = "{:cached, x}";
    const pattern *a = pattern_cached(lit, &e);
    assert_non_null(a);
    assert_true(pattern_cached(lit, &e) == a);
    char buf[64];
    strcpy(buf, "{:cached, x}");
    assert_true(pattern_cached(buf, &e) == a); /* same text, other pointer */
    strcpy(buf, "{:other, y}"); /* the same buffer reused */
    const pattern *b = pattern_cached(buf, &e);
    assert_non_null(b);
    assert_true(b != a);
    tapa_match m = {0};
    assert_true(pattern_match(b, tapa_t("{:other, 1}"), &m));
    assert_string_equal(m.names[0], "y");
    assert_true(pattern_cached(lit, &e) == a);
    assert_null(pattern_cached("{bad", &e));
    assert_int_equal(e.column, 5);
    assert_null(pattern_cached("{bad", &e)); /* failures are not cached */
    for (int i = 0; i < 300; i++) { /* the tables grow */
        snprintf(buf, sizeof buf, "{:n, %d, x}", i);
        const pattern *q = pattern_cached(buf, &e);
        assert_non_null(q);
        assert_true(pattern_match(q, tapa_t("{:n, ~i, 0}", (int64_t)i), NULL));
    }
    assert_true(pattern_cached(lit, &e) == a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_atoms),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_floats),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_charlists),
        cmocka_unit_test(test_containers),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_placeholders),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_nesting),
        cmocka_unit_test(test_tapa_t_failure),
        cmocka_unit_test(test_pattern_binding),
        cmocka_unit_test(test_pattern_repeated_and_wild),
        cmocka_unit_test(test_pattern_pins),
        cmocka_unit_test(test_pattern_lists_maps),
        cmocka_unit_test(test_pattern_literals),
        cmocka_unit_test(test_pattern_heap),
        cmocka_unit_test(test_pattern_errors),
        cmocka_unit_test(test_pattern_cache),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}

/* test_terms.c — the term core: construction, printing (as iex 1.14
 * prints), term order, equality, heap copy and collection, atoms, bigints.
 * Runs outside any process: new terms go to heap_global() unless a test
 * points tapa_current_heap at a heap of its own.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "term/term.h"

/* inspect/1 (one line) */
static void expect_inspect(tapa_term t, const char *want)
{
    char *got = tapa_inspect_alloc(t);
    if (strcmp(got, want) != 0) print_error("inspect: want %s\n         got  %s\n", want, got);
    assert_string_equal(got, want);
    free(got);
}

/* IO.inspect (width 80) */
static void expect_pretty(tapa_term t, const char *want)
{
    strbuf sb = {0};
    inspect_into_width(&sb, t, INSPECT_WIDTH);
    if (strcmp(sb.data, want) != 0) print_error("pretty: want\n%s\ngot\n%s\n", want, sb.data);
    assert_string_equal(sb.data, want);
    sb_free(&sb);
}

static tapa_term at(const char *s)
{
    return tapa_atom(s);
}
static tapa_term str(const char *s)
{
    return tapa_string(s);
}
static tapa_term num(int64_t v)
{
    return tapa_int(v);
}

static tapa_term range_list(int from, int to)
{
    tapa_term l = TERM_NIL;
    for (int i = to; i >= from; i--) l = tapa_cons(num(i), l);
    return l;
}

/* 2^bits as a bigint */
static tapa_term pow2(unsigned bits, bool negative)
{
    uint32_t d[8] = {0};
    d[bits / 32] = 1u << (bits % 32);
    return term_bigint_from_digits(negative, d, bits / 32 + 1);
}

/* ------------------------------------------------------------ atoms -- */

static void test_fixed_atoms(void **state)
{
    (void)state;
    atoms_init();
    assert_int_equal(at("false"), A(false));
    assert_int_equal(at("nonode@nohost"), A(nonode_nohost));
    assert_int_equal(at("Elixir.RuntimeError"), A(RuntimeError));
    assert_int_equal(at("pang"), A(pang));
    assert_int_equal(at("system_limit"), A(system_limit));
    assert_string_equal(tapa_atom_name(A(EXIT)), "EXIT");
    assert_int_equal(at("hello"), at("hello"));
    assert_true(atom_lookup("never_made_xyz", 14) == TAPA_NONE);
    assert_int_equal(atom_lookup("hello", 5), at("hello"));
}

static void test_atom_names(void **state)
{
    (void)state;
    char name[600];
    memset(name, 'a', 256);
    assert_false(atom_name_valid(name, 256));
    assert_true(atom_name_valid(name, 255));
    for (int i = 0; i < 255; i++) memcpy(name + 2 * i, "\xc3\xa9", 2); /* é */
    assert_true(atom_name_valid(name, 510));
    assert_false(atom_name_valid("\xff", 1));
    assert_false(atom_name_valid("\xc3", 1));
}

static void test_atom_limit(void **state)
{
    (void)state;
    size_t n = atom_count();
    atom_set_limit(n + 2);
    assert_true(atom_intern("limit_a", 7) != TAPA_NONE);
    assert_true(atom_intern("limit_b", 7) != TAPA_NONE);
    assert_true(atom_intern("limit_c", 7) == TAPA_NONE); /* full: warns once */
    assert_true(atom_intern("limit_d", 7) == TAPA_NONE);
    assert_int_equal(atom_intern("limit_a", 7), at("limit_a")); /* old ones still work */
    assert_int_equal(atom_count(), n + 2);
    atom_set_limit(1048576);
    assert_true(atom_intern("limit_c", 7) != TAPA_NONE);
}

static void test_nodes(void **state)
{
    (void)state;
    const node_entry *local = node_at(0);
    assert_int_equal(local->name, A(nonode_nohost));
    assert_int_equal(local->channel, 0);
    tapa_term n1 = at("node1@127.0.0.1");
    uint32_t i1 = node_index_of(n1, 7), i2 = node_index_of(n1, 8);
    assert_int_not_equal(i1, 0);
    assert_int_not_equal(i1, i2);
    assert_int_equal(node_index_of(n1, 7), i1);
    /* every incarnation of a node prints with the same channel */
    assert_int_equal(node_at(i1)->channel, node_at(i2)->channel);
    assert_true(node_at(i1)->channel > 0);
    assert_int_equal(node_index_of(A(nonode_nohost), 0), 0);
}

/* ---------------------------------------------------- construction -- */

static void test_construct_and_read(void **state)
{
    (void)state;
    tapa_term t = tapa_tuple(at("ok"), num(42), str("hi"));
    assert_int_equal(tapa_type_of(t), TAPA_T_TUPLE);
    assert_int_equal(tapa_tuple_size(t), 3);
    assert_int_equal(tapa_element(t, 0), A(ok));
    assert_int_equal(tapa_int_value(tapa_element(t, 1)), 42);
    assert_int_equal(tapa_binary_size(tapa_element(t, 2)), 2);
    assert_memory_equal(tapa_binary_data(tapa_element(t, 2)), "hi", 2);

    tapa_term l = tapa_list(num(1), num(2), num(3));
    assert_true(tapa_is_list(l) && tapa_is_list(TERM_NIL));
    assert_int_equal(tapa_length(l), 3);
    assert_int_equal(tapa_int_value(tapa_hd(tapa_tl(l))), 2);
    assert_int_equal(tapa_type_of(TERM_NIL), TAPA_T_EMPTY_LIST);
    assert_int_equal(tapa_type_of(l), TAPA_T_LIST);
    assert_int_equal(tapa_type_of(tapa_float(1.5)), TAPA_T_FLOAT);
    assert_true(tapa_float_value(tapa_float(1.5)) == 1.5);
    assert_int_equal(tapa_type_of(tapa_make_ref()), TAPA_T_REFERENCE);
    assert_int_equal(tapa_type_of(MAKE_PID(0, 1, 0)), TAPA_T_PID);
    assert_int_equal(tapa_type_of(term_port_make(0, 1)), TAPA_T_PORT);
    assert_int_equal(tapa_type_of(TAPA_NONE), TAPA_T_NONE);
    assert_true(tapa_bool(true) == A(true) && tapa_false() == A(false) && tapa_true() == A(true));
    tapa_term cl = tapa_charlist("h\xc3\xa9");
    assert_int_equal(tapa_length(cl), 2);
    assert_int_equal(tapa_int_value(tapa_hd(tapa_tl(cl))), 0xe9);
    tapa_term v[2] = {num(1), num(2)};
    assert_true(tapa_equal(tapa_tuple_v(2, v), tapa_tuple(num(1), num(2))));
    assert_true(tapa_equal(tapa_list_v(2, v), tapa_list(num(1), num(2))));
}

static void test_maps(void **state)
{
    (void)state;
    tapa_term m = tapa_map_new();
    tapa_term m1 = tapa_map_put(m, str("b"), num(2));
    tapa_term m2 = tapa_map_put(m1, at("a"), num(1));
    tapa_term m3 = tapa_map_put(m2, str("b"), num(3)); /* replaces */
    assert_int_equal(tapa_map_size(m), 0);
    assert_int_equal(tapa_map_size(m2), 2);
    assert_int_equal(tapa_map_size(m3), 2);
    assert_int_equal(tapa_int_value(tapa_map_get(m2, str("b"))), 2); /* m2 unchanged */
    assert_int_equal(tapa_int_value(tapa_map_get(m3, str("b"))), 3);
    assert_true(tapa_map_get(m3, at("zz")) == tapa_nil()); /* Map.get: nil when absent */
    /* 1 and 1.0 are distinct keys; integers sort first */
    tapa_term k =
        tapa_map_put(tapa_map_put(tapa_map_new(), tapa_float(1.0), at("y")), num(1), at("x"));
    assert_int_equal(tapa_map_size(k), 2);
    assert_int_equal(tapa_map_get(k, num(1)), at("x"));
    expect_inspect(k, "%{1 => :x, 1.0 => :y}");
    tapa_term k2 =
        tapa_map_put(tapa_map_put(tapa_map_new(), num(2), at("a")), tapa_float(1.0), at("b"));
    expect_inspect(k2, "%{2 => :a, 1.0 => :b}");
}

static void test_keyword_get(void **state)
{
    (void)state;
    tapa_term kw =
        tapa_list(tapa_tuple(at("message_queue_len"), num(2)), tapa_tuple(at("links"), TERM_NIL));
    assert_int_equal(tapa_int_value(tapa_keyword_get(kw, "message_queue_len")), 2);
    assert_int_equal(tapa_keyword_get(kw, "links"), TERM_NIL);
    assert_int_equal(tapa_keyword_get(kw, "missing"), A(nil));
    assert_int_equal(tapa_keyword_get(kw, "no_such_atom_anywhere_123"), A(nil));
}

static void test_bigints(void **state)
{
    (void)state;
    assert_int_equal(TERM_TAG(tapa_int(SMALL_MAX)), TAG_SMALL);
    assert_int_equal(TERM_TAG(tapa_int(SMALL_MIN)), TAG_SMALL);
    assert_true(IS_BOX_TYPE(tapa_int(SMALL_MAX + 1), BOX_BIGINT));
    assert_true(IS_BOX_TYPE(tapa_int(SMALL_MIN - 1), BOX_BIGINT));
    assert_int_equal(tapa_int_value(tapa_int(INT64_MAX)), INT64_MAX);
    assert_int_equal(tapa_int_value(tapa_int(INT64_MIN)), INT64_MIN);
    assert_int_equal(tapa_int_value(tapa_int(SMALL_MIN - 1)), SMALL_MIN - 1);
    assert_true(tapa_is_integer(tapa_int(INT64_MAX)));
    expect_inspect(tapa_int(INT64_MAX), "9223372036854775807");
    expect_inspect(tapa_int(INT64_MIN), "-9223372036854775808");
    expect_inspect(tapa_int(SMALL_MAX + 1), "1152921504606846976");
    expect_inspect(pow2(64, false), "18446744073709551616");
    expect_inspect(pow2(100, true), "-1267650600228229401496703205376");
    expect_inspect(pow2(200, false),
                   "1606938044258990275541962092341162602522202993782792835301376");
    /* normalisation: what fits the small range becomes small */
    uint32_t d[3] = {5, 0, 0};
    tapa_term five = term_bigint_from_digits(false, d, 3);
    assert_int_equal(five, MAKE_SMALL(5));
    uint32_t m[2] = {0, 0x10000000}; /* 2^60 */
    assert_true(IS_BOX_TYPE(term_bigint_from_digits(false, m, 2), BOX_BIGINT));
    assert_int_equal(term_bigint_from_digits(true, m, 2), MAKE_SMALL(SMALL_MIN));
    assert_int_equal(term_bigint_from_digits(true, d, 0), MAKE_SMALL(0));
    assert_true(tapa_equal(tapa_int(SMALL_MAX + 1), tapa_int(SMALL_MAX + 1)));
}

static tapa_term add_fn(const tapa_term *captured, const tapa_term *args)
{
    return tapa_int(tapa_int_value(captured[0]) + tapa_int_value(args[0]));
}

static tapa_term add_42(const tapa_term *captured, const tapa_term *args)
{
    (void)captured;
    return tapa_int(tapa_int_value(args[0]) + 42);
}

static void test_funs(void **state)
{
    (void)state;
    tapa_export("TapaMessages", "add_42", 1, add_42);
    tapa_export("TapaMessages", "adder", 1, add_fn);
    tapa_term f = tapa_fun("TapaMessages", "add_42", 1);
    assert_true(tapa_is_fun(f));
    assert_int_equal(tapa_int_value(tapa_apply(f, num(100))), 142);
    expect_inspect(f, "&TapaMessages.add_42/1");
    tapa_term g = tapa_fun("TapaMessages", "adder", 1, num(10));
    assert_int_equal(tapa_int_value(tapa_apply(g, num(5))), 15);
    tapa_term args[1] = {num(1)};
    assert_int_equal(tapa_int_value(tapa_apply_v(g, 1, args)), 11);
    char *s = tapa_inspect_alloc(g);
    assert_true(strncmp(s, "#Function<1.", 12) == 0);
    assert_non_null(strstr(s, "/1 in TapaMessages.adder>"));
    free(s);
    expect_inspect(tapa_fun(":erlang", "self", 0), "&:erlang.self/0");
    assert_int_equal(((box_fun *)BOX_OF(f))->module, at("Elixir.TapaMessages"));
    assert_true(export_lookup(at("Elixir.TapaMessages"), at("add_42"), 1) == add_42);
    assert_null(export_lookup(at("Elixir.TapaMessages"), at("add_42"), 2));
    /* a fun made before its export is resolved when applied */
    tapa_term late = tapa_fun("Later", "go", 1);
    tapa_export("Later", "go", 1, add_42);
    assert_int_equal(tapa_int_value(tapa_apply(late, num(0))), 42);
}

/* ------------------------------------------------------- printing -- */

static void test_print_atoms(void **state)
{
    (void)state;
    expect_inspect(at("hello"), ":hello");
    expect_inspect(at("hello world"), ":\"hello world\"");
    expect_inspect(at("Elixir.Foo"), "Foo");
    expect_inspect(at("Elixir.Foo.Bar"), "Foo.Bar");
    expect_inspect(at("Elixir"), "Elixir");
    expect_inspect(at("Elixir.foo"), ":\"Elixir.foo\"");
    expect_inspect(A(true), "true");
    expect_inspect(A(false), "false");
    expect_inspect(A(nil), "nil");
    expect_inspect(at("foo-bar"), ":\"foo-bar\"");
    expect_inspect(at("+"), ":+");
    expect_inspect(at("++"), ":++");
    expect_inspect(at("<>"), ":<>");
    expect_inspect(at("=="), ":==");
    expect_inspect(at("|>"), ":|>");
    expect_inspect(at("%{}"), ":%{}");
    expect_inspect(at("foo?"), ":foo?");
    expect_inspect(at("foo!"), ":foo!");
    expect_inspect(at("foo?bar"), ":\"foo?bar\"");
    expect_inspect(at("Foo"), ":Foo");
    expect_inspect(at("_"), ":_");
    expect_inspect(at("_foo1"), ":_foo1");
    expect_inspect(at("1a"), ":\"1a\"");
    expect_inspect(at(""), ":\"\"");
    expect_inspect(at("nonode@nohost"), ":nonode@nohost");
    expect_inspect(at("node1@127.0.0.1"), ":\"node1@127.0.0.1\"");
    expect_inspect(at("EXIT"), ":EXIT");
    expect_inspect(at("DOWN"), ":DOWN");
    expect_inspect(at("a\"b"), ":\"a\\\"b\"");
    expect_inspect(at("a\nb"), ":\"a\\nb\"");
    expect_inspect(at("\x01"), ":\"\\x01\"");
    expect_inspect(at("caf\xc3\xa9"), ":caf\xc3\xa9");
}

static void test_print_numbers(void **state)
{
    (void)state;
    expect_inspect(num(0), "0");
    expect_inspect(num(42), "42");
    expect_inspect(num(-7), "-7");
    expect_inspect(tapa_float(1.0), "1.0");
    expect_inspect(tapa_float(0.1), "0.1");
    expect_inspect(tapa_float(-0.5), "-0.5");
    expect_inspect(tapa_float(100.0), "100.0");
    expect_inspect(tapa_float(1000.0), "1000.0");
    expect_inspect(tapa_float(10000.0), "10000.0");
    expect_inspect(tapa_float(8100.0), "8100.0");
    expect_inspect(tapa_float(1.0e15), "1000000000000000.0");
    expect_inspect(tapa_float(1.0e16), "1.0e16");
    expect_inspect(tapa_float(-2.0), "-2.0");
    expect_inspect(tapa_float(1.5e3), "1500.0");
    expect_inspect(tapa_float(1234.5), "1234.5");
    expect_inspect(tapa_float(1.0e20), "1.0e20");
    expect_inspect(tapa_float(3.14159), "3.14159");
    expect_inspect(tapa_float(0.1 + 0.2), "0.30000000000000004");
    expect_inspect(tapa_float(1.5e-5), "1.5e-5");
    expect_inspect(tapa_float(0.0001), "0.0001");
    expect_inspect(tapa_float(123456789.0), "123456789.0");
    expect_inspect(tapa_float(9007199254740992.0), "9007199254740992.0");
    expect_inspect(tapa_float(12345678901234567890.0), "1.2345678901234567e19");
    expect_inspect(tapa_float(0.5e-3), "0.0005");
    expect_inspect(tapa_float(-0.0), "-0.0");
    expect_inspect(tapa_float(5e-324), "5.0e-324");
}

static void test_print_binaries(void **state)
{
    (void)state;
    expect_inspect(str("world"), "\"world\"");
    expect_inspect(str(""), "\"\"");
    expect_inspect(str("a\nb\tc"), "\"a\\nb\\tc\"");
    expect_inspect(str("say \"hi\""), "\"say \\\"hi\\\"\"");
    expect_inspect(str("back\\slash"), "\"back\\\\slash\"");
    expect_inspect(str("\x1b[0m"), "\"\\e[0m\"");
    expect_inspect(str("#{x}"), "\"\\#{x}\"");
    expect_inspect(str("# {x}"), "\"# {x}\"");
    expect_inspect(str("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
    expect_inspect(str("'single'"), "\"'single'\"");
    expect_inspect(tapa_binary("\x01\x02\x03", 3), "<<1, 2, 3>>");
    expect_inspect(tapa_binary("\0", 1), "<<0>>");
    expect_inspect(tapa_binary("\xff", 1), "<<255>>");
    expect_inspect(tapa_binary("abc\0", 4), "<<97, 98, 99, 0>>");
    uint8_t bytes[60];
    for (int i = 0; i < 60; i++) bytes[i] = (uint8_t)(i == 0 ? 200 : i);
    expect_inspect(
        tapa_binary(bytes, 60),
        "<<200, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, "
        "21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, "
        "41, 42, 43, 44, 45, 46, 47, 48, 49, ...>>");
    expect_pretty(tapa_binary(bytes, 30),
                  "<<200, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,\n"
                  "  21, 22, 23, 24, 25, 26, 27, 28, 29>>");
}

static void test_print_lists(void **state)
{
    (void)state;
    expect_inspect(TERM_NIL, "[]");
    expect_inspect(tapa_list(num(1), num(2), num(3)), "[1, 2, 3]");
    expect_inspect(tapa_cons(num(1), num(2)), "[1 | 2]");
    expect_inspect(tapa_cons(num(1), tapa_cons(num(2), num(3))), "[1, 2 | 3]");
    expect_inspect(tapa_charlist("abc"), "'abc'");
    expect_inspect(tapa_charlist("it's"), "'it\\'s'");
    expect_inspect(tapa_charlist("a\n\"b\""), "'a\\n\"b\"'");
    expect_inspect(tapa_cons(num(0), tapa_charlist("bar")), "[0, 98, 97, 114]");
    expect_inspect(tapa_charlist("\xc3\xa9"), "[233]");
    expect_inspect(tapa_list(at("foo"), at("bar")), "[:foo, :bar]");
    expect_inspect(tapa_list(str("a"), tapa_list(num(1))), "[\"a\", [1]]");
    assert_true(term_is_printable_charlist(tapa_charlist("abc")));
    assert_false(term_is_printable_charlist(tapa_cons(num(97), num(98))));
    assert_true(term_is_printable_charlist(TERM_NIL));
}

static void test_print_keywords(void **state)
{
    (void)state;
    tapa_term kw =
        tapa_list(tapa_tuple(at("message_queue_len"), num(2)), tapa_tuple(at("links"), TERM_NIL));
    expect_inspect(kw, "[message_queue_len: 2, links: []]");
    expect_inspect(tapa_list(tapa_tuple(at("foo bar"), num(1))), "[\"foo bar\": 1]");
    expect_inspect(tapa_list(tapa_tuple(at("Foo"), num(1))), "[Foo: 1]");
    expect_inspect(tapa_list(tapa_tuple(at("Elixir.Foo"), num(1))), "[{Foo, 1}]");
    expect_inspect(tapa_list(tapa_tuple(at("a"), num(1)), num(2)), "[{:a, 1}, 2]");
    expect_inspect(tapa_list(tapa_tuple(str("a"), num(1))), "[{\"a\", 1}]");
    expect_inspect(tapa_list(tapa_tuple(at("ok?"), A(true))), "[ok?: true]");
}

static void test_print_tuples_maps(void **state)
{
    (void)state;
    expect_inspect(tapa_tuple_v(0, NULL), "{}");
    expect_inspect(tapa_tuple(at("hello"), str("world")), "{:hello, \"world\"}");
    expect_inspect(tapa_tuple(A(EXIT), MAKE_PID(0, 351, 0), at("some_error")),
                   "{:EXIT, #PID<0.351.0>, :some_error}");
    expect_inspect(tapa_map_new(), "%{}");
    tapa_term m = tapa_map_put(tapa_map_put(tapa_map_new(), at("b"), num(2)), at("a"), num(1));
    expect_inspect(m, "%{a: 1, b: 2}");
    tapa_term mixed = tapa_map_put(tapa_map_put(tapa_map_new(), at("a"), num(1)), str("b"), num(2));
    expect_inspect(mixed, "%{:a => 1, \"b\" => 2}");
    tapa_term sm = tapa_map_put(tapa_map_put(tapa_map_new(), str("b"), num(1)), str("a"), num(2));
    expect_inspect(sm, "%{\"a\" => 2, \"b\" => 1}");
    tapa_term alias_key = tapa_map_put(tapa_map_new(), at("Elixir.Foo"), num(1));
    expect_inspect(alias_key, "%{Foo => 1}");
    expect_inspect(term_runtime_error("boom"), "%RuntimeError{message: \"boom\"}");
    tapa_term nested = tapa_tuple(A(ok), tapa_map_put(tapa_map_new(), at("x"), tapa_list(num(1))));
    expect_inspect(nested, "{:ok, %{x: [1]}}");
}

static void test_print_pids_refs_ports(void **state)
{
    (void)state;
    expect_inspect(MAKE_PID(0, 156, 0), "#PID<0.156.0>");
    uint32_t node = node_index_of(at("node1@127.0.0.1"), 3);
    char want[64];
    snprintf(want, sizeof want, "#PID<%u.156.0>", node_at(node)->channel);
    expect_inspect(MAKE_PID(node, 156, 0), want);
    uint32_t w[3] = {3, 2, 1};
    expect_inspect(term_ref_make(0, w, 3), "#Reference<0.1.2.3>");
    expect_inspect(term_port_make(0, 5), "#Port<0.5>");
    char *r = tapa_inspect_alloc(tapa_make_ref());
    assert_true(strncmp(r, "#Reference<0.", 13) == 0);
    /* shaped as BEAM's, #Reference<0.4234795904.3895197697.5985>: two big
     * words, then an 18-bit counter that goes up by one from ref to ref */
    unsigned long high, middle, low, low2;
    assert_int_equal(sscanf(r, "#Reference<0.%lu.%lu.%lu>", &high, &middle, &low), 3);
    assert_true(high >= 1000000000ul && middle >= 100000000ul && low < (1ul << 18));
    free(r);
    r = tapa_inspect_alloc(tapa_make_ref());
    assert_int_equal(sscanf(r, "#Reference<0.%*u.%*u.%lu>", &low2), 1);
    assert_true(low2 == low + 1 || (low == (1ul << 18) - 1 && low2 == 0));
    free(r);
    assert_false(tapa_equal(tapa_make_ref(), tapa_make_ref()));
}

static void test_print_limits(void **state)
{
    (void)state;
    expect_inspect(
        range_list(1, 60),
        "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, "
        "23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, "
        "43, 44, 45, 46, 47, 48, 49, 50, ...]");
    expect_inspect(
        range_list(1, 50),
        "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, "
        "23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, "
        "43, 44, 45, 46, 47, 48, 49, 50]");
    /* the limit shrinks as it goes down: the 50th element sees limit 0 */
    tapa_term l = tapa_list(tapa_list(num(1), num(2)));
    for (int i = 0; i < 49; i++) l = tapa_cons(num(i), l);
    char *s = tapa_inspect_alloc(l);
    assert_non_null(strstr(s, ", 1, 0, [...]]"));
    free(s);
    l = tapa_tl(l); /* now [1, 2] is the 49th: it gets limit 1 */
    s = tapa_inspect_alloc(l);
    assert_non_null(strstr(s, ", 1, 0, [1, ...]]"));
    free(s);
    char big[5000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    s = tapa_inspect_alloc(str(big));
    assert_int_equal(strlen(s), 1 + 4096 + 1 + 7);
    assert_string_equal(s + 4098, " <> ...");
    free(s);
    s = tapa_inspect_alloc(tapa_charlist(big));
    assert_string_equal(s + 4098, " ++ ...");
    free(s);
}

static void test_pretty_width(void **state)
{
    (void)state;
    expect_pretty(
        range_list(1, 30),
        "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,\n"
        " 23, 24, 25, 26, 27, 28, 29, 30]");
    expect_pretty(
        range_list(1, 60),
        "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,\n"
        " 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42,\n"
        " 43, 44, 45, 46, 47, 48, 49, 50, ...]");
    tapa_term m = tapa_map_new();
    m = tapa_map_put(m, at("a"), str("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
    m = tapa_map_put(m, at("b"), str("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"));
    expect_pretty(m, "%{\n  a: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\n"
                     "  b: \"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"\n}");
    tapa_term kw = tapa_list(
        tapa_tuple(at("current_function"), tapa_tuple(at("erl_eval"), at("do_apply"), num(7))),
        tapa_tuple(at("initial_call"), tapa_tuple(at("erlang"), at("apply"), num(2))),
        tapa_tuple(at("status"), at("running")));
    expect_pretty(kw, "[\n  current_function: {:erl_eval, :do_apply, 7},\n"
                      "  initial_call: {:erlang, :apply, 2},\n  status: :running\n]");
    tapa_term t = tapa_tuple(A(ok), m);
    expect_pretty(t, "{:ok,\n %{\n   a: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\n"
                     "   b: \"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"\n }}");
    expect_pretty(tapa_tuple(at("hello"), str("world")), "{:hello, \"world\"}");
    /* inspect/1 never breaks */
    expect_inspect(m, "%{a: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\", "
                      "b: \"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"}");
}

static void test_printf(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    assert_non_null(f);
    tapa_term msg = tapa_tuple(at("hello"), str("world"));
    int n = tapa_fprintf(f, "Received: %pT|%s|%d|%5.2f|%zu|%x|%%|%c|%lld|%-3d|%g\n", msg, "s", -3,
                         3.14159, (size_t)7, 255u, 'z', 1234567890123LL, 5, 0.5);
    const char *want = "Received: {:hello, \"world\"}|s|-3| 3.14|7|ff|%|z|1234567890123|5  |0.5\n";
    assert_int_equal(n, (int)strlen(want));
    rewind(f);
    char buf[200] = {0};
    assert_non_null(fgets(buf, sizeof buf, f));
    assert_string_equal(buf, want);
    fclose(f);
    /* %T is inspect/1: a DOWN message with a BEAM-sized reference stays on
     * one line (86 characters), as IO.puts("Received: #{inspect(msg)}")
     * prints it; IO.inspect would break it at 80 */
    uint32_t rw[3] = {5985, 3895197697u, 4234795904u};
    tapa_term down = tapa_tuple(at("DOWN"), term_ref_make(0, rw, 3), at("process"),
                                MAKE_PID(0, 101, 0), at("some_error"));
    char line[200];
    f = tmpfile();
    tapa_fprintf(f, "Received: %pT\n", down);
    rewind(f);
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line,
                        "Received: {:DOWN, #Reference<0.4234795904.3895197697.5985>, :process, "
                        "#PID<0.101.0>, :some_error}\n");
    fclose(f);
    f = tmpfile();
    tapa_fprint_term(f, at("pong"));
    fflush(f);
    rewind(f);
    memset(buf, 0, sizeof buf);
    assert_non_null(fgets(buf, sizeof buf, f));
    assert_string_equal(buf, ":pong");
    fclose(f);
    char small[8];
    assert_int_equal(tapa_inspect_to(small, sizeof small, str("hello world")), 13);
    assert_string_equal(small, "\"hello ");
    assert_true(tapa_inspect(at("x"), "label") == at("x"));
}

/* ------------------------------------------------------- ordering -- */

static void test_compare_types(void **state)
{
    (void)state;
    uint32_t w[3] = {1, 2, 3};
    tapa_term order[] = {
        num(1),
        at("a"),
        term_ref_make(0, w, 3),
        tapa_fun(":erlang", "self", 0),
        term_port_make(0, 1),
        MAKE_PID(0, 1, 0),
        tapa_tuple_v(0, NULL),
        tapa_map_new(),
        TERM_NIL,
        tapa_list(num(1)),
        str(""),
    };
    size_t n = sizeof order / sizeof order[0];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            assert_int_equal(tapa_compare(order[i], order[j]), i < j ? -1 : i > j ? 1 : 0);
}

static void test_compare_numbers(void **state)
{
    (void)state;
    assert_int_equal(tapa_compare(num(1), tapa_float(1.0)), 0);
    assert_false(tapa_equal(num(1), tapa_float(1.0)));
    assert_true(tapa_equal(tapa_float(1.0), tapa_float(1.0)));
    assert_int_equal(tapa_compare(num(1), tapa_float(1.5)), -1);
    assert_int_equal(tapa_compare(tapa_float(1.5), num(2)), -1);
    assert_int_equal(tapa_compare(num(-2), tapa_float(-1.5)), -1);
    assert_int_equal(tapa_compare(pow2(100, true), num(-5)), -1);
    assert_int_equal(tapa_compare(num(5), pow2(70, false)), -1);
    assert_int_equal(tapa_compare(pow2(70, false), pow2(100, false)), -1);
    assert_int_equal(tapa_compare(pow2(100, true), pow2(70, true)), -1);
    assert_int_equal(tapa_compare(pow2(70, false), tapa_float(1180591620717411303424.0)), 0);
    assert_int_equal(tapa_compare(pow2(70, false), tapa_float(1e21)), 1);
    assert_int_equal(tapa_compare(pow2(70, true), tapa_float(-1e22)), 1);
    assert_int_equal(tapa_compare(tapa_float(1e300), pow2(200, false)), 1);
    assert_int_equal(tapa_compare(tapa_int(SMALL_MAX), tapa_float(1152921504606846976.0)), -1);
    assert_int_equal(tapa_compare(num(3), num(3)), 0);
}

static void test_compare_terms(void **state)
{
    (void)state;
    assert_int_equal(tapa_compare(at("a"), at("b")), -1);
    assert_int_equal(tapa_compare(at("ab"), at("a")), 1);
    assert_int_equal(tapa_compare(tapa_tuple(num(9)), tapa_tuple(num(1), num(1))), -1);
    assert_int_equal(tapa_compare(tapa_tuple(num(1), num(2)), tapa_tuple(num(1), num(3))), -1);
    /* erl: lists:sort([[1,2], [1|2], [1], [1,2|3]]) = [[1|2],[1],[1,2|3],[1,2]] */
    tapa_term l12 = tapa_list(num(1), num(2)), l1_2 = tapa_cons(num(1), num(2));
    tapa_term l1 = tapa_list(num(1)), l12_3 = tapa_cons(num(1), tapa_cons(num(2), num(3)));
    assert_int_equal(tapa_compare(l1_2, l1), -1);
    assert_int_equal(tapa_compare(l1, l12_3), -1);
    assert_int_equal(tapa_compare(l12_3, l12), -1);
    assert_int_equal(tapa_compare(str("a"), str("ab")), -1);
    assert_int_equal(tapa_compare(str("ab"), str("b")), -1);
    /* pids: serial, then number */
    assert_int_equal(tapa_compare(MAKE_PID(0, 2, 1), MAKE_PID(0, 1, 2)), -1);
    assert_int_equal(tapa_compare(MAKE_PID(0, 1, 0), MAKE_PID(0, 2, 0)), -1);
    uint32_t a_b = node_index_of(at("a@b"), 1), zz = node_index_of(at("zz@b"), 1);
    assert_int_equal(tapa_compare(MAKE_PID(zz, 0, 0), MAKE_PID(a_b, 1, 0)), -1);
    assert_int_equal(tapa_compare(MAKE_PID(a_b, 5, 0), MAKE_PID(0, 5, 0)), -1);
    /* refs: node, then the most significant word first */
    uint32_t r1[3] = {2, 1, 0}, r2[3] = {1, 2, 0};
    assert_int_equal(tapa_compare(term_ref_make(0, r1, 3), term_ref_make(0, r2, 3)), -1);
    assert_int_equal(tapa_compare(term_ref_make(a_b, r2, 3), term_ref_make(0, r1, 3)), -1);
    /* ports: node name first (erl: #Port<a@b.5> < #Port<0.0>), then number */
    assert_int_equal(tapa_compare(term_port_make(a_b, 5), term_port_make(0, 0)), -1);
    assert_int_equal(tapa_compare(term_port_make(0, 1), term_port_make(0, 2)), -1);
    /* maps: size, keys, values; erl sorts #{1=>a} < #{1.0=>a} < #{a=>2} < #{b=>1} */
    tapa_term m_int = tapa_map_put(tapa_map_new(), num(1), at("a"));
    tapa_term m_flt = tapa_map_put(tapa_map_new(), tapa_float(1.0), at("a"));
    tapa_term m_a2 = tapa_map_put(tapa_map_new(), at("a"), num(2));
    tapa_term m_b1 = tapa_map_put(tapa_map_new(), at("b"), num(1));
    tapa_term m_ab = tapa_map_put(m_a2, at("b"), num(1));
    assert_int_equal(tapa_compare(m_int, m_flt), -1);
    assert_int_equal(tapa_compare(m_flt, m_a2), -1);
    assert_int_equal(tapa_compare(m_a2, m_b1), -1);
    assert_int_equal(tapa_compare(m_b1, m_ab), -1);
    tapa_term v1 = tapa_map_put(tapa_map_new(), at("a"), num(1));
    tapa_term v1f = tapa_map_put(tapa_map_new(), at("a"), tapa_float(1.0));
    assert_int_equal(tapa_compare(v1, v1f), 0); /* values compare with == */
    assert_false(tapa_equal(v1, v1f));
    assert_true(
        tapa_equal(tapa_tuple(str("x"), l12), tapa_tuple(str("x"), tapa_list(num(1), num(2)))));
}

/* ------------------------------------------------------------ heaps -- */

static tapa_term sample_term(void)
{
    tapa_term m = tapa_map_put(tapa_map_new(), at("k"), tapa_list(tapa_float(2.5), str("bin")));
    return tapa_tuple(at("ok"), m, pow2(80, true), tapa_cons(num(1), num(2)),
                      tapa_fun("TapaMessages", "adder", 1, str("captured")));
}

static void test_heap_copy(void **state)
{
    (void)state;
    tapa_heap src, dst;
    heap_init(&src);
    heap_init(&dst);
    tapa_heap *saved = tapa_current_heap;
    tapa_current_heap = &src;
    tapa_term t = sample_term();
    uint32_t w[3] = {7, 8, 9};
    tapa_term r = term_ref_make(0, w, 3), p = term_port_make(0, 3);
    tapa_current_heap = saved;
    tapa_term c = heap_copy(&dst, t);
    assert_true(tapa_equal(c, t));
    assert_true(c != t);
    assert_true(heap_owns(&dst, BOX_OF(c)));
    assert_false(heap_owns(&src, BOX_OF(c)));
    assert_int_equal(dst.count, src.count - 3); /* not r, p, nor a garbage empty map */
    char *before = tapa_inspect_alloc(t);
    tapa_term rc = heap_copy(&dst, r), pc = heap_copy(&dst, p);
    heap_destroy(&src); /* the copy shares nothing with the source */
    char *after = tapa_inspect_alloc(c);
    assert_string_equal(before, after);
    expect_inspect(rc, "#Reference<0.9.8.7>");
    expect_inspect(pc, "#Port<0.3>");
    assert_int_equal(heap_copy(&dst, A(ok)), A(ok));
    assert_int_equal(heap_copy(&dst, num(5)), num(5));
    free(before);
    free(after);
    heap_destroy(&dst);
    assert_int_equal(dst.count, 0);
}

static void test_gc(void **state)
{
    (void)state;
    tapa_heap h;
    heap_init(&h);
    tapa_heap *saved = tapa_current_heap;
    tapa_current_heap = &h;
    tapa_term keep = sample_term();
    size_t keep_bytes = h.bytes;
    tapa_heap probe; /* how many boxes are reachable from keep */
    heap_init(&probe);
    heap_copy(&probe, keep);
    size_t keep_count = probe.count, made = h.count;
    heap_destroy(&probe);
    for (int i = 0; i < 1000; i++) (void)tapa_tuple(num(i), str("garbage")); /* unreachable */
    tapa_term by_stack = tapa_list(str("on"), str("stack"));
    size_t stack_count = h.count - made - 2000;
    tapa_current_heap = saved;
    assert_int_equal(stack_count, 4);
    char *before = tapa_inspect_alloc(keep);
    heap_mark_term(&h, keep);
    volatile tapa_term roots[3] = {TAPA_NONE, by_stack, WORD_TERM(12345)};
    heap_mark_range(&h, (const void *)roots, (const void *)(roots + 3));
    heap_sweep(&h);
    assert_int_equal(h.count, keep_count + stack_count);
    assert_true(h.bytes < keep_bytes + 4096);
    assert_int_equal(h.bytes_at_last_gc, h.bytes);
    assert_false(heap_wants_gc(&h));
    char *after = tapa_inspect_alloc(keep);
    assert_string_equal(before, after);
    expect_inspect(by_stack, "[\"on\", \"stack\"]");
    /* a second collection with only `keep` as root frees the list */
    heap_mark_term(&h, keep);
    heap_sweep(&h);
    assert_int_equal(h.count, keep_count);
    for (tapa_box *b = h.boxes; b; b = b->next) assert_int_equal(b->mark, 0);
    heap_sweep(&h); /* nothing marked: everything goes */
    assert_int_equal(h.count, 0);
    assert_int_equal(h.bytes, 0);
    free(before);
    free(after);
    heap_destroy(&h);
}

static void test_gc_threshold(void **state)
{
    (void)state;
    tapa_heap h;
    heap_init(&h);
    tapa_heap *saved = tapa_current_heap;
    tapa_current_heap = &h;
    assert_false(heap_wants_gc(&h));
    char chunk[1024] = {0};
    for (int i = 0; i < 100; i++) (void)tapa_binary(chunk, sizeof chunk);
    tapa_current_heap = saved;
    assert_true(heap_wants_gc(&h));
    heap_sweep(&h);
    assert_false(heap_wants_gc(&h));
    heap_destroy(&h);
}

/* Lists of a million cells and tuples nested 100,000 deep must not
 * exhaust the C stack anywhere. */
static void test_deep_terms(void **state)
{
    (void)state;
    tapa_heap h, h2;
    heap_init(&h);
    heap_init(&h2);
    tapa_heap *saved = tapa_current_heap;
    tapa_current_heap = &h;
    tapa_term big = range_list(1, 1000000);
    tapa_term deep = TERM_NIL;
    for (int i = 0; i < 100000; i++) deep = tapa_tuple(deep);
    tapa_term deep_list = num(0);
    for (int i = 0; i < 100000; i++) deep_list = tapa_list(deep_list);
    tapa_current_heap = saved;
    assert_int_equal(tapa_length(big), 1000000);
    tapa_term big2 = heap_copy(&h2, big), deep2 = heap_copy(&h2, deep);
    tapa_term deep_list2 = heap_copy(&h2, deep_list);
    assert_true(tapa_equal(big, big2));
    assert_true(tapa_equal(deep, deep2));
    assert_true(tapa_equal(deep_list, deep_list2));
    assert_int_equal(term_size_bytes(big), 1000000 * sizeof(box_cons));
    char *s = tapa_inspect_alloc(deep);
    assert_true(strncmp(s, "{{{{", 4) == 0);
    assert_non_null(strstr(s, "{...}"));
    free(s);
    s = tapa_inspect_alloc(deep_list);
    assert_non_null(strstr(s, "[...]"));
    free(s);
    heap_mark_term(&h, big);
    heap_mark_term(&h, deep);
    heap_mark_term(&h, deep_list);
    size_t count = h.count;
    heap_sweep(&h);
    assert_int_equal(h.count, count);
    heap_destroy(&h);
    heap_destroy(&h2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed_atoms),
        cmocka_unit_test(test_atom_names),
        cmocka_unit_test(test_atom_limit),
        cmocka_unit_test(test_nodes),
        cmocka_unit_test(test_construct_and_read),
        cmocka_unit_test(test_maps),
        cmocka_unit_test(test_keyword_get),
        cmocka_unit_test(test_bigints),
        cmocka_unit_test(test_funs),
        cmocka_unit_test(test_print_atoms),
        cmocka_unit_test(test_print_numbers),
        cmocka_unit_test(test_print_binaries),
        cmocka_unit_test(test_print_lists),
        cmocka_unit_test(test_print_keywords),
        cmocka_unit_test(test_print_tuples_maps),
        cmocka_unit_test(test_print_pids_refs_ports),
        cmocka_unit_test(test_print_limits),
        cmocka_unit_test(test_pretty_width),
        cmocka_unit_test(test_printf),
        cmocka_unit_test(test_compare_types),
        cmocka_unit_test(test_compare_numbers),
        cmocka_unit_test(test_compare_terms),
        cmocka_unit_test(test_heap_copy),
        cmocka_unit_test(test_gc),
        cmocka_unit_test(test_gc_threshold),
        cmocka_unit_test(test_deep_terms),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    heap_destroy(heap_global()); /* so leak checkers see only real leaks */
    return failed;
}

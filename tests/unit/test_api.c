/* test_api.c — the API's conventions as a learner meets them at run time
 * (issue 12): TAPA_NONE where a term belongs is :badarg with a message that
 * says which argument and what to write instead; TAPA_TIMEOUT is not a
 * timeout; absent is nil (tapa_map_get) unless asked (tapa_map_fetch);
 * tapa_nil() is the atom nil and tapa_empty_list() is []; %pT prints a
 * term. The compile-time half (integers and strings are not terms) is in
 * tests/api/compile-fail. */
#include "tapa_test.h"

/* TAPA_NONE as a learner gets it: from a literal that does not parse (a
 * literal TAPA_NONE in a call is a -Wnonnull warning already). */
static tapa_term failed_parse(void)
{
    tapa_parse_error err;
    return tapa_parse("{:unclosed", &err);
}

/* Runs fn(arg) as a monitored child of the main process; logs its DOWN
 * reason. The crash report lands in *out. */
static tapa_fn child_fn;

static void main_watch(tapa_term arg)
{
    tapa_term pair = tapa_spawn_monitor(child_fn, arg);
    tapa_match m = {0};
    tapa_pin(&m, "ref", tapa_element(pair, 1));
    tapa_receive(&m, TAPA_INFINITY, "{:DOWN, ^ref, :process, _, reason}");
    log_line("%pT", tapa_var(&m, "reason"));
}

static char *down_of(tapa_fn fn, const char *expect_reason)
{
    char *out;
    log_reset();
    child_fn = fn;
    assert_int_equal(run_captured(main_watch, tapa_empty_list(), &out), 0);
    char line[512];
    snprintf(line, sizeof line, "%s\n", expect_reason);
    assert_string_equal(test_log, line);
    return out;
}

static void expect_down(tapa_fn fn, const char *expect_reason, const char *expect_text)
{
    char *out = down_of(fn, expect_reason);
    if (!strstr(out, expect_text))
        fail_msg("expected\n  %s\nin the crash report:\n%s", expect_text, out);
    free(out);
}

/* --------------------------------------------------------- TAPA_NONE -- */

static void send_none(tapa_term arg)
{
    tapa_send(tapa_self(), failed_parse());
}
static void send_to_none(tapa_term arg)
{
    tapa_send(failed_parse(), tapa_atom("hi"));
}
static void tuple_none(tapa_term arg)
{
    tapa_tuple(tapa_atom("ok"), failed_parse());
}
static void list_none(tapa_term arg)
{
    tapa_list(tapa_int(7), failed_parse(), tapa_int(9));
}
static void t_none(tapa_term arg)
{
    tapa_t("{:a, ~i, ~t}", (int64_t)1, failed_parse());
}
static void printf_none(tapa_term arg)
{
    tapa_printf("%pT and %pT\n", tapa_int(1), failed_parse());
}
static void apply_none(tapa_term arg)
{
    tapa_apply(tapa_fun(":erlang", "self", 1), failed_parse());
}
static void is_atom_none(tapa_term arg)
{
    tapa_is_atom(failed_parse());
}
static void map_put_none(tapa_term arg)
{
    tapa_map_put(tapa_map_new(), tapa_atom("k"), failed_parse());
}
static void element_none(tapa_term arg)
{
    tapa_element(failed_parse(), 0);
}
static void int_value_none(tapa_term arg)
{
    tapa_int_value(failed_parse());
}

static void test_none_is_badarg_with_what_to_write(void **state)
{
    expect_down(send_none, "{:badarg, []}",
                "** (ArgumentError) argument 2 of tapa_send is TAPA_NONE/0, not a term: "
                "write tapa_int(0) for the number 0");
    expect_down(send_to_none, "{:badarg, []}",
                "argument 1 of tapa_send is TAPA_NONE/0, not a term");
    expect_down(
        tuple_none, "{:badarg, []}",
        "element 2 of tapa_tuple is TAPA_NONE/0, not a term: write tapa_int(0) for the number 0");
    expect_down(list_none, "{:badarg, []}", "element 2 of tapa_list is TAPA_NONE/0, not a term");
    expect_down(printf_none, "{:badarg, []}", "%pT argument 2 of tapa_printf is TAPA_NONE/0");
    expect_down(apply_none, "{:badarg, []}", "fun argument 1 of tapa_apply is TAPA_NONE/0");
    expect_down(is_atom_none, "{:badarg, []}", "argument 1 of tapa_is_atom is TAPA_NONE/0");
    expect_down(map_put_none, "{:badarg, []}", "argument 3 of tapa_map_put is TAPA_NONE/0");
    expect_down(element_none, "{:badarg, []}", "argument 1 of tapa_element is TAPA_NONE/0");
    expect_down(int_value_none, "{:badarg, []}", "argument 1 of tapa_int_value is TAPA_NONE/0");
}

static void test_none_in_tapa_t_names_the_placeholder(void **state)
{
    char *out = down_of(t_none, "{{:badarg, \"the argument for placeholder 2 (~t) is TAPA_NONE/0, "
                                "not a term (write tapa_int(0) for the number 0) at line 1, "
                                "column 10\"}, []}");
    assert_non_null(
        strstr(out, "tapa_t: invalid term literal: the argument for placeholder 2 (~t)"));
    free(out);
}

/* ------------------------------------------------------ TAPA_TIMEOUT -- */

static void receive_timeout_constant(tapa_term arg)
{
    tapa_match m = {0};
    tapa_receive(&m, TAPA_TIMEOUT, "_");
}
static void sleep_timeout_constant(tapa_term arg)
{
    tapa_sleep(TAPA_TIMEOUT);
}

static void test_timeout_constant_is_not_a_timeout(void **state)
{
    assert_true(TAPA_TIMEOUT != TAPA_INFINITY);
    const char *hint =
        "the timeout is TAPA_TIMEOUT (-2). TAPA_TIMEOUT is what tapa_receive returns; "
        "to wait forever pass TAPA_INFINITY.";
    expect_down(receive_timeout_constant, "{:timeout_value, []}", hint);
    expect_down(sleep_timeout_constant, "{:timeout_value, []}", hint);
}

static void main_timeout_result(tapa_term arg)
{
    tapa_match m = {0};
    log_line("%d %d", tapa_receive(&m, 0, "_") == TAPA_TIMEOUT, TAPA_TIMEOUT);
}

static void test_receive_returns_timeout(void **state)
{
    log_reset();
    assert_int_equal(tapa_run(main_timeout_result, tapa_empty_list()), 0);
    assert_string_equal(test_log, "1 -2\n");
}

/* ------------------------------------------------------------ absent -- */

static void main_absent(tapa_term arg)
{
    tapa_term m = tapa_t("%{a: nil, b: 2}"), v = tapa_atom("untouched");
    log_line("get a %pT, get zz %pT, get b %pT", tapa_map_get(m, tapa_atom("a")),
             tapa_map_get(m, tapa_atom("zz")), tapa_map_get(m, tapa_atom("b")));
    bool found = tapa_map_fetch(m, tapa_atom("a"), &v);
    log_line("fetch a %d %pT", found, v);
    v = tapa_atom("untouched");
    found = tapa_map_fetch(m, tapa_atom("zz"), &v);
    log_line("fetch zz %d %pT", found, v);
    found = tapa_map_fetch(m, tapa_atom("b"), &v);
    log_line("fetch b %d %pT", found, v);
    log_line("whereis %d, keyword %d", tapa_is_nil(tapa_whereis("nobody_has_this")),
             tapa_is_nil(tapa_keyword_get(tapa_t("[a: 1]"), "b")));
}

static void test_absent_is_nil_and_fetch_tells(void **state)
{
    log_reset();
    assert_int_equal(tapa_run(main_absent, tapa_empty_list()), 0);
    assert_string_equal(test_log, "get a nil, get zz nil, get b 2\n"
                                  "fetch a 1 nil\n"
                                  "fetch zz 0 :untouched\n"
                                  "fetch b 1 2\n"
                                  "whereis 1, keyword 1\n");
}

static void test_nil_is_not_the_empty_list(void **state)
{
    char buf[16];
    tapa_inspect_to(buf, sizeof buf, tapa_nil());
    assert_string_equal(buf, "nil");
    tapa_inspect_to(buf, sizeof buf, tapa_empty_list());
    assert_string_equal(buf, "[]");
    assert_true(tapa_nil() == tapa_atom("nil"));
    assert_true(tapa_nil() != tapa_empty_list());
    assert_true(tapa_is_nil(tapa_nil()));
    assert_true(tapa_is_nil(tapa_atom("nil")));
    assert_false(tapa_is_nil(tapa_empty_list()));
    assert_false(tapa_is_nil(tapa_false()));
    assert_false(tapa_is_nil(tapa_int(0)));
    assert_true(tapa_is_list(tapa_empty_list()));
    assert_false(tapa_is_list(tapa_nil()));
    assert_int_equal(tapa_type_of(tapa_nil()), TAPA_T_ATOM);
    assert_int_equal(tapa_type_of(tapa_empty_list()), TAPA_T_EMPTY_LIST);
    assert_int_equal(tapa_length(tapa_list(tapa_nil())), 1);
}

/* ----------------------------------------------------------- printing -- */

static void test_percent_pT_prints_a_term(void **state)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&buf, &size);
    int x = 0;
    int n = tapa_fprintf(mem, "%pT|%p|%d|%pTx", tapa_t("{:ok, [1, \"two\"]}"), (void *)&x, 3,
                         tapa_nil());
    fclose(mem);
    char pointer[32];
    snprintf(pointer, sizeof pointer, "%p", (void *)&x);
    char expect[128];
    snprintf(expect, sizeof expect, "{:ok, [1, \"two\"]}|%s|3|nilx", pointer);
    assert_string_equal(buf, expect);
    assert_int_equal(n, (int)strlen(expect));
    free(buf);
}

/* Code built without format checks may still say %T: it gets a hint, and
 * the conversions after it stay in line. */
static void test_old_percent_T_prints_a_hint(void **state)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&buf, &size);
    const char *fmt = "got %T and %d"; /* not a literal: the compiler rejects %T */
    tapa_fprintf(mem, fmt, tapa_atom("x"), 5);
    fclose(mem);
    assert_string_equal(buf, "got [%T is not a conversion: write %pT to print a term] and 5");
    free(buf);
}

static void raise_with_term(tapa_term arg)
{
    tapa_raise("bad reply %pT (%d)", tapa_t("{:error, :nope}"), 7);
}

static void test_raise_formats_terms(void **state)
{
    char *out =
        down_of(raise_with_term, "{%RuntimeError{message: \"bad reply {:error, :nope} (7)\"}, []}");
    assert_non_null(strstr(out, "** (RuntimeError) bad reply {:error, :nope} (7)"));
    free(out);
}

/* ------------------------------------------------------------ builders -- */

static tapa_term add3(const tapa_term *captured, const tapa_term *args)
{
    return tapa_int(tapa_int_value(captured[0]) + tapa_int_value(args[0]) +
                    tapa_int_value(args[1]));
}

static void test_builders_count_their_arguments(void **state)
{
    char buf[128];
    tapa_inspect_to(buf, sizeof buf, tapa_tuple(tapa_atom("ok")));
    assert_string_equal(buf, "{:ok}");
    tapa_inspect_to(buf, sizeof buf, tapa_tuple_v(0, NULL));
    assert_string_equal(buf, "{}");
    tapa_term i[16];
    for (int k = 0; k < 16; k++) i[k] = tapa_int(k);
    tapa_term t16 = tapa_tuple(i[0], i[1], i[2], i[3], i[4], i[5], i[6], i[7], i[8], i[9], i[10],
                               i[11], i[12], i[13], i[14], i[15]);
    assert_int_equal(tapa_tuple_size(t16), 16);
    assert_true(tapa_element(t16, 15) == i[15]);
    tapa_term l = tapa_list(i[1], tapa_list(i[2], i[3]));
    tapa_inspect_to(buf, sizeof buf, l);
    assert_string_equal(buf, "[1, [2, 3]]");
    tapa_export("TapaApiTest", "add3", 2, add3);
    tapa_term f = tapa_fun("TapaApiTest", "add3", 2, tapa_int(100));
    assert_int_equal(tapa_int_value(tapa_apply(f, i[2], i[3])), 105);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_none_is_badarg_with_what_to_write),
        cmocka_unit_test(test_none_in_tapa_t_names_the_placeholder),
        cmocka_unit_test(test_timeout_constant_is_not_a_timeout),
        cmocka_unit_test(test_receive_returns_timeout),
        cmocka_unit_test(test_absent_is_nil_and_fetch_tells),
        cmocka_unit_test(test_nil_is_not_the_empty_list),
        cmocka_unit_test(test_percent_pT_prints_a_term),
        cmocka_unit_test(test_old_percent_T_prints_a_hint),
        cmocka_unit_test(test_raise_formats_terms),
        cmocka_unit_test(test_builders_count_their_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

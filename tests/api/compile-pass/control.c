/* The control of make check-api: every mistake of compile-fail/, written the
 * right way. It must compile without a warning under the kit's
 * LEARNER_CFLAGS and -Werror with gcc and clang, link, and print:
 * prints: sent 42, [7, :eight], {:ok, 1}, :hello, 0, "hello"; raised: {%RuntimeError{message: "42 is not a string"}, []}
 */
#include "tapa.h"

static void raiser(tapa_term arg)
{
    (void)arg;
    tapa_raise("%d is not a string", 42);
}

static void control(tapa_term arg)
{
    (void)arg;
    tapa_term self = tapa_self();
    tapa_send(self, tapa_int(42));
    tapa_send(self, tapa_list(tapa_int(7), tapa_atom("eight")));
    tapa_send(self, tapa_tuple(tapa_atom("ok"), tapa_int(1)));
    tapa_send(self, tapa_atom("hello"));
    tapa_send(self, tapa_int(0));
    tapa_send(self, tapa_string("hello"));
    tapa_term got[6];
    for (int i = 0; i < 6; i++) got[i] = tapa_receive_any();
    tapa_printf("sent %pT, %pT, %pT, %pT, %pT, %pT; ", got[0], got[1], got[2], got[3], got[4],
                got[5]);
    tapa_term pr = tapa_spawn_monitor(raiser, tapa_nil());
    tapa_match m = {0};
    tapa_pin(&m, "ref", tapa_element(pr, 1));
    tapa_receive(&m, TAPA_INFINITY, "{:DOWN, ^ref, :process, _, why}");
    tapa_printf("raised: %pT\n", tapa_var(&m, "why"));
}

int main(void)
{
    return tapa_run(control, tapa_nil());
}

/* 0 is a null pointer constant, so it converts to a pointer without
 * -Wint-conversion; the nonnull attribute on term parameters catches it.
 * gcc: error: argument 2 null where non-null expected
 * clang: error: null passed to a callee that requires a non-null argument
 * hint: write tapa_int(0) for the number 0
 * what to write: tapa_send(self, tapa_int(0)) */
#include "tapa.h"

void send_zero(void)
{
    tapa_term self = tapa_self();
    tapa_send(self, 0); /* the mistake */
}

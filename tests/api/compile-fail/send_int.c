/* A C integer where a term belongs: before issue 12 this compiled and sent :normal.
 * gcc: error: passing argument 2 of 'tapa_send' makes pointer from integer without a cast
 * clang: error: incompatible integer to pointer conversion passing 'int' to parameter of type 'tapa_term'
 * hint: a tapa_term is not an integer: write tapa_int(42)
 * what to write: tapa_send(self, tapa_int(42)) */
#include "tapa.h"

void send_a_number(void)
{
    tapa_term self = tapa_self();
    tapa_send(self, 42); /* the mistake */
}

/* A C string is not a term: :hello is tapa_atom("hello"), "hello" is tapa_string("hello").
 * gcc: error: passing argument 2 of 'tapa_send' from incompatible pointer type
 * clang: error: incompatible pointer types passing 'char[6]' to parameter of type 'tapa_term'
 * hint: a C string is not a term
 * what to write: tapa_send(self, tapa_atom("hello")) */
#include "tapa.h"

void send_a_string(void)
{
    tapa_term self = tapa_self();
    tapa_send(self, "hello"); /* the mistake */
}

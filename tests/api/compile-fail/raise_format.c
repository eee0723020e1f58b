/* tapa_raise is printf-like: its arguments are checked against the format.
 * gcc: error: format '%s' expects argument of type 'char *', but argument 2 has type 'int'
 * clang: error: format specifies type 'char *' but the argument has type 'int'
 * hint: does not fit its place in the format
 * what to write: tapa_raise("%d", 42) */
#include "tapa.h"

void give_up(void)
{
    tapa_raise("%s", 42); /* the mistake */
}

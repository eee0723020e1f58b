/* %pT prints a term; to the compiler it is %p, so a C integer is refused.
 * gcc: error: format '%p' expects argument of type 'void *', but argument 2 has type 'int'
 * clang: error: format specifies type 'void *' but the argument has type 'int'
 * hint: %pT prints a term
 * what to write: tapa_printf("%pT\n", tapa_int(42)) */
#include "tapa.h"

void print_a_number(void)
{
    tapa_printf("%pT\n", 42); /* the mistake */
}

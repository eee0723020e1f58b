/* The old tapa_fun took the number of captured terms after the arity:
 * tapa_fun("TapaMessages", "add_n", 1, 1, tapa_int(42)). Now the captured terms follow the arity.
 * gcc: error: initialization of 'struct tapa_opaque_term *' from 'int' makes pointer from integer without a cast
 * clang: error: incompatible integer to pointer conversion initializing 'const tapa_term'
 * hint: then the captured terms, no count
 * what to write: tapa_fun("TapaMessages", "add_n", 1, tapa_int(42)) */
#include "tapa.h"

tapa_term add_42(void)
{
    return tapa_fun("TapaMessages", "add_n", 1, 1, tapa_int(42)); /* the mistake */
}

/* The old tapa_apply took the number of arguments first: tapa_apply(fun, 1, x).
 * Now the arguments follow the fun directly, so the count is an argument that is not a term.
 * gcc: error: initialization of 'struct tapa_opaque_term *' from 'int' makes pointer from integer without a cast
 * clang: error: incompatible integer to pointer conversion initializing 'const tapa_term'
 * hint: tapa_apply takes the fun, then its arguments, no count
 * what to write: tapa_apply(fun, tapa_int(100)) */
#include "tapa.h"

tapa_term add_to_100(tapa_term fun)
{
    return tapa_apply(fun, 1, tapa_int(100)); /* the mistake */
}

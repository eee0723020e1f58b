/* The old tapa_list took a count, then varargs: tapa_list(2, tapa_int(7), 8)
 * segfaulted. The count is gone, and every element must be a term.
 * gcc: error: initialization of 'struct tapa_opaque_term *' from 'int' makes pointer from integer without a cast
 * clang: error: incompatible integer to pointer conversion initializing 'const tapa_term'
 * hint: take the terms only, no count first
 * what to write: tapa_list(tapa_int(7), tapa_int(8)) */
#include "tapa.h"

tapa_term seven_eight(void)
{
    return tapa_list(2, tapa_int(7), 8); /* the mistake */
}

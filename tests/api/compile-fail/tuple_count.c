/* The old tapa_tuple took a count, then varargs: tapa_tuple(2, tapa_atom("ok"), 1)
 * built {:ok, 0}. The count is gone, and every element must be a term.
 * gcc: error: initialization of 'struct tapa_opaque_term *' from 'int' makes pointer from integer without a cast
 * clang: error: incompatible integer to pointer conversion initializing 'const tapa_term'
 * hint: take the terms only, no count first
 * what to write: tapa_tuple(tapa_atom("ok"), tapa_int(1)) */
#include "tapa.h"

tapa_term ok_one(void)
{
    return tapa_tuple(2, tapa_atom("ok"), 1); /* the mistake */
}

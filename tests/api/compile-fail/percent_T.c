/* The old way to print a term, %T, is gone: a term prints with %pT.
 * gcc: error: unknown conversion type character 'T' in format
 * clang: error: invalid conversion specifier 'T'
 * hint: a term prints with %pT, not %T
 * what to write: tapa_printf("Received: %pT\n", msg) */
#include "tapa.h"

void print_received(tapa_term msg)
{
    tapa_printf("Received: %T\n", msg); /* the mistake */
}

/* A misspelt function is an error, not an implicit int-returning declaration.
 * gcc: error: implicit declaration of function 'tapa_sned'
 * clang: error: implicit declaration of function 'tapa_sned' is invalid in C99
 * hint: check its spelling against tapa.h
 * what to write: tapa_send(self, msg) */
#include "tapa.h"

void send_it(tapa_term msg)
{
    tapa_sned(tapa_self(), msg); /* the mistake */
}

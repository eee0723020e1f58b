/* lexer.h — the token array of one input (lexer.c). */
#ifndef TAPA_IEX_LEXER_H
#define TAPA_IEX_LEXER_H

#include "iex/iex.h"

#include <stdio.h>

typedef struct tiex_tokens {
    tiex_token *v;
    size_t n, cap;
    bool failed, incomplete; /* incomplete: an unterminated string or atom */
    int err_line, err_col;
    char message[120];
} tiex_tokens;

bool tiex_lex(const char *src, tiex_tokens *tv); /* false: failed (see tv) */
void tiex_tokens_free(tiex_tokens *tv);

#endif

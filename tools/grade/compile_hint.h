/* compile_hint.h — one line, in the course's words, under the compiler's
 * first error when it is a mistake the kit's LEARNER_CFLAGS turn into an
 * error (a C integer, 0 or a string where a term belongs, the old %T, a
 * count before tapa_tuple's terms, a misspelt function). */
#ifndef TAPA_GRADE_COMPILE_HINT_H
#define TAPA_GRADE_COMPILE_HINT_H

/* The hint for a compiler's output (gcc's or clang's words, any locale's
 * quotes), or NULL when its first error is none of those. Static text. */
const char *grade_compile_hint(const char *compiler_output);

#endif

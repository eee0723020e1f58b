/* answers.h — reading a learner's predictions (answers/NN_slug.answers).
 *
 * A prediction is compared by meaning, not by spelling: a term as a term
 * (spacing, `:"plain"` vs `:plain` and an atom without its colon are the
 * same), a choice as exactly one letter, an int as a number, a bool in the
 * usual words. A UTF-8 BOM and CRLF line ends are tolerated. Anything that
 * cannot be read says which line and why.
 */
#ifndef TAPA_GRADE_ANSWERS_H
#define TAPA_GRADE_ANSWERS_H

#include <stdbool.h>

typedef struct grade_answer {
    char key[64];
    char value[256];
    int line;
} grade_answer;

/* Reads `path` into a[0..max). Returns how many, -1 if it cannot be read.
 * Lines that are neither blank, a comment nor `key = value` are described in
 * *problems ("line 4: ... ; "), malloc'd, or NULL when there are none. */
int grade_load_answers(const char *path, grade_answer *a, int max, char **problems);

/* The term written in `text`, in one canonical spelling (malloc'd), or NULL
 * with *why (static text) saying what is wrong. */
char *grade_term_canon(const char *text, const char **why);

/* Does `given` say the same as `truth` for an answer of `type` (int, bool,
 * choice, term)? When it cannot be read (or, for a choice, names several
 * options), returns false and sets *why (malloc'd) to say so. */
bool grade_same_answer(const char *type, const char *given, const char *truth, char **why);

#endif

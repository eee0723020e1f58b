/* util.h — small things tapa-grade needs: growing strings, files, paths,
 * escaping for JSON, XML and YAML (util.c). */
#ifndef TAPA_GRADE_UTIL_H
#define TAPA_GRADE_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void *xmalloc(size_t n);

char *xstrdup(const char *s);

char *xasprintf(const char *fmt, ...);

/* A growing string. */
typedef struct sbuf {
    char *s;
    size_t len, cap;
} sbuf;

void sb_add(sbuf *b, const char *s, size_t n);

static inline void sb_str(sbuf *b, const char *s)
{
    sb_add(b, s, strlen(s));
}
static inline void sb_chr(sbuf *b, char c)
{
    sb_add(b, &c, 1);
}

void sb_fmt(sbuf *b, const char *fmt, ...);

char *sb_take(sbuf *b);

/* ---------------------------------------------------------------- files -- */

char *grade_read_file(const char *path, size_t *len);

bool grade_write_file(const char *path, const char *data, size_t len);

bool grade_file_exists(const char *path);

void grade_mkdir_p(const char *path);

char *grade_abs_path(const char *path);

/* ------------------------------------------------------------- escaping -- */

/* Valid UTF-8 is copied; every other byte becomes U+FFFD. */
void sb_json(sbuf *b, const char *s);

void sb_xml(sbuf *b, const char *s);

/* A YAML block scalar body: each line indented by `indent` spaces. */
void sb_yaml_block(sbuf *b, const char *s, int indent);

/* The last `max` bytes of s, starting at a line boundary when possible. */
const char *grade_tail_of(const char *s, size_t max);

char *grade_trim(char *s);

/* Split text into lines (the array and the copy are malloc'd together). */
typedef struct lines {
    char **v;
    int n;
    char *buf;
} lines;

lines grade_split_lines(const char *text);

void grade_free_lines(lines *l);

#endif

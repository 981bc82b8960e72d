/* berth — NULL-terminated string vectors.  */
#ifndef BERTH_BASE_STRV_H
#define BERTH_BASE_STRV_H

#include <stdbool.h>
#include <stddef.h>

size_t strv_len (char *const *v);
void strv_free (char **v);
char **strv_dup (char *const *v);
/* Append a copy of S; V may be NULL.  Returns the new vector.  */
char **strv_append (char **v, const char *s);
bool strv_contains (char *const *v, const char *s);
/* Split S at SEP (empty fields dropped).  */
char **strv_split (const char *s, char sep);
/* Trim ASCII whitespace from both ends in place; returns S.  */
char *str_trim (char *s);
bool str_has_prefix (const char *s, const char *prefix);

#endif

/* berth — the one allocator: every function aborts on OOM, so callers never
   check for NULL.  */
#ifndef BERTH_BASE_XALLOC_H
#define BERTH_BASE_XALLOC_H

#include <stddef.h>

void *xmalloc (size_t size);
void *xmalloc0 (size_t size);
void *xrealloc (void *ptr, size_t size);
void *xcalloc (size_t nmemb, size_t size);
char *xstrdup (const char *s); /* NULL in, NULL out */
char *xstrndup (const char *s, size_t n);
char *xasprintf (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

#endif

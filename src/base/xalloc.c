#define _GNU_SOURCE
#include "xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *
check (void *p)
{
  if (p == NULL)
    abort ();
  return p;
}

void *
xmalloc (size_t size)
{
  return check (malloc (size ? size : 1));
}

void *
xmalloc0 (size_t size)
{
  return check (calloc (1, size ? size : 1));
}

void *
xcalloc (size_t nmemb, size_t size)
{
  return check (calloc (nmemb ? nmemb : 1, size ? size : 1));
}

void *
xrealloc (void *ptr, size_t size)
{
  return check (realloc (ptr, size ? size : 1));
}

char *
xstrdup (const char *s)
{
  return s ? check (strdup (s)) : NULL;
}

char *
xstrndup (const char *s, size_t n)
{
  return s ? check (strndup (s, n)) : NULL;
}

char *
xasprintf (const char *fmt, ...)
{
  va_list ap;
  char *s = NULL;
  int r;

  va_start (ap, fmt);
  r = vasprintf (&s, fmt, ap);
  va_end (ap);
  if (r < 0)
    abort ();
  return s;
}

#define _GNU_SOURCE
#include "strv.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

size_t
strv_len (char *const *v)
{
  size_t n = 0;
  while (v && v[n])
    n++;
  return n;
}

void
strv_free (char **v)
{
  if (v == NULL)
    return;
  for (char **s = v; *s; s++)
    free (*s);
  free (v);
}

char **
strv_dup (char *const *v)
{
  size_t n = strv_len (v);
  char **r = xcalloc (n + 1, sizeof (char *));
  for (size_t i = 0; i < n; i++)
    r[i] = xstrdup (v[i]);
  return r;
}

char **
strv_append (char **v, const char *s)
{
  size_t n = strv_len (v);
  v = xrealloc (v, (n + 2) * sizeof (char *));
  v[n] = xstrdup (s);
  v[n + 1] = NULL;
  return v;
}

bool
strv_contains (char *const *v, const char *s)
{
  for (size_t i = 0; v && v[i]; i++)
    if (strcmp (v[i], s) == 0)
      return true;
  return false;
}

char **
strv_split (const char *s, char sep)
{
  char **v = xcalloc (1, sizeof (char *));
  const char *start = s;

  for (const char *p = s;; p++)
    {
      if (*p == sep || *p == '\0')
        {
          if (p > start)
            {
              char *f = xstrndup (start, (size_t) (p - start));
              v = strv_append (v, f);
              free (f);
            }
          if (*p == '\0')
            break;
          start = p + 1;
        }
    }
  return v;
}

char *
str_trim (char *s)
{
  size_t n = strlen (s);
  size_t i = 0;
  while (n > 0 && isspace ((unsigned char) s[n - 1]))
    s[--n] = '\0';
  while (s[i] && isspace ((unsigned char) s[i]))
    i++;
  if (i)
    memmove (s, s + i, n - i + 1);
  return s;
}

bool
str_has_prefix (const char *s, const char *prefix)
{
  return strncmp (s, prefix, strlen (prefix)) == 0;
}

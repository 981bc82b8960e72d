/* berth — docker's env-file and label-file reader (kvfile.Parse) and -e's
 * environment lookup (opts.ValidateEnv).  */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/strv.h"
#include "base/xalloc.h"
#include "cli/run-opts.h"

/* Go's utf8.Valid, enough to reject what docker rejects.  */
static bool
utf8_valid (const unsigned char *s, size_t n)
{
  size_t i = 0;
  while (i < n)
    {
      unsigned char c = s[i];
      size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
      if (len == 0 || i + len > n)
        return false;
      for (size_t k = 1; k < len; k++)
        if ((s[i + k] & 0xc0) != 0x80)
          return false;
      i += len;
    }
  return true;
}

static int
kv_line (char *line, size_t lineno, const char *path, bool lookup_env, char ***out,
         berth_error_t *err)
{
  size_t n = strlen (line);
  if (!utf8_valid ((unsigned char *) line, n))
    return berth_make_error_msg (err, EINVAL, "env file %s contains invalid utf8 bytes at line %zu",
                                 path, lineno);
  /* Leading whitespace goes; trailing whitespace belongs to the value.  */
  while (*line == ' ' || *line == '\t' || *line == '\v' || *line == '\f' || *line == '\r')
    line++;
  if (*line == '\0' || *line == '#')
    return 0;
  char *eq = strchr (line, '=');
  size_t keylen = eq ? (size_t) (eq - line) : strlen (line);
  if (keylen == 0)
    return berth_make_error_msg (
        err, EINVAL, "poorly formatted environment: no variable name on line '%s'", line);
  if (memchr (line, ' ', keylen) || memchr (line, '\t', keylen))
    return berth_make_error_msg (
        err, EINVAL, "poorly formatted environment: variable '%.*s' contains whitespaces",
        (int) keylen, line);
  if (eq)
    {
      *out = strv_append (*out, line);
      return 0;
    }
  const char *v = lookup_env ? getenv (line) : NULL;
  if (v)
    {
      cleanup_free char *kv = xasprintf ("%s=%s", line, v);
      *out = strv_append (*out, kv);
    }
  return 0;
}

/* Go prints errno texts in lower case: "no such file or directory".  */
static char *
go_strerror (int e)
{
  char *s = xstrdup (strerror (e));
  s[0] = (char) tolower ((unsigned char) s[0]);
  return s;
}

int
cli_kvfile_read (const char *path, bool lookup_env, char ***out, berth_error_t *err)
{
  cleanup_file FILE *f = fopen (path, "re");
  if (f == NULL)
    {
      int e = errno;
      cleanup_free char *msg = go_strerror (e);
      return berth_make_error_msg (err, e, "open %s: %s", path, msg);
    }
  cleanup_free char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  for (size_t lineno = 1; (len = getline (&line, &cap, f)) >= 0; lineno++)
    {
      if (len > 0 && line[len - 1] == '\n')
        line[--len] = '\0';
      if (len > 0 && line[len - 1] == '\r')
        line[--len] = '\0';
      char *p = line;
      if (lineno == 1 && strncmp (p, "\xef\xbb\xbf", 3) == 0)
        p += 3;
      if (kv_line (p, lineno, path, lookup_env, out, err) < 0)
        return -1;
    }
  return 0;
}

char *
cli_env_resolve (const char *s, berth_error_t *err)
{
  const char *eq = strchr (s, '=');
  size_t keylen = eq ? (size_t) (eq - s) : strlen (s);
  if (keylen == 0)
    {
      berth_make_error_msg (
          err, CLI_RUN_OPTS_EFLAG,
          "invalid argument \"%s\" for \"-e, --env\" flag: invalid environment variable: %s", s, s);
      return NULL;
    }
  const char *v = eq ? NULL : getenv (s);
  return v ? xasprintf ("%s=%s", s, v) : xstrdup (s);
}

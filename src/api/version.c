/* berth — API version negotiation, as dockerd's middleware/version.go.  */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "base/base.h"

/* One dotted field as Go's strconv.Atoi would read it; a malformed or
   overflowing field is 0, as versions.compare ignores Atoi's error.  */
static long
field (const char *s, size_t len)
{
  long v = 0;
  size_t i = 0;
  bool neg = false;

  if (len == 0)
    return 0;
  if (s[0] == '+' || s[0] == '-')
    {
      neg = s[0] == '-';
      i = 1;
      if (len == 1)
        return 0;
    }
  for (; i < len; i++)
    {
      if (s[i] < '0' || s[i] > '9')
        return 0;
      if (v > (LONG_MAX - (s[i] - '0')) / 10)
        return 0;
      v = v * 10 + (s[i] - '0');
    }
  return neg ? -v : v;
}

int
api_version_compare (const char *a, const char *b)
{
  const char *pa = a, *pb = b;

  while (*pa || *pb)
    {
      size_t la = strcspn (pa, "."), lb = strcspn (pb, ".");
      long va = field (pa, la), vb = field (pb, lb);
      if (va != vb)
        return va < vb ? -1 : 1;
      pa += la;
      pb += lb;
      if (*pa == '.')
        pa++;
      if (*pb == '.')
        pb++;
    }
  return 0;
}

int
api_version_check (const char *v, berth_error_t *err)
{
  if (api_version_compare (v, API_MIN_VERSION) < 0)
    return api_error (err, EINVAL,
                      "client version %s is too old. Minimum supported API version is %s, "
                      "please upgrade your client to a newer version",
                      v, API_MIN_VERSION);
  if (api_version_compare (v, API_MAX_VERSION) > 0)
    return api_error (err, EINVAL,
                      "client version %s is too new. Maximum supported API version is %s", v,
                      API_MAX_VERSION);
  return 0;
}

/* berth — helpers of the image, events and system commands: docker's
   filters.Args JSON, --format rows, the y/N prompt, Go's time strings.  */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "cli/cli.h"
#include "cli/cmd-image-common.h"
#include "cli/format.h"

static void
filter_add (json_object *root, const char *key, const char *value)
{
  json_object *set = NULL;
  if (!json_object_object_get_ex (root, key, &set))
    {
      set = json_object_new_object ();
      json_object_object_add (root, key, set);
    }
  json_object_object_add (set, value, json_object_new_boolean (1));
}

int
cli_image_filters (char *const *values, const char *extra_key, const char *extra_value, char **out,
                   berth_error_t *err)
{
  *out = NULL;
  if ((values == NULL || values[0] == NULL) && extra_key == NULL)
    return 0;
  json_object *root = json_object_new_object ();
  for (size_t i = 0; values && values[i]; i++)
    {
      const char *eq = strchr (values[i], '=');
      if (eq == NULL)
        {
          json_object_put (root);
          return berth_make_error (err, EINVAL, "bad format of filter (expected name=value)");
        }
      /* docker: the name is lowered and trimmed, the value trimmed.  */
      cleanup_free char *key = xstrndup (values[i], (size_t) (eq - values[i]));
      for (char *p = key; *p; p++)
        *p = (char) (*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
      filter_add (root, key, eq + 1);
    }
  if (extra_key)
    filter_add (root, extra_key, extra_value);
  *out = xstrdup (bjson_to_string (root));
  json_object_put (root);
  return 0;
}

int
cli_image_print_rows (const char *format, const char *def, json_object *header, json_object *rows,
                      berth_error_t *err)
{
  if (format == NULL || *format == '\0')
    format = def;
  else if (strcmp (format, "json") == 0)
    {
      /* json.Marshal of each row, with its HTML escaping.  */
      for (size_t i = 0; i < json_object_array_length (rows); i++)
        {
          struct cli_buf b = { 0 };
          cli_format_go_json (&b, json_object_array_get_idx (rows, i));
          puts (b.s);
          cli_buf_free (&b);
        }
      return 0;
    }
  else if (strcmp (format, "table") == 0)
    format = def;
  struct cli_output *o = cli_output_new (format, header, NULL, err);
  if (o == NULL)
    return -1;
  for (size_t i = 0; i < json_object_array_length (rows); i++)
    if (cli_output_add (o, json_object_array_get_idx (rows, i), err) < 0)
      {
        cli_output_free (o);
        return -1;
      }
  cleanup_free char *text = cli_output_finish (o, err);
  cli_output_free (o);
  if (text == NULL)
    return -1;
  fputs (text, stdout);
  return 0;
}

bool
cli_image_confirm (const char *warning)
{
  printf ("%s\nAre you sure you want to continue? [y/N] ", warning);
  fflush (stdout);
  char line[256];
  if (fgets (line, sizeof line, stdin) == NULL)
    return false;
  char *s = line;
  while (*s == ' ' || *s == '\t')
    s++;
  size_t n = strlen (s);
  while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
    s[--n] = '\0';
  return strcmp (s, "y") == 0 || strcmp (s, "Y") == 0;
}

const char *
cli_image_str (json_object *o, const char *key)
{
  json_object *v = NULL;
  if (o && json_object_object_get_ex (o, key, &v) && v)
    return json_object_get_string (v);
  return "";
}

int64_t
cli_image_int (json_object *o, const char *key)
{
  json_object *v = NULL;
  if (o && json_object_object_get_ex (o, key, &v) && v)
    return json_object_get_int64 (v);
  return 0;
}

char *
cli_image_rfc3339 (int64_t t)
{
  time_t tt = (time_t) t;
  struct tm tm;
  localtime_r (&tt, &tm);
  char buf[64];
  strftime (buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  if (tm.tm_gmtoff == 0)
    return xasprintf ("%sZ", buf);
  long off = tm.tm_gmtoff / 60;
  return xasprintf ("%s%c%02ld:%02ld", buf, off < 0 ? '-' : '+', labs (off) / 60, labs (off) % 60);
}

char *
cli_image_time_string (int64_t t)
{
  time_t tt = (time_t) t;
  struct tm tm;
  localtime_r (&tt, &tm);
  char buf[96];
  strftime (buf, sizeof buf, "%Y-%m-%d %H:%M:%S %z %Z", &tm);
  return xstrdup (buf);
}

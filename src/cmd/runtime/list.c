/* berth-runtime list: the containers under --root, as runc's table (Go
   tabwriter: min width 12, padding 3) or JSON.  */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "base/cleanup.h"
#include "base/xalloc.h"
#include "runtime-cmd.h"

struct list_flags
{
  const char *format;
  bool quiet;
};

static const struct opt_def list_options[] = {
  { "format", "f", OPT_STRING, offsetof (struct list_flags, format), "select one of: table or json",
    "\"table\"" },
  { "quiet", "q", OPT_BOOL, offsetof (struct list_flags, quiet), "display only container IDs",
    NULL },
  { NULL },
};

enum
{
  N_COLS = 6
};

static void
print_table (struct runtime_state **v)
{
  size_t n = 0, width[N_COLS] = { 0 };
  static const char *const head[N_COLS] = { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" };

  while (v && v[n])
    n++;
  cleanup_free char **cells = xcalloc ((n + 1) * N_COLS, sizeof (char *));
  for (size_t c = 0; c < N_COLS; c++)
    cells[c] = xstrdup (head[c]);
  for (size_t i = 0; i < n; i++)
    {
      char **row = cells + (i + 1) * N_COLS;
      row[0] = xstrdup (v[i]->id);
      row[1] = xasprintf ("%d", (int) v[i]->pid);
      row[2] = xstrdup (runtime_status_name (v[i]->status));
      row[3] = xstrdup (v[i]->bundle ? v[i]->bundle : "");
      row[4] = xstrdup (v[i]->created ? v[i]->created : "");
      row[5] = xstrdup (v[i]->owner ? v[i]->owner : "");
    }
  for (size_t i = 0; i < (n + 1) * N_COLS; i++)
    if (strlen (cells[i]) + 3 > width[i % N_COLS])
      width[i % N_COLS] = strlen (cells[i]) + 3;
  for (size_t i = 0; i <= n; i++)
    {
      for (size_t c = 0; c + 1 < N_COLS; c++)
        printf ("%-*s", (int) (width[c] < 12 ? 12 : width[c]), cells[i * N_COLS + c]);
      printf ("%s\n", cells[i * N_COLS + N_COLS - 1]);
    }
  for (size_t i = 0; i < (n + 1) * N_COLS; i++)
    free (cells[i]);
}

/* runc encodes a nil slice: "null" when there is no container.  */
static int
print_json (struct runtime_state **v, berth_error_t *err)
{
  json_object *a;
  int r;

  if (v == NULL || v[0] == NULL)
    return rcmd_print_line ("null", err);
  a = json_object_new_array ();
  for (size_t i = 0; v[i]; i++)
    {
      cleanup_free char *s = runtime_state_to_json (v[i], false);
      json_object *o = s ? json_tokener_parse (s) : NULL;
      if (o)
        json_object_array_add (a, o);
    }
  r = rcmd_print_line (
      json_object_to_json_string_ext (a, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
      err);
  json_object_put (a);
  return r;
}

static int
cmd_list (struct rcmd_global *g, const struct rcmd *cmd, int argc, char **argv, berth_error_t *err)
{
  struct list_flags f = { .format = "table" };
  cleanup_free char **args = NULL;
  struct runtime_state **v = NULL;
  int r = rcmd_parse (cmd, &f, argc, argv, &args, NULL, err);

  if (r != 0)
    return r < 0 ? r : 0;
  if (rcmd_check_args (cmd, args, RCMD_EXACT, 0, err) < 0)
    return -1;
  if (runtime_container_list (&g->ctx, &v, err) < 0)
    return -1;
  if (f.quiet)
    {
      for (size_t i = 0; v && v[i]; i++)
        printf ("%s\n", v[i]->id);
      r = 0;
    }
  else if (strcmp (f.format, "json") == 0)
    r = print_json (v, err);
  else if (strcmp (f.format, "table") == 0)
    {
      print_table (v);
      r = 0;
    }
  else
    r = berth_make_error (err, 0, "invalid format option");
  runtime_state_list_free (v);
  if (r == 0 && fflush (stdout) == EOF)
    return berth_make_error (err, errno, "write to stdout");
  return r < 0 ? -1 : 0;
}

const struct rcmd rcmd_list = {
  .name = "list",
  .usage = "lists containers started by " RCMD_PROG " with the given root",
  .args_usage = "\n\n"
                "Where the given root is specified via the global option \"--root\"\n"
                "(default: \"" RUNTIME_DEFAULT_ROOT "\").\n\n"
                "EXAMPLE 1:\n"
                "To list containers created via the default \"--root\":\n"
                "       # " RCMD_PROG " list\n\n"
                "EXAMPLE 2:\n"
                "To list containers created using a non-default value for \"--root\":\n"
                "       # " RCMD_PROG " --root value list",
  .options = list_options,
  .run = cmd_list,
};

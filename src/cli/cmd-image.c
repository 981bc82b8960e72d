/* berth — `images`/`image ls`, `image inspect`, `rmi`, `tag`, `history` and
   `image prune`: docker 28's tables and messages over /images/...  */
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "cli/cli.h"
#include "cli/cmd-image-common.h"
#include "cli/format.h"
#include "cli/template.h"

/* ---- images ---- */

static const struct cli_flag ls_flags[] = {
  { "all", 'a', CLI_FLAG_BOOL, NULL, "Show all images (default hides intermediate images)", NULL,
    0 },
  { "digests", 0, CLI_FLAG_BOOL, NULL, "Show digests", NULL, 0 },
  { "filter", 'f', CLI_FLAG_STRINGS, NULL, "Filter output based on conditions provided", "filter",
    0 },
  { "format", 0, CLI_FLAG_STRING, NULL, CLI_FORMAT_TABLE_USAGE, NULL, 0 },
  { "no-trunc", 0, CLI_FLAG_BOOL, NULL, "Don't truncate output", NULL, 0 },
  { "quiet", 'q', CLI_FLAG_BOOL, NULL, "Only show image IDs", NULL, 0 },
  { "tree", 0, CLI_FLAG_BOOL, NULL, "List multi-platform images as a tree (EXPERIMENTAL)", NULL,
    0 },
  { NULL },
};

static char *
size_or_na (int64_t v, int precision)
{
  return v < 0 ? xstrdup ("N/A") : cli_format_human_size ((double) v, precision);
}

/* One row of docker's imageContext, every field as the template sees it.  */
static json_object *
image_row (json_object *img, const char *repo, const char *tag, const char *digest, bool trunc,
           int64_t now)
{
  json_object *row = json_object_new_object ();
  int64_t created = cli_image_int (img, "Created"), size = cli_image_int (img, "Size");
  int64_t shared = cli_image_int (img, "SharedSize"),
          containers = cli_image_int (img, "Containers");
  cleanup_free char *id = cli_format_id (cli_image_str (img, "Id"), !trunc);
  cleanup_free char *since = cli_format_since (created, now);
  cleanup_free char *at = cli_image_time_string (created);
  cleanup_free char *hsize = size_or_na (size, 3), *vsize = size_or_na (size, 4);
  /* go-units HumanSize (4 digits) for these two, as docker's imageContext.  */
  cleanup_free char *hshared = size_or_na (shared, 4);
  cleanup_free char *unique = shared < 0 ? xstrdup ("N/A") : size_or_na (size - shared, 4);
  cleanup_free char *ncont
      = containers < 0 ? xstrdup ("N/A") : xasprintf ("%lld", (long long) containers);
  json_object_object_add (row, "Containers", json_object_new_string (ncont));
  json_object_object_add (row, "CreatedAt", json_object_new_string (at));
  json_object_object_add (row, "CreatedSince", json_object_new_string (since));
  json_object_object_add (row, "Digest", json_object_new_string (digest));
  json_object_object_add (row, "ID", json_object_new_string (id));
  json_object_object_add (row, "Repository", json_object_new_string (repo));
  json_object_object_add (row, "SharedSize", json_object_new_string (hshared));
  json_object_object_add (row, "Size", json_object_new_string (hsize));
  json_object_object_add (row, "Tag", json_object_new_string (tag));
  json_object_object_add (row, "UniqueSize", json_object_new_string (unique));
  json_object_object_add (row, "VirtualSize", json_object_new_string (vsize));
  return row;
}

/* "name@sha256:..." of RepoDigests for REPO, or NULL.  */
static const char *
digest_of (json_object *img, const char *repo, size_t repolen)
{
  json_object *digests = NULL;
  if (!json_object_object_get_ex (img, "RepoDigests", &digests)
      || !json_object_is_type (digests, json_type_array))
    return NULL;
  for (size_t i = 0; i < json_object_array_length (digests); i++)
    {
      const char *d = json_object_get_string (json_object_array_get_idx (digests, i));
      if (d && strncmp (d, repo, repolen) == 0 && d[repolen] == '@')
        return d + repolen + 1;
    }
  return NULL;
}

/* docker's imageFormat: a row per repo:tag, or one <none>:<none> row.  */
void
cli_image_rows (json_object *rows, json_object *img, bool trunc, bool digests, int64_t now)
{
  json_object *tags = NULL;
  size_t n = 0;
  if (json_object_object_get_ex (img, "RepoTags", &tags)
      && json_object_is_type (tags, json_type_array))
    n = json_object_array_length (tags);
  size_t added = 0;
  for (size_t i = 0; i < n; i++)
    {
      const char *rt = json_object_get_string (json_object_array_get_idx (tags, i));
      const char *colon = rt ? strrchr (rt, ':') : NULL;
      if (colon == NULL || strchr (colon, '/') || strcmp (rt, "<none>:<none>") == 0)
        continue;
      cleanup_free char *repo = xstrndup (rt, (size_t) (colon - rt));
      const char *d = digests ? digest_of (img, repo, strlen (repo)) : NULL;
      json_object_array_add (rows, image_row (img, repo, colon + 1, d ? d : "<none>", trunc, now));
      added++;
    }
  if (added == 0)
    {
      json_object *rd = NULL;
      const char *d0 = NULL;
      if (json_object_object_get_ex (img, "RepoDigests", &rd) && json_object_array_length (rd) > 0)
        d0 = json_object_get_string (json_object_array_get_idx (rd, 0));
      const char *at = d0 ? strchr (d0, '@') : NULL;
      if (at && strncmp (d0, "<none>", 6) != 0)
        {
          cleanup_free char *repo = xstrndup (d0, (size_t) (at - d0));
          json_object_array_add (
              rows, image_row (img, repo, "<none>", digests ? at + 1 : "", trunc, now));
        }
      else
        json_object_array_add (rows, image_row (img, "<none>", "<none>", "<none>", trunc, now));
    }
}

static json_object *
ls_header (void)
{
  json_object *h = json_object_new_object ();
  static const char *const kv[][2] = {
    { "ID", "IMAGE ID" },
    { "Repository", "REPOSITORY" },
    { "Tag", "TAG" },
    { "Digest", "DIGEST" },
    { "CreatedSince", "CREATED" },
    { "CreatedAt", "CREATED AT" },
    { "Size", "SIZE" },
    { "Containers", "CONTAINERS" },
    { "SharedSize", "SHARED SIZE" },
    { "UniqueSize", "UNIQUE SIZE" },
    { "VirtualSize", "VIRTUAL SIZE" },
  };
  for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++)
    json_object_object_add (h, kv[i][0], json_object_new_string (kv[i][1]));
  return h;
}

static const char *
ls_format (struct cli_args *a)
{
  const char *format = cli_flag_string (a, "format");
  if (cli_flag_bool (a, "quiet"))
    return "{{.ID}}";
  if (format && *format && strcmp (format, "table") != 0)
    return format;
  return cli_flag_bool (a, "digests")
             ? "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
             : "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";
}

static int
cmd_images (struct cli *cli, struct cli_args *a)
{
  if (cli_flag_bool (a, "tree"))
    return cli_fail_msg (a, 1, "berth: 'images --tree' is not supported yet");
  cleanup_free char *filters = NULL, *query = NULL;
  berth_error_t err = NULL;
  if (cli_image_filters (cli_flag_strings (a, "filter"), a->argc ? "reference" : NULL,
                         a->argc ? a->argv[0] : NULL, &filters, &err)
      < 0)
    {
      cli_fail_msg (a, 125, "invalid argument \"%s\" for \"-f, --filter\" flag: %s",
                    cli_flag_strings (a, "filter")[0], err->msg);
      return berth_error_release (&err), 125;
    }
  if (cli_flag_bool (a, "all"))
    cli_query_add (&query, "all", "1");
  if (filters)
    cli_query_add (&query, "filters", filters);
  cleanup_free char *path = cli_path (cli, "/images/json%s", query ? query : "");
  struct cli_response r = { 0 };
  if (path == NULL || cli_request (cli, "GET", path, NULL, &r) < 0)
    return cli_fail (cli, a, 1);
  if (r.status >= 400)
    return cli_fail_response (cli, a, &r, 1), cli_response_clear (&r), 1;
  json_object *list = json_tokener_parse (r.body), *rows = json_object_new_array ();
  cli_response_clear (&r);
  int64_t now = (int64_t) time (NULL);
  for (size_t i = 0; list && i < json_object_array_length (list); i++)
    cli_image_rows (rows, json_object_array_get_idx (list, i), !cli_flag_bool (a, "no-trunc"),
                    cli_flag_bool (a, "digests"), now);
  json_object *header = ls_header ();
  int ret = cli_image_print_rows (ls_format (a), NULL, header, rows, &err);
  json_object_put (header);
  json_object_put (rows);
  json_object_put (list);
  if (ret < 0)
    ret = cli_fail_msg (a, 1, "%s", err->msg);
  berth_error_release (&err);
  return ret;
}

/* ---- image inspect ---- */

static const struct cli_flag inspect_flags[] = {
  { "format", 'f', CLI_FLAG_STRING, NULL, CLI_FORMAT_USAGE, NULL, 0 },
  { "platform", 0, CLI_FLAG_STRING, NULL,
    "Inspect a specific platform of the multi-platform image.\n"
    "If the image or the server is not multi-platform capable, the command will error out if the "
    "platform does not match.\n"
    "'os[/arch[/variant]]': Explicit platform (eg. linux/amd64)",
    NULL, 0 },
  { NULL },
};

static void
indent_line (struct cli_buf *b, int depth)
{
  cli_buf_puts (b, "\n");
  for (int i = 0; i < depth; i++)
    cli_buf_puts (b, "    ");
}

/* Go's json.Indent(raw, "", "    ") of TEXT: the daemon's bytes kept,
   whitespace redone, empty [] and {} on one line.  */
static void
json_indent (struct cli_buf *b, const char *s, int depth)
{
  bool in_str = false;
  for (; *s; s++)
    {
      char c = *s;
      if (in_str)
        {
          cli_buf_add (b, s, 1);
          if (c == '\\' && s[1])
            cli_buf_add (b, ++s, 1);
          else if (c == '"')
            in_str = false;
          continue;
        }
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
        continue;
      if (c == '{' || c == '[')
        {
          const char *n = s + 1;
          while (*n == ' ' || *n == '\t' || *n == '\n' || *n == '\r')
            n++;
          cli_buf_add (b, s, 1);
          if (*n == (c == '{' ? '}' : ']'))
            cli_buf_add (b, n, 1), s = n;
          else
            indent_line (b, ++depth);
        }
      else if (c == '}' || c == ']')
        indent_line (b, --depth), cli_buf_add (b, s, 1);
      else if (c == ',')
        cli_buf_puts (b, ","), indent_line (b, depth);
      else if (c == ':')
        cli_buf_puts (b, ": ");
      else
        {
          cli_buf_add (b, s, 1);
          in_str = c == '"';
        }
    }
}

/* One image's inspect answer in *obj (raw text in *raw), or an error.  */
static int
inspect_one (struct cli *cli, struct cli_args *a, const char *name, char **raw,
             struct cli_buf *errs)
{
  cleanup_free char *esc = cli_query_escape (name);
  cleanup_free char *path = cli_path (cli, "/images/%s/json", esc);
  struct cli_response r = { 0 };
  if (path == NULL || cli_request (cli, "GET", path, NULL, &r) < 0)
    return cli_fail (cli, a, 1), -1;
  if (r.status >= 400)
    {
      /* docker prints the found ones first, the errors after them.  */
      cleanup_free char *msg = cli_response_message (&r);
      cli_buf_printf (errs, "Error response from daemon: %s\n", msg);
      cli_response_clear (&r);
      return -1;
    }
  *raw = steal_pointer (&r.body);
  cli_response_clear (&r);
  return 0;
}

static int
inspect_template (const char *format, char **raws, int n, struct cli_args *a)
{
  berth_error_t err = NULL;
  struct cli_template *t = cli_template_parse ("", format, &err);
  if (t == NULL)
    {
      fprintf (stderr, "template parsing error: %s\n", err->msg);
      berth_error_release (&err);
      return 1;
    }
  int ret = 0;
  for (int i = 0; i < n && ret == 0; i++)
    {
      if (raws[i] == NULL)
        continue;
      json_object *o = json_tokener_parse (raws[i]);
      cleanup_free char *out = NULL;
      /* docker's TemplateInspector: the typed image.InspectResponse, then
         the raw JSON with missingkey=error; on an error its Flush still
         ends the (empty) output with a newline.  */
      if (cli_template_execute (t, o, CLI_TEMPLATE_TYPED, &out, &err) < 0)
        {
          berth_error_release (&err);
          if (cli_template_execute (t, o, CLI_TEMPLATE_MISSINGKEY_ERROR, &out, &err) < 0)
            {
              putchar ('\n');
              fflush (stdout);
              ret = cli_fail_msg (a, 1, "template parsing error: %s", err->msg);
            }
        }
      if (ret == 0)
        printf ("%s\n", out);
      json_object_put (o);
    }
  berth_error_release (&err);
  cli_template_free (t);
  return ret;
}

static int
cmd_image_inspect (struct cli *cli, struct cli_args *a)
{
  const char *format = cli_flag_string (a, "format");
  bool as_json = format == NULL || *format == '\0' || strcmp (format, "json") == 0;
  char **raws = xcalloc ((size_t) a->argc + 1, sizeof *raws);
  struct cli_buf errs = { 0 };
  int failed = 0;
  for (int i = 0; i < a->argc; i++)
    if (inspect_one (cli, a, a->argv[i], &raws[i], &errs) < 0)
      failed = 1;
  int ret = failed;
  if (!as_json)
    ret = inspect_template (format, raws, a->argc, a) | failed;
  else
    {
      struct cli_buf b = { 0 };
      cli_buf_puts (&b, "[");
      bool any = false;
      for (int i = 0; i < a->argc; i++)
        if (raws[i])
          {
            cli_buf_puts (&b, any ? ", " : "");
            cli_buf_puts (&b, raws[i]);
            any = true;
          }
      cli_buf_puts (&b, "]");
      struct cli_buf out = { 0 };
      json_indent (&out, b.s, 0);
      printf ("%s\n", out.s);
      cli_buf_free (&b);
      cli_buf_free (&out);
    }
  fflush (stdout);
  if (errs.s)
    fputs (errs.s, stderr);
  cli_buf_free (&errs);
  for (int i = 0; i < a->argc; i++)
    free (raws[i]);
  free (raws);
  return ret;
}

/* ---- rmi, tag ---- */

static const struct cli_flag rm_flags[] = {
  { "force", 'f', CLI_FLAG_BOOL, NULL, "Force removal of the image", NULL, 0 },
  { "no-prune", 0, CLI_FLAG_BOOL, NULL, "Do not delete untagged parents", NULL, 0 },
  { "platform", 0, CLI_FLAG_STRINGS, NULL,
    "Remove only the given platform variant. Formatted as \"os[/arch[/variant]]\" (e.g., "
    "\"linux/amd64\")",
    "strings", 0 },
  { NULL },
};

static void
print_deleted (json_object *list)
{
  for (size_t i = 0; list && i < json_object_array_length (list); i++)
    {
      json_object *e = json_object_array_get_idx (list, i);
      if (*cli_image_str (e, "Untagged"))
        printf ("Untagged: %s\n", cli_image_str (e, "Untagged"));
      if (*cli_image_str (e, "Deleted"))
        printf ("Deleted: %s\n", cli_image_str (e, "Deleted"));
    }
}

static int
cmd_rmi (struct cli *cli, struct cli_args *a)
{
  struct cli_buf errs = { 0 };
  for (int i = 0; i < a->argc; i++)
    {
      cleanup_free char *query = NULL, *esc = cli_query_escape (a->argv[i]);
      if (cli_flag_bool (a, "force"))
        cli_query_add (&query, "force", "1");
      if (cli_flag_bool (a, "no-prune"))
        cli_query_add (&query, "noprune", "1");
      cleanup_free char *path = cli_path (cli, "/images/%s%s", esc, query ? query : "");
      struct cli_response r = { 0 };
      if (path == NULL || cli_request (cli, "DELETE", path, NULL, &r) < 0)
        {
          cli_buf_free (&errs);
          return cli_fail (cli, a, 1);
        }
      if (r.status >= 400)
        {
          cleanup_free char *msg = cli_response_message (&r);
          cli_buf_printf (&errs, "%sError response from daemon: %s", errs.s ? "\n" : "", msg);
        }
      else
        {
          json_object *list = json_tokener_parse (r.body);
          print_deleted (list);
          json_object_put (list);
        }
      cli_response_clear (&r);
    }
  if (errs.s == NULL)
    return 0;
  fflush (stdout);
  fprintf (stderr, "%s\n", errs.s);
  cli_buf_free (&errs);
  return 1;
}

static int
cmd_tag (struct cli *cli, struct cli_args *a)
{
  /* The daemon validates the reference; split repo and tag as docker's
     reference.ParseNormalizedNamed would for the common forms.  */
  const char *target = a->argv[1];
  const char *slash = strrchr (target, '/'), *colon = strrchr (target, ':');
  if (colon && slash && colon < slash)
    colon = NULL;
  cleanup_free char *repo = colon ? xstrndup (target, (size_t) (colon - target)) : xstrdup (target);
  for (const char *p = repo; *p; p++)
    if (*p >= 'A' && *p <= 'Z')
      return cli_fail_msg (a, 1,
                           "Error parsing reference: \"%s\" is not a valid repository/tag: invalid "
                           "reference format: repository name (library/%s) must be lowercase",
                           target, repo);
  cleanup_free char *query = NULL, *esc = cli_query_escape (a->argv[0]);
  cli_query_add (&query, "repo", repo);
  cli_query_add (&query, "tag", colon ? colon + 1 : "latest");
  cleanup_free char *path = cli_path (cli, "/images/%s/tag%s", esc, query);
  struct cli_response r = { 0 };
  if (path == NULL || cli_request (cli, "POST", path, NULL, &r) < 0)
    return cli_fail (cli, a, 1);
  int ret = r.status >= 400 ? cli_fail_response (cli, a, &r, 1) : 0;
  cli_response_clear (&r);
  return ret;
}

/* ---- history ---- */

static const struct cli_flag history_flags[] = {
  { "format", 0, CLI_FLAG_STRING, NULL, CLI_FORMAT_TABLE_USAGE, NULL, 0 },
  { "human", 'H', CLI_FLAG_BOOL, "true", "Print sizes and dates in human readable format", NULL,
    0 },
  { "no-trunc", 0, CLI_FLAG_BOOL, NULL, "Don't truncate output", NULL, 0 },
  { "platform", 0, CLI_FLAG_STRING, NULL,
    "Show history for the given platform. Formatted as \"os[/arch[/variant]]\" (e.g., "
    "\"linux/amd64\")",
    NULL, 0 },
  { "quiet", 'q', CLI_FLAG_BOOL, NULL, "Only show image IDs", NULL, 0 },
  { NULL },
};

/* docker's formatter.Ellipsis: MAX runes, the last one "…".  */
static char *
ellipsis (const char *s, size_t max)
{
  size_t runes = 0, cut = 0;
  for (size_t i = 0; s[i]; i++)
    if (((unsigned char) s[i] & 0xc0) != 0x80)
      {
        if (runes == max - 1)
          cut = i;
        runes++;
      }
  if (runes <= max)
    return xstrdup (s);
  return xasprintf ("%.*s…", (int) cut, s);
}

static json_object *
history_row (json_object *h, bool human, bool trunc, int64_t now)
{
  json_object *row = json_object_new_object ();
  const char *id = cli_image_str (h, "Id");
  int64_t created = cli_image_int (h, "Created"), size = cli_image_int (h, "Size");
  cleanup_free char *tid
      = strcmp (id, "<missing>") == 0 ? xstrdup (id) : cli_format_id (id, !trunc);
  cleanup_free char *by = xstrdup (cli_image_str (h, "CreatedBy"));
  for (char *p = by; *p; p++)
    *p = *p == '\t' ? ' ' : *p;
  cleanup_free char *shown = trunc ? ellipsis (by, 45) : xstrdup (by);
  cleanup_free char *at = cli_image_rfc3339 (created);
  cleanup_free char *since = human ? cli_format_since (created, now) : xstrdup (at);
  cleanup_free char *hsize
      = human ? cli_format_human_size ((double) size, 3) : xasprintf ("%lld", (long long) size);
  json_object_object_add (row, "Comment", json_object_new_string (cli_image_str (h, "Comment")));
  json_object_object_add (row, "CreatedAt", json_object_new_string (at));
  json_object_object_add (row, "CreatedBy", json_object_new_string (shown));
  json_object_object_add (row, "CreatedSince", json_object_new_string (since));
  json_object_object_add (row, "ID", json_object_new_string (tid));
  json_object_object_add (row, "Size", json_object_new_string (hsize));
  return row;
}

static int
cmd_history (struct cli *cli, struct cli_args *a)
{
  cleanup_free char *esc = cli_query_escape (a->argv[0]);
  cleanup_free char *path = cli_path (cli, "/images/%s/history", esc);
  struct cli_response r = { 0 };
  if (path == NULL || cli_request (cli, "GET", path, NULL, &r) < 0)
    return cli_fail (cli, a, 1);
  if (r.status >= 400)
    return cli_fail_response (cli, a, &r, 1), cli_response_clear (&r), 1;
  bool human = cli_flag_bool (a, "human"), trunc = !cli_flag_bool (a, "no-trunc");
  json_object *list = json_tokener_parse (r.body), *rows = json_object_new_array ();
  cli_response_clear (&r);
  int64_t now = (int64_t) time (NULL);
  for (size_t i = 0; list && i < json_object_array_length (list); i++)
    json_object_array_add (rows,
                           history_row (json_object_array_get_idx (list, i), human, trunc, now));
  json_object *h = json_object_new_object ();
  json_object_object_add (h, "ID", json_object_new_string ("IMAGE"));
  json_object_object_add (h, "CreatedSince",
                          json_object_new_string (human ? "CREATED" : "CREATED AT"));
  json_object_object_add (h, "CreatedAt", json_object_new_string ("CREATED AT"));
  json_object_object_add (h, "CreatedBy", json_object_new_string ("CREATED BY"));
  json_object_object_add (h, "Size", json_object_new_string ("SIZE"));
  json_object_object_add (h, "Comment", json_object_new_string ("COMMENT"));
  const char *format = cli_flag_bool (a, "quiet") ? "{{.ID}}" : cli_flag_string (a, "format");
  berth_error_t err = NULL;
  int ret = cli_image_print_rows (
      format, "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}", h, rows,
      &err);
  if (ret < 0)
    ret = cli_fail_msg (a, 1, "%s", err->msg);
  berth_error_release (&err);
  json_object_put (h);
  json_object_put (rows);
  json_object_put (list);
  return ret;
}

/* ---- image prune ---- */

static const struct cli_flag prune_flags[] = {
  { "all", 'a', CLI_FLAG_BOOL, NULL, "Remove all unused images, not just dangling ones", NULL, 0 },
  { "filter", 0, CLI_FLAG_STRINGS, NULL, "Provide filter values (e.g. \"until=<timestamp>\")",
    "filter", 0 },
  { "force", 'f', CLI_FLAG_BOOL, NULL, "Do not prompt for confirmation", NULL, 0 },
  { NULL },
};

int
cli_image_prune_run (struct cli *cli, struct cli_args *a, bool all, char *const *filter,
                     int64_t *reclaimed)
{
  cleanup_free char *filters = NULL, *query = NULL;
  berth_error_t err = NULL;
  if (cli_image_filters (filter, "dangling", all ? "false" : "true", &filters, &err) < 0)
    return cli_fail_msg (a, 125, "%s", err->msg), berth_error_release (&err), -1;
  cli_query_add (&query, "filters", filters);
  cleanup_free char *path = cli_path (cli, "/images/prune%s", query);
  struct cli_response r = { 0 };
  if (path == NULL || cli_request (cli, "POST", path, NULL, &r) < 0)
    return cli_fail (cli, a, 1), -1;
  if (r.status >= 400)
    return cli_fail_response (cli, a, &r, 1), cli_response_clear (&r), -1;
  json_object *rep = json_tokener_parse (r.body), *del = NULL;
  cli_response_clear (&r);
  if (json_object_object_get_ex (rep, "ImagesDeleted", &del)
      && json_object_is_type (del, json_type_array) && json_object_array_length (del) > 0)
    {
      puts ("Deleted Images:");
      for (size_t i = 0; i < json_object_array_length (del); i++)
        {
          json_object *e = json_object_array_get_idx (del, i);
          if (*cli_image_str (e, "Untagged"))
            printf ("untagged: %s\n", cli_image_str (e, "Untagged"));
          if (*cli_image_str (e, "Deleted"))
            printf ("deleted: %s\n", cli_image_str (e, "Deleted"));
        }
      putchar ('\n');
    }
  *reclaimed += cli_image_int (rep, "SpaceReclaimed");
  json_object_put (rep);
  return 0;
}

static int
cmd_image_prune (struct cli *cli, struct cli_args *a)
{
  bool all = cli_flag_bool (a, "all");
  if (!cli_flag_bool (a, "force")
      && !cli_image_confirm (
          all ? "WARNING! This will remove all images without at least one container associated "
                "to them."
              : "WARNING! This will remove all dangling images."))
    return 0;
  int64_t reclaimed = 0;
  if (cli_image_prune_run (cli, a, all, cli_flag_strings (a, "filter"), &reclaimed) < 0)
    return 1;
  cleanup_free char *h = cli_format_human_size ((double) reclaimed, 4);
  printf ("Total reclaimed space: %s\n", h);
  return 0;
}

const struct cli_command cli_cmds_image[] = {
  { .name = "ls",
    .parent = "image",
    .aliases = (const char *const[]){ "list", NULL },
    .shortcut = "images",
    .usage = "[OPTIONS] [REPOSITORY[:TAG]]",
    .short_help = "List images",
    .flags = ls_flags,
    .args = CLI_ARGS_MAX,
    .nargs = 1,
    .common = 7,
    .fn = cmd_images },
  { .name = "inspect",
    .parent = "image",
    .usage = "[OPTIONS] IMAGE [IMAGE...]",
    .short_help = "Display detailed information on one or more images",
    .flags = inspect_flags,
    .args = CLI_ARGS_MIN,
    .nargs = 1,
    .fn = cmd_image_inspect },
  { .name = "rm",
    .parent = "image",
    .aliases = (const char *const[]){ "remove", NULL },
    .shortcut = "rmi",
    .usage = "[OPTIONS] IMAGE [IMAGE...]",
    .short_help = "Remove one or more images",
    .flags = rm_flags,
    .args = CLI_ARGS_MIN,
    .nargs = 1,
    .fn = cmd_rmi },
  { .name = "tag",
    .parent = "image",
    .shortcut = "tag",
    .usage = "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
    .short_help = "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
    .args = CLI_ARGS_EXACT,
    .nargs = 2,
    .fn = cmd_tag },
  { .name = "history",
    .parent = "image",
    .shortcut = "history",
    .usage = "[OPTIONS] IMAGE",
    .short_help = "Show the history of an image",
    .flags = history_flags,
    .args = CLI_ARGS_EXACT,
    .nargs = 1,
    .fn = cmd_history },
  { .name = "prune",
    .parent = "image",
    .usage = "[OPTIONS]",
    .short_help = "Remove unused images",
    .flags = prune_flags,
    .args = CLI_ARGS_NONE,
    .fn = cmd_image_prune },
  { NULL },
};

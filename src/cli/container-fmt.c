/* berth — pure helpers of the container commands; see container-fmt.h.  */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"
#include "cli/container-fmt.h"
#include "cli/format.h"

/* Byte length of the UTF-8 sequence starting with C (1 for a stray byte).  */
static size_t
utf8_len (unsigned char c)
{
  if (c >= 0xf0 && c < 0xf8)
    return 4;
  if (c >= 0xe0)
    return c < 0xf0 ? 3 : 1;
  if (c >= 0xc0)
    return 2;
  return 1;
}

char *
cli_container_ellipsis (const char *s, size_t max)
{
  size_t n = 0, len = strlen (s);
  for (size_t i = 0; i < len; i += utf8_len ((unsigned char) s[i]))
    n++;
  if (n <= max)
    return xstrdup (s);
  if (max == 0)
    return xstrdup ("");
  size_t i = 0;
  for (size_t k = 0; k + 1 < max && i < len; k++)
    i += utf8_len ((unsigned char) s[i]);
  if (i > len)
    i = len;
  return xasprintf ("%.*s…", (int) i, s);
}

char *
cli_container_go_quote (const char *s)
{
  struct cli_buf b = { 0 };
  cli_buf_puts (&b, "\"");
  for (const unsigned char *p = (const unsigned char *) s; *p; p++)
    {
      switch (*p)
        {
        case '"':
          cli_buf_puts (&b, "\\\"");
          break;
        case '\\':
          cli_buf_puts (&b, "\\\\");
          break;
        case '\a':
          cli_buf_puts (&b, "\\a");
          break;
        case '\b':
          cli_buf_puts (&b, "\\b");
          break;
        case '\f':
          cli_buf_puts (&b, "\\f");
          break;
        case '\n':
          cli_buf_puts (&b, "\\n");
          break;
        case '\r':
          cli_buf_puts (&b, "\\r");
          break;
        case '\t':
          cli_buf_puts (&b, "\\t");
          break;
        case '\v':
          cli_buf_puts (&b, "\\v");
          break;
        default:
          if (*p < 0x20 || *p == 0x7f)
            cli_buf_printf (&b, "\\x%02x", *p);
          else
            cli_buf_add (&b, (const char *) p, 1);
        }
    }
  cli_buf_puts (&b, "\"");
  return b.s;
}

char *
cli_container_command_cell (const char *cmd, bool no_trunc)
{
  if (no_trunc)
    return cli_container_go_quote (cmd);
  cleanup_free char *cut = cli_container_ellipsis (cmd, 20);
  return cli_container_go_quote (cut);
}

static const char *
jstr (json_object *o, const char *key)
{
  json_object *v = NULL;
  if (o && json_object_object_get_ex (o, key, &v) && v)
    return json_object_get_string (v);
  return "";
}

static int64_t
jint (json_object *o, const char *key)
{
  json_object *v = NULL;
  if (o && json_object_object_get_ex (o, key, &v) && v)
    return json_object_get_int64 (v);
  return 0;
}

struct port
{
  const char *ip, *type;
  int64_t priv, pub;
};

/* docker's comparePorts: private port, IP, public port, type.  */
static int
port_cmp (const void *a, const void *b)
{
  const struct port *x = a, *y = b;
  if (x->priv != y->priv)
    return x->priv < y->priv ? -1 : 1;
  int c = strcmp (x->ip, y->ip);
  if (c)
    return c;
  if (x->pub != y->pub)
    return x->pub < y->pub ? -1 : 1;
  return strcmp (x->type, y->type);
}

/* A run of ports published on themselves (or not published), keyed by
   IP and type, as DisplayablePorts groups them.  */
struct group
{
  const char *ip, *type;
  int64_t first, last;
};

static void
group_add (struct cli_buf *b, const struct group *g)
{
  if (b->len)
    cli_buf_puts (b, ", ");
  char range[64];
  if (g->first == g->last)
    snprintf (range, sizeof range, "%lld", (long long) g->first);
  else
    snprintf (range, sizeof range, "%lld-%lld", (long long) g->first, (long long) g->last);
  if (*g->ip)
    cli_buf_printf (b, strchr (g->ip, ':') ? "[%s]:%s->%s/%s" : "%s:%s->%s/%s", g->ip, range, range,
                    g->type);
  else
    cli_buf_printf (b, "%s/%s", range, g->type);
}

static struct group *
group_find (struct group *gs, size_t n, const struct port *p)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp (gs[i].ip, p->ip) == 0 && strcmp (gs[i].type, p->type) == 0)
      return &gs[i];
  return NULL;
}

static void
ports_render (struct port *p, size_t n, struct cli_buf *b)
{
  struct cli_buf maps = { 0 };
  struct group *gs = xcalloc (n, sizeof *gs);
  size_t ng = 0;
  for (size_t i = 0; i < n; i++)
    {
      if (*p[i].ip && p[i].pub != p[i].priv)
        {
          cli_buf_printf (&maps,
                          strchr (p[i].ip, ':') ? "%s[%s]:%lld->%lld/%s" : "%s%s:%lld->%lld/%s",
                          maps.len ? ", " : "", p[i].ip, (long long) p[i].pub,
                          (long long) p[i].priv, p[i].type);
          continue;
        }
      const char *ip = *p[i].ip ? p[i].ip : "";
      struct port key = { ip, p[i].type, 0, 0 };
      struct group *g = group_find (gs, ng, &key);
      if (g == NULL)
        gs[ng++] = (struct group){ ip, p[i].type, p[i].priv, p[i].priv };
      else if (p[i].priv == g->last + 1)
        g->last = p[i].priv;
      else
        {
          group_add (b, g);
          g->first = g->last = p[i].priv;
        }
    }
  for (size_t i = 0; i < ng; i++)
    group_add (b, &gs[i]);
  if (maps.len)
    cli_buf_printf (b, "%s%s", b->len ? ", " : "", maps.s);
  cli_buf_free (&maps);
  free (gs);
}

char *
cli_container_ports_cell (json_object *ports)
{
  size_t n = ports && json_object_is_type (ports, json_type_array)
                 ? json_object_array_length (ports)
                 : 0;
  struct cli_buf b = { 0 };
  cli_buf_add (&b, "", 0);
  if (n == 0)
    return b.s;
  struct port *p = xcalloc (n, sizeof *p);
  for (size_t i = 0; i < n; i++)
    {
      json_object *o = json_object_array_get_idx (ports, i);
      p[i] = (struct port){ jstr (o, "IP"), jstr (o, "Type"), jint (o, "PrivatePort"),
                            jint (o, "PublicPort") };
    }
  qsort (p, n, sizeof *p, port_cmp);
  ports_render (p, n, &b);
  free (p);
  return b.s;
}

char *
cli_container_filters_json (char *const *filters, berth_error_t *err)
{
  if (filters == NULL || filters[0] == NULL)
    return NULL;
  json_object *root = json_object_new_object ();
  for (size_t i = 0; filters[i]; i++)
    {
      const char *eq = strchr (filters[i], '=');
      if (eq == NULL)
        {
          json_object_put (root);
          berth_make_error_msg (err, EINVAL, "bad format of filter (expected name=value)");
          return NULL;
        }
      cleanup_free char *key = xstrndup (filters[i], (size_t) (eq - filters[i]));
      str_trim (key);
      for (char *k = key; *k; k++)
        *k = (char) tolower ((unsigned char) *k);
      json_object *vals = NULL;
      if (!json_object_object_get_ex (root, key, &vals))
        {
          vals = json_object_new_object ();
          json_object_object_add (root, key, vals);
        }
      cleanup_free char *val = xstrdup (eq + 1);
      json_object_object_add (vals, str_trim (val), json_object_new_boolean (1));
    }
  char *s = xstrdup (bjson_to_string (root));
  json_object_put (root);
  return s;
}

double
cli_stats_cpu_percent (uint64_t prev_cpu, uint64_t prev_system, uint64_t cpu, uint64_t system,
                       uint32_t online_cpus)
{
  double cpu_delta = (double) cpu - (double) prev_cpu;
  double system_delta = (double) system - (double) prev_system;
  if (system_delta > 0.0 && cpu_delta > 0.0)
    return cpu_delta / system_delta * (double) online_cpus * 100.0;
  return 0.0;
}

static json_object *
jobj (json_object *o, const char *key)
{
  json_object *v = NULL;
  if (o && json_object_object_get_ex (o, key, &v))
    return v;
  return NULL;
}

static void
stats_cpu (json_object *s, struct cli_stats_row *row)
{
  json_object *cs = jobj (s, "cpu_stats"), *ps = jobj (s, "precpu_stats");
  uint32_t online = (uint32_t) jint (cs, "online_cpus");
  json_object *percpu = jobj (jobj (cs, "cpu_usage"), "percpu_usage");
  if (online == 0 && percpu && json_object_is_type (percpu, json_type_array))
    online = (uint32_t) json_object_array_length (percpu);
  row->cpu_percent = cli_stats_cpu_percent ((uint64_t) jint (jobj (ps, "cpu_usage"), "total_usage"),
                                            (uint64_t) jint (ps, "system_cpu_usage"),
                                            (uint64_t) jint (jobj (cs, "cpu_usage"), "total_usage"),
                                            (uint64_t) jint (cs, "system_cpu_usage"), online);
}

/* calculateMemUsageUnixNoCache: usage minus the inactive file pages
   (total_inactive_file on cgroup v1, inactive_file on v2).  */
static void
stats_mem (json_object *s, struct cli_stats_row *row)
{
  json_object *m = jobj (s, "memory_stats"), *st = jobj (m, "stats"), *v = NULL;
  uint64_t usage = (uint64_t) jint (m, "usage");
  row->mem = (double) usage;
  if (st && json_object_object_get_ex (st, "total_inactive_file", &v)
      && (uint64_t) json_object_get_int64 (v) < usage)
    row->mem = (double) (usage - (uint64_t) json_object_get_int64 (v));
  else if ((uint64_t) jint (st, "inactive_file") < usage)
    row->mem = (double) (usage - (uint64_t) jint (st, "inactive_file"));
  row->mem_limit = (double) jint (m, "limit");
  row->mem_percent = row->mem_limit != 0 ? row->mem / row->mem_limit * 100.0 : 0.0;
}

static void
stats_io (json_object *s, struct cli_stats_row *row)
{
  json_object *nets = jobj (s, "networks");
  if (nets && json_object_is_type (nets, json_type_object))
    {
      json_object_object_foreach (nets, k, n)
      {
        (void) k;
        row->net_rx += (double) jint (n, "rx_bytes");
        row->net_tx += (double) jint (n, "tx_bytes");
      }
    }
  json_object *blk = jobj (jobj (s, "blkio_stats"), "io_service_bytes_recursive");
  size_t n = blk && json_object_is_type (blk, json_type_array) ? json_object_array_length (blk) : 0;
  for (size_t i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (blk, i);
      const char *op = jstr (e, "op");
      if (strcasecmp (op, "read") == 0)
        row->blk_read += (double) jint (e, "value");
      else if (strcasecmp (op, "write") == 0)
        row->blk_write += (double) jint (e, "value");
    }
}

void
cli_stats_compute (json_object *stats, struct cli_stats_row *row)
{
  *row = (struct cli_stats_row){ 0 };
  stats_cpu (stats, row);
  stats_mem (stats, row);
  stats_io (stats, row);
  row->pids = (uint64_t) jint (jobj (stats, "pids_stats"), "current");
}

/* berth — `--change` instructions of docker import and commit: the
 * Dockerfile instructions moby's dockerfile.BuildFromConfig accepts,
 * applied to an image's config.  The instruction syntax (JSON array or
 * shell form, key=value words with quotes) is the Dockerfile's.  */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "base/base.h"
#include "store/image.h"

struct change_state
{
  bool cmd_set; /* a CMD came before: ENTRYPOINT keeps it */
};

/* The JSON array form ["a", "b"], or NULL when ARGS is not one (then it is
   the shell form, as buildkit's parseMaybeJSON decides).  */
static char **
parse_json_array (const char *args)
{
  json_object *j = NULL;
  char **v = NULL;

  if (args[0] != '[')
    return NULL;
  j = json_tokener_parse (args);
  if (j == NULL || !json_object_is_type (j, json_type_array))
    goto out;
  v = xcalloc (1, sizeof (char *));
  for (size_t i = 0; i < json_object_array_length (j); i++)
    {
      json_object *e = json_object_array_get_idx (j, i);
      if (!json_object_is_type (e, json_type_string))
        {
          strv_free (v);
          v = NULL;
          goto out;
        }
      v = strv_append (v, json_object_get_string (e));
    }
out:
  json_object_put (j);
  return v;
}

/* CMD/ENTRYPOINT's command: JSON form verbatim, shell form through
   /bin/sh -c.  */
static char **
command_of (const char *args)
{
  char **v = parse_json_array (args);
  if (v)
    return v;
  v = strv_append (NULL, "/bin/sh");
  v = strv_append (v, "-c");
  return strv_append (v, args);
}

/* Split ARGS into words as the Dockerfile does for ENV/LABEL: blanks
   separate, "..." and '...' quote, a backslash escapes the next
   character (not inside '...').  */
static char **
split_words (const char *args)
{
  char **words = xcalloc (1, sizeof (char *));
  size_t len = strlen (args);
  cleanup_free char *w = xmalloc (len + 1);
  size_t n = 0;
  bool in_word = false;
  char quote = 0;

  for (const char *p = args; *p; p++)
    {
      if (quote == 0 && isspace ((unsigned char) *p))
        {
          if (in_word)
            {
              w[n] = '\0';
              words = strv_append (words, w);
              n = 0;
              in_word = false;
            }
          continue;
        }
      in_word = true;
      if (*p == '\\' && quote != '\'' && p[1])
        w[n++] = *++p;
      else if (quote == 0 && (*p == '"' || *p == '\''))
        quote = *p;
      else if (quote && *p == quote)
        quote = 0;
      else
        w[n++] = *p;
    }
  if (in_word)
    {
      w[n] = '\0';
      words = strv_append (words, w);
    }
  return words;
}

/* Set KEY=VALUE in the parallel vectors, replacing an older value.  */
static void
set_kv (char ***keys, char ***values, const char *k, const char *v)
{
  for (size_t i = 0; *keys && (*keys)[i]; i++)
    if (strcmp ((*keys)[i], k) == 0)
      {
        free ((*values)[i]);
        (*values)[i] = xstrdup (v);
        return;
      }
  *keys = strv_append (*keys, k);
  *values = strv_append (*values, v);
}

/* ENV and LABEL: name=value words, or the legacy "name value" form.  */
static int
parse_name_values (const char *instr, const char *args, char ***keys, char ***values,
                   berth_error_t *err)
{
  cleanup_strv char **words = split_words (args);

  if (words[0] == NULL)
    return berth_make_error_msg (err, EINVAL, "%s requires at least one argument", instr);
  if (strchr (words[0], '=') == NULL)
    {
      /* Legacy form: the first word is the name, the rest (raw) the value.  */
      const char *rest = args + strspn (args, " \t");
      rest += strcspn (rest, " \t");
      rest += strspn (rest, " \t");
      if (words[1] == NULL)
        return berth_make_error_msg (err, EINVAL, "%s must have two arguments", instr);
      set_kv (keys, values, words[0], rest);
      return 0;
    }
  for (size_t i = 0; words[i]; i++)
    {
      char *eq = strchr (words[i], '=');
      if (eq == NULL)
        return berth_make_error_msg (err, EINVAL,
                                     "Syntax error - can't find = in \"%s\". Must be of the "
                                     "form: name=value",
                                     words[i]);
      *eq = '\0';
      if (words[i][0] == '\0')
        return berth_make_error_msg (err, EINVAL, "%s names can not be blank", instr);
      set_kv (keys, values, words[i], eq + 1);
    }
  return 0;
}

/* ENV is kept as "K=V" strings.  */
static int
apply_env (struct oci_image_exec_config *c, const char *args, berth_error_t *err)
{
  cleanup_strv char **keys = NULL;
  cleanup_strv char **values = NULL;

  if (parse_name_values ("ENV", args, &keys, &values, err) < 0)
    return -1;
  for (size_t i = 0; keys && keys[i]; i++)
    {
      size_t klen = strlen (keys[i]);
      cleanup_free char *kv = xasprintf ("%s=%s", keys[i], values[i]);
      bool replaced = false;
      for (size_t j = 0; c->env && c->env[j]; j++)
        if (strncmp (c->env[j], keys[i], klen) == 0 && c->env[j][klen] == '=')
          {
            free (c->env[j]);
            c->env[j] = steal_pointer (&kv);
            replaced = true;
            break;
          }
      if (!replaced)
        c->env = strv_append (c->env, kv);
    }
  return 0;
}

static void
add_unique (char ***v, const char *s)
{
  if (!strv_contains (*v, s))
    *v = strv_append (*v, s);
}

/* The exposed ports as a bitmap per protocol, so that a range of 64Ki ports
   costs linear time, not quadratic.  */
struct port_set
{
  uint8_t bits[3][65536 / 8];
  char **v; /* the ports added, in order */
  size_t n, cap;
};

static int
proto_index (const char *proto)
{
  static const char *const protos[] = { "tcp", "udp", "sctp" };
  for (int i = 0; i < 3; i++)
    if (strcasecmp (proto, protos[i]) == 0)
      return i;
  return -1;
}

static bool
port_set_add (struct port_set *ps, unsigned long port, int proto)
{
  static const char *const protos[] = { "tcp", "udp", "sctp" };
  if (ps->bits[proto][port / 8] & (1u << (port % 8)))
    return false;
  ps->bits[proto][port / 8] |= (uint8_t) (1u << (port % 8));
  if (ps->n + 1 >= ps->cap)
    {
      ps->cap = ps->cap ? ps->cap * 2 : 16;
      ps->v = xrealloc (ps->v, ps->cap * sizeof (char *));
    }
  ps->v[ps->n++] = xasprintf ("%lu/%s", port, protos[proto]);
  ps->v[ps->n] = NULL;
  return true;
}

/* One EXPOSE word: 80, 80/udp, 8000-8001/tcp.  */
static int
expose_word (struct port_set *ps, char *w, berth_error_t *err)
{
  char *slash = strchr (w, '/');
  int proto = slash ? proto_index (slash + 1) : 0;
  char *end = NULL;
  unsigned long lo, hi;

  if (slash)
    *slash = '\0';
  lo = strtoul (w, &end, 10);
  hi = lo;
  if (end != w && *end == '-')
    hi = strtoul (end + 1, &end, 10);
  if (end == w || *end || lo == 0 || hi < lo || hi > 65535 || proto < 0)
    return berth_make_error_msg (err, EINVAL, "invalid containerPort: %s", w);
  for (unsigned long p = lo; p <= hi; p++)
    port_set_add (ps, p, proto);
  return 0;
}

/* EXPOSE: new ports are appended after the ones already there.  */
static int
apply_expose (struct oci_image_exec_config *c, const char *args, berth_error_t *err)
{
  cleanup_strv char **words = split_words (args);
  struct port_set *ps = xmalloc0 (sizeof (*ps));
  size_t old = strv_len (c->exposed_ports);
  int ret = 0;

  if (words[0] == NULL)
    ret = berth_make_error_msg (err, EINVAL, "EXPOSE requires at least one argument");
  for (size_t i = 0; i < old; i++)
    {
      unsigned long p = strtoul (c->exposed_ports[i], NULL, 10);
      const char *slash = strchr (c->exposed_ports[i], '/');
      int proto = slash ? proto_index (slash + 1) : 0;
      if (p > 0 && p < 65536 && proto >= 0)
        ps->bits[proto][p / 8] |= (uint8_t) (1u << (p % 8));
    }
  for (size_t i = 0; ret == 0 && words[i]; i++)
    ret = expose_word (ps, words[i], err);
  if (ret == 0 && ps->n > 0)
    {
      c->exposed_ports = xrealloc (c->exposed_ports, (old + ps->n + 1) * sizeof (char *));
      memcpy (c->exposed_ports + old, ps->v, (ps->n + 1) * sizeof (char *));
      free (ps->v);
    }
  else
    strv_free (ps->v);
  free (ps);
  return ret;
}

static int
apply_volume (struct oci_image_exec_config *c, const char *args, berth_error_t *err)
{
  cleanup_strv char **v = parse_json_array (args);

  if (v == NULL)
    v = split_words (args);
  if (v[0] == NULL)
    return berth_make_error_msg (err, EINVAL, "VOLUME requires at least one argument");
  for (size_t i = 0; v[i]; i++)
    {
      str_trim (v[i]);
      if (v[i][0] == '\0')
        return berth_make_error_msg (err, EINVAL, "VOLUME specified can not be an empty string");
      add_unique (&c->volumes, v[i]);
    }
  return 0;
}

/* WORKDIR: a relative path is taken from the current one.  */
static void
apply_workdir (struct oci_image_exec_config *c, const char *args)
{
  char *w;
  if (args[0] == '/')
    w = xstrdup (args);
  else
    {
      const char *cur = c->working_dir && c->working_dir[0] ? c->working_dir : "/";
      size_t l = strlen (cur);
      w = xasprintf ("%s%s%s", cur, l && cur[l - 1] == '/' ? "" : "/", args);
    }
  free (c->working_dir);
  c->working_dir = w;
}

static int
apply_onbuild (struct oci_image_exec_config *c, const char *args, berth_error_t *err)
{
  size_t n = strcspn (args, " \t");
  if (n == 0)
    return berth_make_error_msg (err, EINVAL, "ONBUILD requires at least one argument");
  if ((n == 7 && strncasecmp (args, "ONBUILD", 7) == 0))
    return berth_make_error_msg (err, EINVAL,
                                 "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
  if ((n == 4 && strncasecmp (args, "FROM", 4) == 0)
      || (n == 10 && strncasecmp (args, "MAINTAINER", 10) == 0))
    return berth_make_error_msg (err, EINVAL, "%.*s isn't allowed as an ONBUILD trigger", (int) n,
                                 args);
  c->on_build = strv_append (c->on_build, args);
  return 0;
}

/* One instruction LINE.  */
static int
apply_one (struct oci_image_exec_config *c, struct change_state *st, const char *line,
           berth_error_t *err)
{
  cleanup_free char *copy = xstrdup (line);
  char *s = str_trim (copy);
  size_t n = strcspn (s, " \t");
  cleanup_free char *instr = xstrndup (s, n);
  char *args = s + n;

  if (*s == '\0')
    return 0;
  args += strspn (args, " \t");
  for (char *p = instr; *p; p++)
    *p = (char) tolower ((unsigned char) *p);
  if (strcmp (instr, "cmd") == 0)
    {
      strv_free (c->cmd);
      c->cmd = command_of (args);
      st->cmd_set = true;
    }
  else if (strcmp (instr, "entrypoint") == 0)
    {
      strv_free (c->entrypoint);
      c->entrypoint = command_of (args);
      /* dispatchEntrypoint: an ENTRYPOINT resets an inherited CMD.  */
      if (!st->cmd_set)
        {
          strv_free (c->cmd);
          c->cmd = NULL;
        }
    }
  else if (strcmp (instr, "env") == 0)
    return apply_env (c, args, err);
  else if (strcmp (instr, "label") == 0)
    return parse_name_values ("LABEL", args, &c->label_keys, &c->label_values, err);
  else if (strcmp (instr, "expose") == 0)
    return apply_expose (c, args, err);
  else if (strcmp (instr, "volume") == 0)
    return apply_volume (c, args, err);
  else if (strcmp (instr, "onbuild") == 0)
    return apply_onbuild (c, args, err);
  else if (strcmp (instr, "user") == 0 || strcmp (instr, "workdir") == 0)
    {
      if (*args == '\0')
        return berth_make_error_msg (err, EINVAL, "%s requires exactly one argument",
                                     instr[0] == 'u' ? "USER" : "WORKDIR");
      if (instr[0] == 'u')
        {
          free (c->user);
          c->user = xstrdup (args);
        }
      else
        apply_workdir (c, args);
    }
  else
    return berth_make_error_msg (err, EINVAL, "%s is not a valid change command", instr);
  return 0;
}

int
store_image_apply_changes (struct oci_image_exec_config *c, char *const *changes,
                           berth_error_t *err)
{
  struct change_state st = { false };
  for (size_t i = 0; changes && changes[i]; i++)
    if (apply_one (c, &st, changes[i], err) < 0)
      return -1;
  return 0;
}

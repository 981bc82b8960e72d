/* berth — volume plugins: Docker's volume plugin protocol v1 (HTTP POSTs of
 * JSON over a unix socket, or TCP on loopback), as dockerd's pkg/plugins
 * client and volume/drivers proxy speak it.
 *
 * Discovery follows dockerd's registry: NAME.sock or NAME/NAME.sock in the
 * socket directories, NAME.spec (a URL) or NAME.json ({"Name","Addr"}) in
 * the spec directories.  Every call has a timeout (BERTH_PLUGIN_TIMEOUT
 * seconds, default 30 like dockerd's plugin client), so a plugin that hangs
 * fails the request instead of hanging the daemon; every answer is parsed
 * as hostile input.  The store keeps one driver per plugin name, so a
 * plugin is activated once per daemon, as dockerd caches it.  */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <curl/curl.h>
#include <dlfcn.h>

#include "base/base.h"
#include "volume/volume-driver.h"
#include "volume/volume-plugin-internal.h"

/* Answers are small JSON documents; a plugin that streams more is broken
   or hostile, and must not grow the daemon.  */
#define MAX_ANSWER (4u << 20)
#define DEFAULT_TIMEOUT_MS 30000L

static const char *const default_dirs[] = {
  "/run/berth/plugins",
  "/run/docker/plugins",
  "/etc/docker/plugins",
  "/usr/lib/docker/plugins",
  NULL,
};

struct plugin
{
  struct volume_driver base; /* first: the store sees a volume_driver */
  struct volume_plugin_addr addr;
  long timeout_ms;
  const char *scope;
};

/* ---- addresses ---- */

void
volume_plugin_addr_release (struct volume_plugin_addr *a)
{
  free (a->socket);
  free (a->base);
  free (a->shown);
  memset (a, 0, sizeof *a);
}

/* Go's url.URL.String() escapes a host that is a socket path: "/" as %2F.  */
static char *
go_escape_host (const char *s)
{
  char *out = xmalloc (strlen (s) * 3 + 1), *o = out;
  for (; *s; s++)
    {
      unsigned char c = (unsigned char) *s;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || strchr ("-._~!$&'()*+,;=:[]", c))
        *o++ = (char) c;
      else
        o += sprintf (o, "%%%02X", c);
    }
  *o = '\0';
  return out;
}

static bool
is_loopback (const char *host, size_t n)
{
  if ((n == 9 && strncmp (host, "localhost", 9) == 0)
      || (n == 5 && strncmp (host, "[::1]", 5) == 0))
    return true;
  if (n < 4 || strncmp (host, "127.", 4) != 0)
    return false;
  for (size_t i = 4; i < n; i++)
    if (!((host[i] >= '0' && host[i] <= '9') || host[i] == '.'))
      return false;
  return true;
}

static int
parse_tcp (const char *hostport, struct volume_plugin_addr *out, berth_error_t *err)
{
  const char *colon = strrchr (hostport, ':');
  if (colon == NULL || colon == hostport || colon[1] == '\0' || strchr (hostport, '/'))
    return berth_make_error_msg (err, EINVAL, "invalid plugin address `tcp://%s`", hostport);
  for (const char *p = colon + 1; *p; p++)
    if (*p < '0' || *p > '9')
      return berth_make_error_msg (err, EINVAL, "invalid plugin address `tcp://%s`", hostport);
  /* A plugin's protocol has no authentication: berth refuses to send
     volume operations anywhere but to this machine.  */
  if (!is_loopback (hostport, (size_t) (colon - hostport)))
    return berth_make_error_msg (err, EINVAL,
                                 "plugin address `tcp://%s` is not on loopback: only unix "
                                 "sockets and loopback TCP are supported",
                                 hostport);
  out->socket = NULL;
  out->base = xasprintf ("http://%s", hostport);
  out->shown = xstrdup (hostport);
  return 0;
}

int
volume_plugin_parse_spec (const char *text, struct volume_plugin_addr *out, berth_error_t *err)
{
  memset (out, 0, sizeof *out);
  cleanup_free char *s = xstrdup (text ? text : "");
  str_trim (s);
  const char *sep = strstr (s, "://");
  if (sep == NULL || sep == s)
    return berth_make_error_msg (err, EINVAL, "Unknown protocol");
  if (str_has_prefix (s, "unix://"))
    {
      const char *path = s + strlen ("unix://");
      if (path[0] != '/')
        return berth_make_error_msg (err, EINVAL,
                                     "invalid plugin address `%s`: not an absolute path", s);
      out->socket = xstrdup (path);
      out->base = xstrdup ("http://localhost");
      out->shown = go_escape_host (path);
      return 0;
    }
  if (str_has_prefix (s, "tcp://"))
    return parse_tcp (s + strlen ("tcp://"), out, err);
  return berth_make_error_msg (
      err, EINVAL,
      "unsupported plugin address `%s`: only unix:// and tcp:// (loopback) "
      "are supported",
      s);
}

int
volume_plugin_parse_json_spec (const char *text, size_t len, struct volume_plugin_addr *out,
                               berth_error_t *err)
{
  memset (out, 0, sizeof *out);
  json_object *o = bjson_parse (text, len, "plugin spec", err);
  if (o == NULL)
    return -1;
  cleanup_free char *addr = NULL;
  int ret = 0;
  if (!json_object_is_type (o, json_type_object))
    ret = berth_make_error_msg (err, EINVAL, "plugin spec: expected a JSON object");
  else if ((ret = bjson_get_string (o, "", "Addr", &addr, err)) == 0)
    ret = berth_make_error_msg (err, EINVAL, "plugin spec: no `Addr`");
  json_object_put (o);
  if (ret < 0)
    return ret;
  return volume_plugin_parse_spec (addr, out, err);
}

/* ---- answers ---- */

/* A quoted excerpt of a bad answer for messages: hostile bytes shown as
   '?', cut at 64.  */
static char *
excerpt (const char *body, size_t len)
{
  size_t n = len > 64 ? 64 : len;
  char *s = xmalloc (n + 4);
  for (size_t i = 0; i < n; i++)
    s[i] = (body[i] >= 0x20 && body[i] < 0x7f) ? body[i] : '?';
  strcpy (s + n, len > n ? "..." : "");
  return s;
}

static const char *
err_field (json_object *o)
{
  json_object *e = NULL;
  if (o && json_object_is_type (o, json_type_object) && json_object_object_get_ex (o, "Err", &e)
      && json_object_is_type (e, json_type_string))
    return json_object_get_string (e);
  return NULL;
}

static json_object *
parse_object (const char *body, size_t len)
{
  cleanup_free char *t = xstrndup (body ? body : "", len);
  str_trim (t);
  if (strcmp (t, "null") == 0)
    return json_object_new_object ();
  berth_error_t ignored = NULL;
  json_object *o = bjson_parse (t, strlen (t), "answer", &ignored);
  berth_error_release (&ignored);
  if (o && !json_object_is_type (o, json_type_object))
    {
      json_object_put (o);
      return NULL;
    }
  return o;
}

json_object *
volume_plugin_parse_answer (const char *method, long status, const char *body, size_t len,
                            berth_error_t *err)
{
  json_object *o = parse_object (body, len);
  if (status != 200)
    {
      /* pkg/plugins: the Err of the body, else the body itself.  */
      const char *e = err_field (o);
      cleanup_free char *raw = xstrndup (body ? body : "", len);
      str_trim (raw);
      if (e && *e)
        berth_make_error_msg (err, 0, "%s: %s", method, e);
      else if (*raw)
        berth_make_error_msg (err, 0, "%s: %s", method, raw);
      else
        berth_make_error_msg (err, 0, "%s: HTTP status %ld", method, status);
      if (o)
        json_object_put (o);
      return NULL;
    }
  if (o == NULL)
    {
      cleanup_free char *ex = excerpt (body ? body : "", len);
      berth_make_error_msg (
          err, 0, "%s: invalid answer from the plugin (not a JSON object): \"%s\"", method, ex);
      return NULL;
    }
  json_object *e = NULL;
  if (json_object_object_get_ex (o, "Err", &e) && e && !json_object_is_type (e, json_type_string))
    {
      json_object_put (o);
      berth_make_error_msg (err, 0, "%s: invalid answer from the plugin: `Err` is not a string",
                            method);
      return NULL;
    }
  const char *msg = err_field (o);
  if (msg && *msg)
    {
      /* dockerd's proxy: errors.New(ret.Err), the text alone.  */
      berth_make_error_msg (err, 0, "%s", msg);
      json_object_put (o);
      return NULL;
    }
  return o;
}

int
volume_plugin_check_activate (json_object *manifest, berth_error_t *err)
{
  json_object *impl = NULL;
  if (json_object_object_get_ex (manifest, "Implements", &impl)
      && json_object_is_type (impl, json_type_array))
    for (size_t i = 0; i < json_object_array_length (impl); i++)
      {
        json_object *s = json_object_array_get_idx (impl, i);
        if (json_object_is_type (s, json_type_string)
            && strcmp (json_object_get_string (s), "VolumeDriver") == 0)
          return 0;
      }
  return berth_make_error_msg (err, 0, "Plugin does not implement the requested driver");
}

int
volume_plugin_parse_volume (json_object *v, const char *method, struct volume_driver_info *out,
                            berth_error_t *err)
{
  memset (out, 0, sizeof *out);
  if (v == NULL || !json_object_is_type (v, json_type_object))
    return berth_make_error_msg (
        err, 0, "%s: invalid answer from the plugin: a volume is not an object", method);
  json_object *status = NULL;
  int ret;
  if ((ret = bjson_get_string (v, "", "Name", &out->name, err)) < 0
      || bjson_get_string (v, "", "Mountpoint", &out->mountpoint, err) < 0
      || bjson_get_string (v, "", "CreatedAt", &out->created_at, err) < 0
      || bjson_get_object (v, "", "Status", &status, err) < 0)
    {
      volume_driver_info_release (out);
      return berth_error_wrap (err, "%s: invalid answer from the plugin", method);
    }
  if (ret == 0 || out->name[0] == '\0')
    {
      volume_driver_info_release (out);
      return berth_make_error_msg (
          err, 0, "%s: invalid answer from the plugin: a volume has no `Name`", method);
    }
  if (out->mountpoint && out->mountpoint[0] == '\0')
    {
      free (out->mountpoint);
      out->mountpoint = NULL;
    }
  out->status = status ? json_object_get (status) : NULL;
  return 0;
}

const char *
volume_plugin_parse_scope (json_object *caps)
{
  json_object *c = NULL, *s = NULL;
  if (json_object_object_get_ex (caps, "Capabilities", &c)
      && json_object_is_type (c, json_type_object) && json_object_object_get_ex (c, "Scope", &s)
      && json_object_is_type (s, json_type_string)
      && strcasecmp (json_object_get_string (s), "global") == 0)
    return "global";
  return "local";
}

/* ---- HTTP ---- */

struct answer
{
  char *body;
  size_t len;
  bool too_big;
};

static size_t
on_data (char *data, size_t size, size_t nmemb, void *opaque)
{
  struct answer *a = opaque;
  size_t n = size * nmemb;
  if (a->len + n > MAX_ANSWER)
    {
      a->too_big = true;
      return 0;
    }
  a->body = xrealloc (a->body, a->len + n + 1);
  memcpy (a->body + a->len, data, n);
  a->len += n;
  a->body[a->len] = '\0';
  return n;
}

/* libcurl is loaded the first time a plugin is used: linked into berthd
   it would map ~30 more libraries (OpenSSL, Kerberos, LDAP, ...) into a
   daemon that most machines never ask to talk to a plugin.  The same
   idea as src/cmd/berthd-gnutls.c.  */
#define CURL_SONAME "libcurl.so.4"

static struct
{
  CURLcode (*global_init) (long flags);
  CURL *(*easy_init) (void);
  CURLcode (*easy_setopt) (CURL *c, CURLoption opt, ...);
  CURLcode (*easy_perform) (CURL *c);
  CURLcode (*easy_getinfo) (CURL *c, CURLINFO info, ...);
  void (*easy_cleanup) (CURL *c);
  struct curl_slist *(*slist_append) (struct curl_slist *l, const char *s);
  void (*slist_free_all) (struct curl_slist *l);
  const char *(*easy_strerror) (CURLcode rc);
} lc;
static char *lc_error;
static pthread_once_t lc_once = PTHREAD_ONCE_INIT;

static void
lc_load (void)
{
  void *h = dlopen (CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (h == NULL)
    {
      lc_error = xstrdup (dlerror ());
      return;
    }
  static const char *const names[]
      = { "curl_global_init",  "curl_easy_init",      "curl_easy_setopt",
          "curl_easy_perform", "curl_easy_getinfo",   "curl_easy_cleanup",
          "curl_slist_append", "curl_slist_free_all", "curl_easy_strerror" };
  void **slots[]
      = { (void **) &lc.global_init,  (void **) &lc.easy_init,      (void **) &lc.easy_setopt,
          (void **) &lc.easy_perform, (void **) &lc.easy_getinfo,   (void **) &lc.easy_cleanup,
          (void **) &lc.slist_append, (void **) &lc.slist_free_all, (void **) &lc.easy_strerror };
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if ((*slots[i] = dlsym (h, names[i])) == NULL)
      {
        lc_error = xasprintf ("%s: no symbol %s", CURL_SONAME, names[i]);
        return; /* the handle stays open: nothing else is loaded twice */
      }
  lc.global_init (CURL_GLOBAL_DEFAULT);
}

/* One POST; *STATUS and A are the answer.  Errors read as Go's net/http
   ones in dockerd's messages ("Post \"http://%2Frun%2F...sock/M\": ...").  */
static int
post (struct plugin *p, const char *method, const char *body, long *status, struct answer *a,
      berth_error_t *err)
{
  pthread_once (&lc_once, lc_load);
  if (lc_error)
    return berth_make_error_msg (err, ENOSYS, "volume plugins need %s: %s", CURL_SONAME, lc_error);
  CURL *c = lc.easy_init ();
  if (c == NULL)
    return berth_make_error_msg (err, ENOMEM, "%s: cannot initialise libcurl", method);
  cleanup_free char *url = xasprintf ("%s/%s", p->addr.base, method);
  struct curl_slist *h = lc.slist_append (NULL, "Accept: application/vnd.docker.plugins.v1.2+json");
  h = lc.slist_append (h, "Content-Type: application/json");
  h = lc.slist_append (h, "Expect:");
  lc.easy_setopt (c, CURLOPT_URL, url);
  if (p->addr.socket)
    lc.easy_setopt (c, CURLOPT_UNIX_SOCKET_PATH, p->addr.socket);
  lc.easy_setopt (c, CURLOPT_PROXY, "");
  lc.easy_setopt (c, CURLOPT_NOPROXY, "*");
  lc.easy_setopt (c, CURLOPT_HTTPHEADER, h);
  lc.easy_setopt (c, CURLOPT_POSTFIELDS, body);
  lc.easy_setopt (c, CURLOPT_POSTFIELDSIZE, (long) strlen (body));
  lc.easy_setopt (c, CURLOPT_WRITEFUNCTION, on_data);
  lc.easy_setopt (c, CURLOPT_WRITEDATA, a);
  lc.easy_setopt (c, CURLOPT_TIMEOUT_MS, p->timeout_ms);
  lc.easy_setopt (c, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for timeouts */
  CURLcode rc = lc.easy_perform (c);
  lc.easy_getinfo (c, CURLINFO_RESPONSE_CODE, status);
  lc.slist_free_all (h);
  lc.easy_cleanup (c);
  if (rc == CURLE_OK)
    return 0;
  if (a->too_big)
    return berth_make_error_msg (err, 0, "%s: the plugin's answer is larger than %u bytes", method,
                                 MAX_ANSWER);
  if (rc == CURLE_OPERATION_TIMEDOUT)
    return berth_make_error_msg (err, 0,
                                 "Post \"http://%s/%s\": context deadline exceeded "
                                 "(Client.Timeout exceeded while awaiting headers)",
                                 p->addr.shown, method);
  return berth_make_error_msg (err, 0, "Post \"http://%s/%s\": %s", p->addr.shown, method,
                               lc.easy_strerror (rc));
}

/* POST METHOD with REQ (borrowed; NULL sends null, as dockerd's Activate)
   and check the answer; returns the answer object.  */
static json_object *
call (struct plugin *p, const char *method, json_object *req, berth_error_t *err)
{
  cleanup_free char *body
      = xasprintf ("%s\n", req ? json_object_to_json_string_ext (
                               req, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
                               : "null");
  struct answer a = { 0 };
  long status = 0;
  json_object *o = NULL;
  if (post (p, method, body, &status, &a, err) == 0)
    o = volume_plugin_parse_answer (method, status, a.body, a.len, err);
  free (a.body);
  return o;
}

static json_object *
req_name (const char *name, const char *id)
{
  json_object *r = json_object_new_object ();
  json_object_object_add (r, "Name", json_object_new_string (name));
  if (id)
    json_object_object_add (r, "ID", json_object_new_string (id));
  return r;
}

/* Call METHOD with REQ (taken) and only check for errors.  */
static int
call_simple (struct plugin *p, const char *method, json_object *req, berth_error_t *err)
{
  json_object *o = call (p, method, req, err);
  json_object_put (req);
  if (o == NULL)
    return -1;
  json_object_put (o);
  return 0;
}

/* ---- the driver ---- */

static int
op_create (struct volume_driver *d, const char *name, json_object *opts, berth_error_t *err)
{
  json_object *r = req_name (name, NULL);
  json_object_object_add (r, "Opts", opts ? json_object_get (opts) : NULL);
  return call_simple ((struct plugin *) d, "VolumeDriver.Create", r, err);
}

static int
op_remove (struct volume_driver *d, const char *name, berth_error_t *err)
{
  return call_simple ((struct plugin *) d, "VolumeDriver.Remove", req_name (name, NULL), err);
}

/* Mount and Path answer {"Mountpoint": ...}.  */
static char *
call_mountpoint (struct plugin *p, const char *method, json_object *req, bool required,
                 berth_error_t *err)
{
  json_object *o = call (p, method, req, err);
  json_object_put (req);
  if (o == NULL)
    return NULL;
  char *mp = NULL;
  if (bjson_get_string (o, "", "Mountpoint", &mp, err) < 0)
    {
      json_object_put (o);
      berth_error_wrap (err, "%s: invalid answer from the plugin", method);
      return NULL;
    }
  json_object_put (o);
  if (required && (mp == NULL || mp[0] != '/'))
    {
      berth_make_error_msg (err, 0, "%s: the plugin answered no absolute `Mountpoint`: \"%s\"",
                            method, mp ? mp : "");
      free (mp);
      return NULL;
    }
  return mp ? mp : xstrdup ("");
}

static char *
op_mount (struct volume_driver *d, const char *name, const char *id, berth_error_t *err)
{
  return call_mountpoint ((struct plugin *) d, "VolumeDriver.Mount", req_name (name, id), true,
                          err);
}

static int
op_unmount (struct volume_driver *d, const char *name, const char *id, berth_error_t *err)
{
  return call_simple ((struct plugin *) d, "VolumeDriver.Unmount", req_name (name, id), err);
}

static char *
op_path (struct volume_driver *d, const char *name, berth_error_t *err)
{
  return call_mountpoint ((struct plugin *) d, "VolumeDriver.Path", req_name (name, NULL), false,
                          err);
}

static int
op_get (struct volume_driver *d, const char *name, struct volume_driver_info *out,
        berth_error_t *err)
{
  memset (out, 0, sizeof *out);
  json_object *req = req_name (name, NULL);
  json_object *o = call ((struct plugin *) d, "VolumeDriver.Get", req, err);
  json_object_put (req);
  if (o == NULL)
    {
      /* A plugin says "no such volume" in its own words: the store needs
         to know the volume is missing there.  */
      if (*err && (*err)->status == 0)
        (*err)->status = ENOENT;
      return -1;
    }
  json_object *v = NULL;
  int ret;
  if (!json_object_object_get_ex (o, "Volume", &v) || v == NULL)
    ret = berth_make_error_msg (err, ENOENT, "no such volume");
  else
    ret = volume_plugin_parse_volume (v, "VolumeDriver.Get", out, err);
  json_object_put (o);
  return ret;
}

static int
op_list (struct volume_driver *d, struct volume_driver_info **out, size_t *n, berth_error_t *err)
{
  *out = NULL;
  *n = 0;
  json_object *req = json_object_new_object ();
  json_object *o = call ((struct plugin *) d, "VolumeDriver.List", req, err);
  json_object_put (req);
  if (o == NULL)
    return -1;
  json_object *vols = NULL;
  int ret = bjson_get_array (o, "", "Volumes", &vols, err);
  size_t len = ret > 0 ? json_object_array_length (vols) : 0;
  struct volume_driver_info *infos = xcalloc (len + 1, sizeof *infos);
  size_t i = 0;
  for (; ret >= 0 && i < len; i++)
    if (volume_plugin_parse_volume (json_object_array_get_idx (vols, i), "VolumeDriver.List",
                                    &infos[i], err)
        < 0)
      ret = -1;
  json_object_put (o);
  if (ret < 0)
    {
      for (size_t j = 0; j < i; j++)
        volume_driver_info_release (&infos[j]);
      free (infos);
      return -1;
    }
  *out = infos;
  *n = len;
  return 0;
}

static const char *
op_scope (struct volume_driver *d)
{
  return ((struct plugin *) d)->scope;
}

static void
op_free (struct volume_driver *d)
{
  struct plugin *p = (struct plugin *) d;
  if (p == NULL)
    return;
  volume_plugin_addr_release (&p->addr);
  free (p->base.name);
  free (p);
}

static const struct volume_driver_ops plugin_ops = {
  .create = op_create,
  .remove = op_remove,
  .mount = op_mount,
  .unmount = op_unmount,
  .path = op_path,
  .get = op_get,
  .list = op_list,
  .scope = op_scope,
  .free = op_free,
};

/* ---- discovery ---- */

static bool
is_socket (const char *path)
{
  struct stat st;
  return stat (path, &st) == 0 && S_ISSOCK (st.st_mode);
}

/* Try DIR for NAME: 1 found (OUT set), 0 not there, < 0 a bad spec.  */
static int
find_in_dir (const char *dir, const char *name, struct volume_plugin_addr *out, berth_error_t *err)
{
  for (int i = 0; i < 2; i++)
    {
      cleanup_free char *path = i == 0 ? xasprintf ("%s/%s.sock", dir, name)
                                       : xasprintf ("%s/%s/%s.sock", dir, name, name);
      if (is_socket (path))
        {
          cleanup_free char *url = xasprintf ("unix://%s", path);
          return volume_plugin_parse_spec (url, out, err) < 0 ? -1 : 1;
        }
    }
  for (int i = 0; i < 2; i++)
    {
      cleanup_free char *path = xasprintf ("%s/%s.%s", dir, name, i == 0 ? "spec" : "json");
      size_t len = 0;
      berth_error_t e = NULL;
      cleanup_free char *text = fs_read_file (path, &len, &e);
      if (text == NULL)
        {
          int st = berth_error_status (e);
          berth_error_release (&e);
          if (st == ENOENT || st == ENOTDIR)
            continue;
          return berth_make_error_msg (err, st, "read plugin spec `%s`", path);
        }
      int r = i == 0 ? volume_plugin_parse_spec (text, out, err)
                     : volume_plugin_parse_json_spec (text, len, out, err);
      return r < 0 ? -1 : 1;
    }
  return 0;
}

static long
timeout_ms (void)
{
  /* Tests shorten it to see a hanging plugin fail quickly.  */
  const char *s = getenv ("BERTH_PLUGIN_TIMEOUT");
  char *end = NULL;
  double v = s && *s ? strtod (s, &end) : 0;
  if (s == NULL || end == NULL || *end != '\0' || !(v > 0) || v > 3600)
    return DEFAULT_TIMEOUT_MS;
  return (long) (v * 1000) > 0 ? (long) (v * 1000) : 1;
}

static int
activate (struct plugin *p, berth_error_t *err)
{
  json_object *m = call (p, "Plugin.Activate", NULL, err);
  if (m == NULL)
    return -1;
  int ret = volume_plugin_check_activate (m, err);
  json_object_put (m);
  if (ret < 0)
    return ret;
  /* Capabilities is optional: an error means a local driver (dockerd).  */
  json_object *req = json_object_new_object ();
  berth_error_t ignored = NULL;
  json_object *caps = call (p, "VolumeDriver.Capabilities", req, &ignored);
  json_object_put (req);
  berth_error_release (&ignored);
  p->scope = volume_plugin_parse_scope (caps);
  if (caps)
    json_object_put (caps);
  return 0;
}

struct volume_driver *
volume_plugin_open (const char *name, char *const *plugin_dirs, berth_error_t *err)
{
  char *const *dirs = plugin_dirs ? plugin_dirs : (char *const *) default_dirs;
  struct volume_plugin_addr addr = { 0 };
  int found = 0;
  /* A name is a file name in the plugin directories, never a path.  */
  bool valid
      = name && *name && !strchr (name, '/') && strcmp (name, ".") != 0 && strcmp (name, "..") != 0;
  /* dockerd's plugin store wraps every failure of a v1 plugin but "not
     found" as "legacy plugin: ...".  */
  for (size_t i = 0; valid && dirs[i] && found == 0; i++)
    found = find_in_dir (dirs[i], name, &addr, err);
  if (found < 0)
    return berth_error_wrap (err, "error looking up volume plugin %s: legacy plugin", name), NULL;
  if (found == 0)
    {
      berth_make_error_msg (err, ENOENT,
                            "error looking up volume plugin %s: plugin \"%s\" not found",
                            name ? name : "", name ? name : "");
      return NULL;
    }
  struct plugin *p = xmalloc0 (sizeof *p);
  p->base.ops = &plugin_ops;
  p->base.name = xstrdup (name);
  p->addr = addr;
  p->timeout_ms = timeout_ms ();
  p->scope = "local";
  if (activate (p, err) < 0)
    {
      op_free (&p->base);
      berth_error_wrap (err, "error looking up volume plugin %s: legacy plugin", name);
      return NULL;
    }
  return &p->base;
}

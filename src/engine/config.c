/* berth — berthd's configuration: defaults, daemon.json with dockerd's keys
 * and dockerd's merge rules (daemon/config/config.go): nested objects are
 * flattened except the map options, an unknown key is an error, and a key
 * given both as a flag and in the file is an error.  */
#define _GNU_SOURCE
#include "engine/engine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

void
engine_config_init (struct engine_config *c)
{
  memset (c, 0, sizeof (*c));
  c->data_root = xstrdup ("/var/lib/berth");
  c->exec_root = xstrdup ("/run/berth");
  c->pidfile = xstrdup ("/run/berth/berthd.pid");
  c->config_file = xstrdup ("/etc/berth/daemon.json");
  c->group = xstrdup ("berth");
  c->log_level = xstrdup ("info");
  c->storage_driver = xstrdup ("");
  c->log_driver = xstrdup ("json-file");
  /* dockerd's name for its default runtime: what clients and inspect's
     HostConfig.Runtime expect; berth-runtime is a drop-in for runc.  */
  c->default_runtime = xstrdup ("runc");
  c->iptables = c->ip_forward = c->userland_proxy = c->ip_masq = true;
}

bool
engine_runtime_name_valid (const struct engine_config *c, const char *name)
{
  return strcmp (name, "runc") == 0 || strcmp (name, "berth") == 0
         || (c->default_runtime && strcmp (name, c->default_runtime) == 0);
}

void
engine_config_release (struct engine_config *c)
{
  char **strs[]
      = { &c->data_root, &c->exec_root,      &c->pidfile,    &c->config_file,     &c->group,
          &c->log_level, &c->storage_driver, &c->log_driver, &c->default_runtime, &c->tlscacert,
          &c->tlscert,   &c->tlskey,         &c->init_path,  &c->bridge,          &c->bip };
  char ***vecs[] = { &c->hosts,    &c->storage_opts, &c->default_ulimits,
                     &c->log_opts, &c->labels,       &c->default_address_pools };

  for (size_t i = 0; i < sizeof (strs) / sizeof (strs[0]); i++)
    {
      free (*strs[i]);
      *strs[i] = NULL;
    }
  for (size_t i = 0; i < sizeof (vecs) / sizeof (vecs[0]); i++)
    {
      strv_free (*vecs[i]);
      *vecs[i] = NULL;
    }
}

/* dockerd's flags whose config key differs (opts.NamedOption).  */
static const struct
{
  const char *flag, *key;
} named_options[] = {
  { "host", "hosts" },
  { "log-opt", "log-opts" },
  { "default-ulimit", "default-ulimits" },
  { "label", "labels" },
  { "storage-opt", "storage-opts" },
  { "registry-mirror", "registry-mirrors" },
  { "insecure-registry", "insecure-registries" },
  { "authorization-plugin", "authorization-plugins" },
  { "exec-opt", "exec-opts" },
  { "feature", "features" },
  { "default-network-opt", "default-network-opts" },
  { "dns-opt", "dns-opts" },
  { "host-gateway-ip", "host-gateway-ips" },
  { "add-runtime", "runtimes" },
  { "default-address-pool", "default-address-pools" },
  { "cdi-spec-dir", "cdi-spec-dirs" },
  { "node-generic-resource", "node-generic-resources" },
};

/* Every key dockerd 28 accepts in daemon.json: its flags' names, the named
   options above and the file-only keys (skipValidateOptions).  */
static const char *const known_keys[] = {
  "allow-direct-routing",
  "allow-nondistributable-artifacts",
  "api-cors-header",
  "authorization-plugins",
  "bip",
  "bip6",
  "bridge",
  "bridge-accept-fwmark",
  "builder",
  "cdi-spec-dirs",
  "cgroup-parent",
  "config-file",
  "containerd",
  "containerd-namespace",
  "containerd-plugins-namespace",
  "cpu-rt-period",
  "cpu-rt-runtime",
  "cri-containerd",
  "data-root",
  "debug",
  "default-address-pools",
  "default-cgroupns-mode",
  "default-gateway",
  "default-gateway-v6",
  "default-ipc-mode",
  "default-network-opts",
  "default-runtime",
  "default-shm-size",
  "default-stop-timeout",
  "default-ulimits",
  "deprecated-key-path",
  "dns",
  "dns-opts",
  "dns-search",
  "exec-opts",
  "exec-root",
  "experimental",
  "features",
  "firewall-backend",
  "fixed-cidr",
  "fixed-cidr-v6",
  "group",
  "host-gateway-ip",
  "host-gateway-ips",
  "hosts",
  "http-proxy",
  "https-proxy",
  "icc",
  "init",
  "init-path",
  "insecure-registries",
  "ip",
  "ip-forward",
  "ip-forward-no-drop",
  "ip-masq",
  "ip6tables",
  "iptables",
  "ipv6",
  "labels",
  "live-restore",
  "log-driver",
  "log-format",
  "log-level",
  "log-opts",
  "max-concurrent-downloads",
  "max-concurrent-uploads",
  "max-download-attempts",
  "metrics-addr",
  "min-api-version",
  "mtu",
  "network-control-plane-mtu",
  "network-diagnostic-port",
  "no-new-privileges",
  "no-proxy",
  "node-generic-resources",
  "nri-opts",
  "pidfile",
  "raw-logs",
  "registry-mirrors",
  "restart",
  "rootless",
  "runtimes",
  "seccomp-profile",
  "selinux-enabled",
  "shutdown-timeout",
  "storage-driver",
  "storage-opts",
  "swarm-default-advertise-addr",
  "tls",
  "tlscacert",
  "tlscert",
  "tlskey",
  "tlsverify",
  "userland-proxy",
  "userland-proxy-path",
  "userns-remap",
  "validate",
  NULL,
};

/* Map options: their objects are values, not groups to flatten.  */
static const char *const flat_options[] = {
  "cluster-store-opts",
  "default-network-opts",
  "log-opts",
  "runtimes",
  "default-ulimits",
  "features",
  "builder",
  "nri-opts",
  NULL,
};

const char *
engine_config_flag_key (const char *long_name)
{
  for (size_t i = 0; i < sizeof (named_options) / sizeof (named_options[0]); i++)
    if (strcmp (named_options[i].flag, long_name) == 0)
      return named_options[i].key;
  return long_name;
}

static bool
in_list (const char *const *list, const char *s)
{
  for (size_t i = 0; list[i]; i++)
    if (strcmp (list[i], s) == 0)
      return true;
  return false;
}

/* EINVAL (400) with dockerd's exact words.  */
#define invalid(err, ...) berth_make_error_msg ((err), EINVAL, __VA_ARGS__)

/* The document's keys in file order, objects of groups flattened one level
   (configValuesSet).  Values are borrowed from ROOT.  */
static json_object *
flatten (json_object *root)
{
  json_object *flat = json_object_new_object ();

  json_object_object_foreach (root, key, val)
  {
    if (json_object_is_type (val, json_type_object) && !in_list (flat_options, key))
      {
        json_object_object_foreach (val, k2, v2)
            json_object_object_add (flat, k2, json_object_get (v2));
        continue;
      }
    json_object_object_add (flat, key, json_object_get (val));
  }
  return flat;
}

/* A JSON value as Go's %v prints an interface{} from encoding/json.  */
static void
append_go_value (FILE *f, json_object *v)
{
  switch (json_object_get_type (v))
    {
    case json_type_string:
      fputs (json_object_get_string (v), f);
      break;
    case json_type_array:
      fputc ('[', f);
      for (size_t i = 0; i < json_object_array_length (v); i++)
        {
          if (i)
            fputc (' ', f);
          append_go_value (f, json_object_array_get_idx (v, i));
        }
      fputc (']', f);
      break;
    case json_type_object:
      {
        bool first = true;
        fputs ("map[", f);
        json_object_object_foreach (v, k, val)
        {
          fprintf (f, "%s%s:", first ? "" : " ", k);
          append_go_value (f, val);
          first = false;
        }
        fputc (']', f);
        break;
      }
    case json_type_null:
      fputs ("<nil>", f);
      break;
    default:
      fputs (json_object_to_json_string_ext (v, JSON_C_TO_STRING_PLAIN), f);
    }
}

static char *
go_value (json_object *v)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);
  if (f == NULL)
    abort ();
  append_go_value (f, v);
  fclose (f);
  return buf;
}

/* findConfigurationConflicts: unknown keys first, then flag/file clashes.  */
static int
check_keys (json_object *flat, char *const *flags_given, char *const *flag_values,
            berth_error_t *err)
{
  cleanup_free char *unknown = NULL;
  cleanup_free char *conflicts = NULL;

  json_object_object_foreach (flat, key, val)
  {
    (void) val;
    if (in_list (known_keys, key))
      continue;
    char *u = unknown ? xasprintf ("%s, %s", unknown, key) : xstrdup (key);
    free (unknown);
    unknown = u;
  }
  if (unknown)
    return invalid (err, "the following directives don't match any configuration option: %s",
                    unknown);

  for (size_t i = 0; flags_given && flags_given[i]; i++)
    {
      const char *fkey = engine_config_flag_key (flags_given[i]);
      json_object *v = NULL;
      if (strcmp (fkey, "runtimes") == 0 || !json_object_object_get_ex (flat, fkey, &v))
        continue;
      cleanup_free char *fv = go_value (v);
      const char *flagv = flag_values && flag_values[i] ? flag_values[i] : "";
      char *c = xasprintf ("%s%s%s: (from flag: %s, from file: %s)", conflicts ? conflicts : "",
                           conflicts ? ", " : "", fkey, flagv, fv);
      free (conflicts);
      conflicts = c;
    }
  if (conflicts)
    return invalid (err,
                    "the following directives are specified both as a flag and in the "
                    "configuration file: %s",
                    conflicts);
  return 0;
}

static int
set_string (json_object *flat, const char *key, char **dst, berth_error_t *err)
{
  char *v = NULL;
  int r = bjson_get_string (flat, "", key, &v, err);
  if (r <= 0)
    return r;
  free (*dst);
  *dst = v;
  return 0;
}

static int
set_strv (json_object *flat, const char *key, char ***dst, berth_error_t *err)
{
  char **v = NULL;
  int r = bjson_get_strv (flat, "", key, &v, err);
  if (r <= 0)
    return r;
  strv_free (*dst);
  *dst = v;
  return 0;
}

/* "log-opts": {"max-size": "10m"} -> "max-size=10m".  */
static int
set_string_map (json_object *flat, const char *key, char ***dst, berth_error_t *err)
{
  cleanup_strv char **keys = NULL;
  cleanup_strv char **values = NULL;
  int r = bjson_get_string_map (flat, "", key, &keys, &values, err);
  if (r <= 0)
    return r;
  strv_free (*dst);
  *dst = xmalloc0 (sizeof (char *));
  for (size_t i = 0; keys[i]; i++)
    {
      cleanup_free char *kv = xasprintf ("%s=%s", keys[i], values[i]);
      *dst = strv_append (*dst, kv);
    }
  return 0;
}

/* "default-ulimits": {"nofile": {"Name": "nofile", "Soft": 1024, "Hard": 2048}}
   -> "nofile=1024:2048", the flag's form.  */
static int
set_ulimits (json_object *flat, char ***dst, berth_error_t *err)
{
  json_object *m = NULL;
  int r = bjson_get_object (flat, "", "default-ulimits", &m, err);
  if (r <= 0)
    return r;
  strv_free (*dst);
  *dst = xmalloc0 (sizeof (char *));
  json_object_object_foreach (m, name, val)
  {
    cleanup_free char *path = bjson_path_key ("default-ulimits", name);
    int64_t soft = 0, hard = 0;
    if (!json_object_is_type (val, json_type_object))
      return invalid (err, "invalid JSON: `%s`: expected an object", path);
    if (bjson_get_int64 (val, path, "Soft", &soft, err) < 0
        || bjson_get_int64 (val, path, "Hard", &hard, err) < 0)
      return -EINVAL;
    cleanup_free char *s = xasprintf ("%s=%lld:%lld", name, (long long) soft, (long long) hard);
    *dst = strv_append (*dst, s);
  }
  return 0;
}

/* "default-address-pools": [{"base": "10.10.0.0/16", "size": 24}] ->
   "base=10.10.0.0/16,size=24", the flag's form.  */
static int
set_pools (json_object *flat, char ***dst, berth_error_t *err)
{
  json_object *a = NULL;
  int r = bjson_get_array (flat, "", "default-address-pools", &a, err);
  if (r <= 0)
    return r;
  strv_free (*dst);
  *dst = xmalloc0 (sizeof (char *));
  for (size_t i = 0; i < json_object_array_length (a); i++)
    {
      cleanup_free char *path = bjson_path_index ("default-address-pools", i);
      cleanup_free char *base = NULL;
      uint32_t size = 0;
      json_object *p = json_object_array_get_idx (a, i);
      if (!json_object_is_type (p, json_type_object))
        return invalid (err, "invalid JSON: `%s`: expected an object", path);
      if (bjson_get_string (p, path, "base", &base, err) < 0
          || bjson_get_uint32 (p, path, "size", &size, err) < 0)
        return -EINVAL;
      cleanup_free char *s = xasprintf ("base=%s,size=%u", base ? base : "", size);
      *dst = strv_append (*dst, s);
    }
  return 0;
}

char *
engine_config_pools_json (const struct engine_config *c, berth_error_t *err)
{
  json_object *a;
  char *out;

  if (c->default_address_pools == NULL || c->default_address_pools[0] == NULL)
    return NULL;
  a = json_object_new_array ();
  for (char **p = c->default_address_pools; *p; p++)
    {
      cleanup_strv char **kv = strv_split (*p, ',');
      json_object *o = json_object_new_object ();
      json_object_array_add (a, o);
      for (char **f = kv; f && *f; f++)
        {
          if (str_has_prefix (*f, "base="))
            json_object_object_add (o, "base", json_object_new_string (*f + 5));
          else if (str_has_prefix (*f, "size="))
            json_object_object_add (o, "size", json_object_new_int (atoi (*f + 5)));
          else
            {
              json_object_put (a);
              berth_make_error_msg (err, EINVAL, "invalid field key: %s", *f);
              return NULL;
            }
        }
    }
  out = xstrdup (bjson_to_string (a));
  json_object_put (a);
  return out;
}

static int
apply (struct engine_config *c, json_object *flat, berth_error_t *err)
{
  const struct
  {
    const char *key;
    char **dst;
  } strings[] = {
    { "data-root", &c->data_root },   { "exec-root", &c->exec_root },
    { "pidfile", &c->pidfile },       { "group", &c->group },
    { "log-level", &c->log_level },   { "storage-driver", &c->storage_driver },
    { "log-driver", &c->log_driver }, { "default-runtime", &c->default_runtime },
    { "init-path", &c->init_path },   { "tlscacert", &c->tlscacert },
    { "tlscert", &c->tlscert },       { "tlskey", &c->tlskey },
    { "bridge", &c->bridge },         { "bip", &c->bip },
  };
  const struct
  {
    const char *key;
    bool *dst;
  } bools[] = {
    { "debug", &c->debug },
    { "live-restore", &c->live_restore },
    { "experimental", &c->experimental },
    { "tls", &c->tls },
    { "tlsverify", &c->tlsverify },
    { "iptables", &c->iptables },
    { "ip-forward", &c->ip_forward },
    { "userland-proxy", &c->userland_proxy },
    { "ip-masq", &c->ip_masq },
  };

  for (size_t i = 0; i < sizeof (strings) / sizeof (strings[0]); i++)
    if (set_string (flat, strings[i].key, strings[i].dst, err) < 0)
      return -EINVAL;
  for (size_t i = 0; i < sizeof (bools) / sizeof (bools[0]); i++)
    if (bjson_get_bool (flat, "", bools[i].key, bools[i].dst, err) < 0)
      return -EINVAL;
  if (set_strv (flat, "hosts", &c->hosts, err) < 0
      || set_strv (flat, "storage-opts", &c->storage_opts, err) < 0
      || set_strv (flat, "labels", &c->labels, err) < 0
      || set_string_map (flat, "log-opts", &c->log_opts, err) < 0
      || set_ulimits (flat, &c->default_ulimits, err) < 0
      || bjson_get_uint32 (flat, "", "mtu", &c->mtu, err) < 0
      || set_pools (flat, &c->default_address_pools, err) < 0)
    return -EINVAL;
  return 0;
}

int
engine_config_merge_json (struct engine_config *c, const char *text, size_t len,
                          char *const *flags_given, char *const *flag_values, berth_error_t *err)
{
  json_object *root = NULL, *flat = NULL;
  size_t start = 0;
  int r;

  /* A UTF-8 byte order mark is allowed, as dockerd allows it.  */
  if (len >= 3 && memcmp (text, "\xef\xbb\xbf", 3) == 0)
    start = 3;
  while (start < len && strchr (" \t\r\n", text[start]))
    start++;
  if (start == len)
    return 0; /* an empty file configures nothing */
  root = bjson_parse (text + start, len - start, "daemon.json", err);
  if (root == NULL)
    return berth_error_wrap (err, "invalid JSON");
  if (!json_object_is_type (root, json_type_object))
    {
      json_object_put (root);
      return invalid (err, "invalid JSON: the configuration must be a JSON object");
    }
  flat = flatten (root);
  r = check_keys (flat, flags_given, flag_values, err);
  if (r == 0)
    r = apply (c, flat, err);
  if (r < 0 && *err && strncmp ((*err)->msg, "invalid JSON", 12) != 0
      && strncmp ((*err)->msg, "the following", 13) != 0)
    berth_error_wrap (err, "invalid JSON");
  json_object_put (flat);
  json_object_put (root);
  return r;
}

int
engine_config_merge_file (struct engine_config *c, const char *path, char *const *flags_given,
                          char *const *flag_values, berth_error_t *err)
{
  cleanup_free char *text = NULL;
  size_t len = 0;

  text = fs_read_file (path, &len, err);
  if (text == NULL)
    return -berth_error_status (*err) ? -berth_error_status (*err) : -EIO;
  return engine_config_merge_json (c, text, len, flags_given, flag_values, err);
}

static int
validate_ulimit (const char *u, berth_error_t *err)
{
  const char *eq = strchr (u, '=');
  char *end = NULL;

  if (eq == NULL || eq == u)
    return invalid (err, "invalid ulimit argument: %s", u);
  strtoll (eq + 1, &end, 10);
  if (end == eq + 1 || (*end != '\0' && *end != ':'))
    return invalid (err, "invalid ulimit argument: %s", u);
  if (*end == ':')
    {
      const char *h = end + 1;
      strtoll (h, &end, 10);
      if (end == h || *end != '\0')
        return invalid (err, "invalid ulimit argument: %s", u);
    }
  return 0;
}

int
engine_config_validate (const struct engine_config *c, berth_error_t *err)
{
  static const char *const levels[] = { "debug", "info", "warn", "error", "fatal", "panic", NULL };

  if (c->log_level && !in_list (levels, c->log_level))
    return invalid (err, "unable to configure the Docker daemon: invalid log level: %s",
                    c->log_level);
  for (size_t i = 0; c->hosts && c->hosts[i]; i++)
    {
      const char *h = c->hosts[i];
      if (h[0] == '\0' || str_has_prefix (h, "unix://") || str_has_prefix (h, "tcp://")
          || str_has_prefix (h, "fd://"))
        continue;
      return invalid (
          err, "invalid argument \"%s\" for \"-H, --host\" flag: Invalid bind address format: %s",
          h, h);
    }
  for (size_t i = 0; c->default_ulimits && c->default_ulimits[i]; i++)
    if (validate_ulimit (c->default_ulimits[i], err) < 0)
      return -EINVAL;
  return 0;
}

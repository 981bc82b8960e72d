/* berth — /etc/hostname, /etc/hosts and /etc/resolv.conf of a container,
 * written under <data-root>/containers/<id>/ and bound over the image's
 * (libnetwork's sandbox_dns_unix.go and etchosts):
 *   hosts        localhost lines, --add-host (host-gateway: the default
 *                bridge's gateway), legacy links, then the container's own
 *                addresses with its hostname; --network host: the host's
 *                file and --add-host
 *   resolv.conf  the host's (systemd-resolved's upstream file behind its
 *                stub), without loopback nameservers when the container
 *                has a namespace of its own; on a user network the
 *                embedded server 127.0.0.11 with ndots:0; --dns,
 *                --dns-search, --dns-option replace their lines
 *   container:<id> shares the other container's three files (copied).  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/container-internal.h"
#include "engine/engine.h"
#include "network/store.h"

static const char hosts_default[] = "127.0.0.1\tlocalhost\n"
                                    "::1\tlocalhost ip6-localhost ip6-loopback\n"
                                    "fe00::0\tip6-localnet\n"
                                    "ff00::0\tip6-mcastprefix\n"
                                    "ff02::1\tip6-allnodes\n"
                                    "ff02::2\tip6-allrouters\n";

static char **
get_strv (json_object *o, const char *key)
{
  char **v = NULL;
  berth_error_t err = NULL;
  if (bjson_get_strv (o, "", key, &v, &err) < 0)
    berth_error_release (&err);
  return v;
}

static char *
read_text (const char *path)
{
  berth_error_t err = NULL;
  char *t = fs_read_file_at (AT_FDCWD, path, NULL, &err);
  berth_error_release (&err);
  return t;
}

/* The host's resolv.conf; with systemd-resolved's stub (127.0.0.53) the
   upstream servers are in /run/systemd/resolve/resolv.conf, as dockerd
   finds them.  OWN_NETNS: loopback nameservers dropped.  */
static char *
host_resolv_conf (bool own_netns)
{
  cleanup_free char *text = read_text ("/etc/resolv.conf");
  char *out;

  if (!own_netns)
    return text ? steal_pointer (&text) : xstrdup ("");
  out = engine_resolv_conf_filter (text ? text : "");
  if (text && strstr (text, "nameserver") && !strstr (out, "nameserver"))
    {
      cleanup_free char *up = read_text ("/run/systemd/resolve/resolv.conf");
      if (up)
        {
          free (out);
          out = engine_resolv_conf_filter (up);
        }
    }
  return out;
}

static bool
line_is (const char *line, const char *word)
{
  size_t n = strlen (word);
  while (*line == ' ' || *line == '\t')
    line++;
  return strncmp (line, word, n) == 0 && (line[n] == ' ' || line[n] == '\t');
}

/* resolv.conf from BASE with the user's overrides; INTERNAL: the embedded
   server replaces the nameservers (dockerd keeps the others upstream).  */
static char *
resolv_conf (const char *base, const struct container *c, bool internal)
{
  cleanup_strv char **lines = strv_split (base, '\n');
  cleanup_strv char **dns = get_strv (c->host_config, "Dns");
  cleanup_strv char **search = get_strv (c->host_config, "DnsSearch");
  cleanup_strv char **opts = get_strv (c->host_config, "DnsOptions");
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&out, &len);
  bool any_ns = false, ndots = false;

  for (size_t i = 0; lines && lines[i]; i++)
    {
      bool ns = line_is (lines[i], "nameserver");
      if ((ns && (dns || internal)) || (line_is (lines[i], "search") && search)
          || (line_is (lines[i], "options") && opts) || (lines[i][0] == '\0' && !lines[i + 1]))
        continue;
      any_ns |= ns;
      ndots |= line_is (lines[i], "options") && strstr (lines[i], "ndots:");
      fprintf (f, "%s\n", lines[i]);
    }
  if (internal)
    fputs ("nameserver 127.0.0.11\n", f);
  for (size_t i = 0; !internal && dns && dns[i]; i++)
    fprintf (f, "nameserver %s\n", dns[i]), any_ns = true;
  /* dockerd's fallback when no nameserver is left.  */
  if (!internal && !any_ns)
    fputs ("nameserver 8.8.8.8\nnameserver 8.8.4.4\n", f);
  if (search && search[0] && strcmp (search[0], ".") != 0)
    {
      fputs ("search", f);
      for (size_t i = 0; search[i]; i++)
        fprintf (f, " %s", search[i]);
      fputc ('\n', f);
    }
  if (opts && opts[0])
    {
      fputs ("options", f);
      for (size_t i = 0; opts[i]; i++)
        fprintf (f, " %s", opts[i]), ndots |= str_has_prefix (opts[i], "ndots:");
      fputc ('\n', f);
    }
  if (internal && !ndots)
    fputs ("options ndots:0\n", f);
  fclose (f);
  return out;
}

/* The gateway of the default bridge, for host-gateway.  */
static char *
bridge_gateway (struct engine_containers *cs)
{
  struct net_store *s = engine_get_networks (cs->engine);
  berth_error_t err = NULL;
  cleanup_free char *id = NULL;
  json_object *o = NULL, *cfg = NULL;
  char *gw = NULL;

  if (s && net_store_find (s, "bridge", &id, &err) == 0
      && (o = net_store_inspect (s, id, false, &err)) != NULL)
    {
      cfg = bjson_field (bjson_field (o, "IPAM"), "Config");
      if (cfg && json_object_is_type (cfg, json_type_array) && json_object_array_length (cfg) > 0)
        {
          const char *g = bjson_field_str (json_object_array_get_idx (cfg, 0), "Gateway");
          gw = g && g[0] ? xstrdup (g) : NULL;
        }
    }
  berth_error_release (&err);
  json_object_put (o);
  return gw;
}

/* --add-host NAME:IP (API: "name:ip"; the CLI 28 may send "name=ip").  */
static void
extra_hosts (struct engine_containers *cs, const struct container *c, FILE *f)
{
  cleanup_strv char **hosts = get_strv (c->host_config, "ExtraHosts");
  cleanup_free char *gw = NULL;

  for (size_t i = 0; hosts && hosts[i]; i++)
    {
      char *sep = strchr (hosts[i], '=');
      const char *ip;
      if (sep == NULL)
        sep = strchr (hosts[i], ':');
      if (sep == NULL)
        continue;
      *sep = '\0';
      ip = sep + 1;
      if (strcmp (ip, "host-gateway") == 0)
        {
          if (gw == NULL && (gw = bridge_gateway (cs)) == NULL)
            continue;
          ip = gw;
        }
      if (ip[0] == '[' && ip[strlen (ip) - 1] == ']')
        {
          ((char *) ip)[strlen (ip) - 1] = '\0';
          ip++;
        }
      fprintf (f, "%s\t%s\n", ip, hosts[i]);
    }
}

/* Legacy links on the default bridge: "IP\talias name" of each running
   linked container (HostConfig.Links: "/name:/me/alias").  */
static void
links (struct engine_containers *cs, const struct container *c, FILE *f)
{
  cleanup_strv char **ls = get_strv (c->host_config, "Links");
  for (size_t i = 0; ls && ls[i]; i++)
    {
      char *colon = strchr (ls[i], ':');
      const char *alias = colon ? strrchr (colon + 1, '/') : NULL;
      berth_error_t err = NULL;
      struct container *o;
      if (colon)
        *colon = '\0';
      o = container_find (cs, ls[i][0] == '/' ? ls[i] + 1 : ls[i], &err);
      berth_error_release (&err);
      const char *ip
          = o ? bjson_field_str (bjson_field (container_net_networks (o), "bridge"), "IPAddress")
              : NULL;
      if (ip == NULL || ip[0] == '\0')
        continue;
      alias = alias ? alias + 1 : o->name;
      if (strcmp (alias, o->name) == 0)
        fprintf (f, "%s\t%s\n", ip, o->name);
      else
        fprintf (f, "%s\t%s %s\n", ip, alias, o->name);
    }
}

static char *
hosts_text (struct engine_containers *cs, const struct container *c)
{
  const char *mode = container_net_mode (c);
  const char *host = bjson_field_str (c->config, "Hostname");
  const char *domain = bjson_field_str (c->config, "Domainname");
  cleanup_free char *fqdn = NULL;
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&out, &len);

  if (strcmp (mode, "host") == 0)
    {
      cleanup_free char *t = read_text ("/etc/hosts");
      fputs (t ? t : hosts_default, f);
      if (t && t[0] && t[strlen (t) - 1] != '\n')
        fputc ('\n', f);
    }
  else
    fputs (hosts_default, f);
  extra_hosts (cs, c, f);
  links (cs, c, f);
  host = host ? host : "";
  fqdn = domain && domain[0] ? xasprintf ("%s.%s %s", host, domain, host) : xstrdup (host);
  json_object_object_foreach (container_net_networks (c), name, ep)
  {
    const char *ip = bjson_field_str (ep, "IPAddress");
    (void) name;
    if (ip && ip[0] && host[0])
      fprintf (f, "%s\t%s\n", ip, fqdn);
  }
  fclose (f);
  return out;
}

/* On a user network (joined, not the default bridge): the embedded DNS
   server answers.  */
static bool
on_user_network (const struct container *c)
{
  json_object_object_foreach (container_net_networks (c), name, ep)
  {
    const char *ip = bjson_field_str (ep, "IPAddress");
    if (strcmp (name, "bridge") != 0 && strcmp (name, "none") != 0 && strcmp (name, "host") != 0
        && ip && ip[0])
      return true;
  }
  return false;
}

static int
copy_file (const char *from, const char *to, berth_error_t *err)
{
  size_t len = 0;
  cleanup_free char *t = fs_read_file_at (AT_FDCWD, from, &len, err);
  if (t == NULL)
    return -1;
  return fs_write_file_atomic (to, t, len, 0644, err);
}

int
container_net_etc_write (struct engine_containers *cs, struct container *c, struct container *owner,
                         berth_error_t *err)
{
  static const char *const names[] = { "hostname", "hosts", "resolv.conf" };
  cleanup_free char *dir = xasprintf ("%s/%s", cs->data_dir, c->id);
  cleanup_free char *p = NULL, *hostname = NULL, *hosts = NULL, *base = NULL, *resolv = NULL;
  const char *host = bjson_field_str (c->config, "Hostname");
  const char *mode = container_net_mode (c);

  if (owner)
    {
      for (size_t i = 0; i < 3; i++)
        {
          cleanup_free char *from = xasprintf ("%s/%s/%s", cs->data_dir, owner->id, names[i]);
          cleanup_free char *to = xasprintf ("%s/%s", dir, names[i]);
          if (copy_file (from, to, err) < 0)
            return -1;
        }
      return 0;
    }
  hostname = xasprintf ("%s\n", host ? host : "");
  hosts = hosts_text (cs, c);
  base = host_resolv_conf (strcmp (mode, "host") != 0);
  resolv = resolv_conf (base, c, on_user_network (c));
  p = xasprintf ("%s/hostname", dir);
  if (fs_write_file_atomic (p, hostname, strlen (hostname), 0644, err) < 0)
    return -1;
  free (p);
  p = xasprintf ("%s/hosts", dir);
  if (fs_write_file_atomic (p, hosts, strlen (hosts), 0644, err) < 0)
    return -1;
  free (p);
  p = xasprintf ("%s/resolv.conf", dir);
  return fs_write_file_atomic (p, resolv, strlen (resolv), 0644, err);
}

void
container_net_etc_hosts_update (struct engine_containers *cs, struct container *c)
{
  cleanup_free char *p = xasprintf ("%s/%s/hosts", cs->data_dir, c->id);
  cleanup_free char *text = hosts_text (cs, c);
  cleanup_close int fd = -1;

  /* In place: the running container has this inode bound at /etc/hosts,
     a rename would not reach it.  */
  fd = open (p, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 || fs_write_all (fd, text, strlen (text)) < 0)
    log_warning ("update `%s`: %s", p, strerror (errno));
}

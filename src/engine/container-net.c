/* berth — a container on its networks (dockerd's container_operations.go
 * over libnetwork's sandbox): the network namespace made at start, the
 * endpoints joined through the network store (src/network/store.h), the
 * NetworkSettings persisted in config.v2.json, connect and disconnect.
 *
 * The namespace is berthd's: a short-lived thread unshares CLONE_NEWNET
 * and bind-mounts /proc/thread-self/ns/net on <exec-root>/netns/<id>
 * (~0.3 ms here, so no pool), the runtime joins it by path.  At the exit
 * the endpoints are left and the mount dropped: the kernel then destroys
 * the namespace, and the veths in it, off berthd's path.
 *
 * c->net is dockerd's NetworkSettings as the record keeps it: Networks
 * (name -> EndpointSettings, NetworkID filled at create), Ports,
 * SandboxID, SandboxKey.  The legacy top-level fields of inspect are
 * derived (container-net-view.c).  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/container-config.h"
#include "engine/container-internal.h"
#include "engine/engine.h"
#include "network/dns.h"
#include "network/store.h"

const char *
container_net_mode (const struct container *c)
{
  const char *m = bjson_field_str (c->host_config, "NetworkMode");
  if (m == NULL || m[0] == '\0' || strcmp (m, "default") == 0)
    return "bridge";
  return m;
}

static bool
mode_has_netns (const char *mode)
{
  return strcmp (mode, "host") != 0 && !str_has_prefix (mode, "container:");
}

json_object *
container_net_networks (const struct container *c)
{
  json_object *n = bjson_field (c->net, "Networks");
  return n && json_object_is_type (n, json_type_object) ? n : NULL;
}

/* An EndpointSettings as dockerd shows it, the configured part copied
   from CONF (may be NULL).  */
static json_object *
endpoint_new (json_object *conf, const char *network_id)
{
  static const char *const cfg_keys[]
      = { "IPAMConfig", "Links", "Aliases", "DriverOpts", "GwPriority", NULL };
  json_object *o = json_object_new_object ();
  for (size_t i = 0; cfg_keys[i]; i++)
    {
      json_object *v = bjson_field (conf, cfg_keys[i]);
      if (strcmp (cfg_keys[i], "GwPriority") == 0)
        json_object_object_add (o, cfg_keys[i], v ? json_object_get (v) : json_object_new_int (0));
      else
        json_object_object_add (o, cfg_keys[i], v ? json_object_get (v) : NULL);
    }
  json_object *mac = bjson_field (conf, "MacAddress");
  json_object_object_add (o, "MacAddress",
                          mac ? json_object_get (mac) : json_object_new_string (""));
  json_object_object_add (o, "NetworkID", json_object_new_string (network_id ? network_id : ""));
  const char *empty[]
      = { "EndpointID", "Gateway", "IPAddress", "IPv6Gateway", "GlobalIPv6Address", NULL };
  for (size_t i = 0; empty[i]; i++)
    json_object_object_add (o, empty[i], json_object_new_string (""));
  json_object_object_add (o, "IPPrefixLen", json_object_new_int (0));
  json_object_object_add (o, "GlobalIPv6PrefixLen", json_object_new_int (0));
  json_object_object_add (o, "DNSNames", NULL);
  return o;
}

/* The name and ID of network NAME_OR_ID: ENOENT "network X not found".  */
static int
network_resolve (struct net_store *s, const char *name_or_id, char **name, char **id,
                 berth_error_t *err)
{
  json_object *o;
  if (s == NULL)
    return berth_make_error_msg (err, ENOENT, "network %s not found", name_or_id);
  if (net_store_find (s, name_or_id, id, err) < 0)
    return -1;
  if ((o = net_store_inspect (s, *id, false, err)) == NULL)
    {
      free (*id);
      *id = NULL;
      return -1;
    }
  *name = xstrdup (bjson_field_str (o, "Name") ? bjson_field_str (o, "Name") : name_or_id);
  json_object_put (o);
  return 0;
}

static struct net_store *
store_of (struct engine_containers *cs)
{
  return engine_get_networks (cs->engine);
}

/* Networks of a new container: NetworkMode's network first, then the
   other EndpointsConfig entries (dockerd's order of eth0, eth1, ...).  */
static int
networks_of_request (struct engine_containers *cs, const char *mode, json_object *eps,
                     json_object *out, berth_error_t *err)
{
  struct net_store *s = store_of (cs);
  cleanup_free char *name = NULL, *id = NULL;
  const char *bridge = engine_get_config (cs->engine)->bridge;

  /* dockerd with --bridge=none: a container of the default network gets
     no network (NetworkDisabled), only its loopback.  */
  if (strcmp (mode, "bridge") == 0 && bridge && strcmp (bridge, "none") == 0)
    return 0;
  if (network_resolve (s, mode, &name, &id, err) < 0)
    return -1;
  /* The CLI names the default network "default".  */
  json_object *conf = bjson_field (eps, mode) ? bjson_field (eps, mode) : bjson_field (eps, name);
  if (conf == NULL && strcmp (name, "bridge") == 0)
    conf = bjson_field (eps, "default");
  json_object_object_add (out, name, endpoint_new (conf, id));
  if (eps == NULL || !json_object_is_type (eps, json_type_object))
    return 0;
  json_object_object_foreach (eps, key, val)
  {
    cleanup_free char *n2 = NULL, *id2 = NULL;
    if (strcmp (key, mode) == 0 || strcmp (key, name) == 0 || strcmp (key, "default") == 0)
      continue;
    if (strcmp (mode, "none") == 0 || strcmp (mode, "host") == 0)
      return berth_make_error_msg (
          err, EINVAL, "Container cannot be connected to network endpoints: %s, %s", mode, key);
    if (network_resolve (s, key, &n2, &id2, err) < 0)
      return -1;
    json_object_object_add (out, n2, endpoint_new (val, id2));
  }
  return 0;
}

int
container_net_create (struct engine_containers *cs, struct container *c,
                      json_object *networking_config, berth_error_t *err)
{
  const char *mode = container_net_mode (c);
  json_object *nets = json_object_new_object ();
  json_object *eps = bjson_field (networking_config, "EndpointsConfig");

  /* dockerd 28 shows "bridge" where the request said "" or "default".  */
  const char *given = bjson_field_str (c->host_config, "NetworkMode");
  if (c->host_config && (given == NULL || strcmp (given, "bridge") != 0)
      && strcmp (mode, "bridge") == 0)
    json_object_object_add (c->host_config, "NetworkMode", json_object_new_string ("bridge"));

  /* container:<x> is resolved at start, as dockerd (a 404 here would make
     the CLI pull the image).  */
  if (str_has_prefix (mode, "container:"))
    {
      json_object *pb = bjson_field (c->host_config, "PortBindings"),
                  *pa = bjson_field (c->host_config, "PublishAllPorts");
      if ((pb && json_object_is_type (pb, json_type_object) && json_object_object_length (pb) > 0)
          || (pa && json_object_get_boolean (pa)))
        {
          berth_make_error_msg (err, EINVAL,
                                "conflicting options: port publishing and the container type "
                                "network mode");
          goto fail;
        }
    }
  else if (networks_of_request (cs, mode, eps, nets, err) < 0)
    {
      /* Not a 404 at create: the CLI would take it for a missing image
         and pull.  */
      if (berth_error_status (*err) == ENOENT)
        (*err)->status = EINVAL;
      goto fail;
    }
  /* --network host: the host's name, as dockerd sets it at create.  */
  if (strcmp (mode, "host") == 0 && c->config)
    {
      char host[256] = "";
      const char *hn = bjson_field_str (c->config, "Hostname");
      if (gethostname (host, sizeof host - 1) == 0 && host[0]
          && (hn == NULL || strncmp (hn, c->id, 12) == 0))
        json_object_object_add (c->config, "Hostname", json_object_new_string (host));
    }
  json_object_put (c->net);
  c->net = json_object_new_object ();
  json_object_object_add (c->net, "Networks", nets);
  json_object_object_add (c->net, "Ports", json_object_new_object ());
  json_object_object_add (c->net, "SandboxID", json_object_new_string (""));
  json_object_object_add (c->net, "SandboxKey", json_object_new_string (""));
  return 0;
fail:
  json_object_put (nets);
  return -1;
}

/* ---- the namespace ---- */

char *
container_net_netns_path (struct engine_containers *cs, const struct container *c)
{
  return xasprintf ("%s/netns/%s", engine_get_config (cs->engine)->exec_root, c->id);
}

struct mkns
{
  const char *path;
  int err;
};

/* In its own thread: setns/unshare touch the calling thread only, and
   this one ends right after.  lo comes up here, where no netlink socket
   is needed (--network none has nothing else).  */
static void *
mkns_thread (void *arg)
{
  struct mkns *m = arg;
  struct ifreq ifr = { 0 };
  int fd;

  if (unshare (CLONE_NEWNET) < 0)
    return m->err = errno, NULL;
  if (mount ("/proc/thread-self/ns/net", m->path, NULL, MS_BIND, NULL) < 0)
    return m->err = errno, NULL;
  fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  strcpy (ifr.ifr_name, "lo");
  if (fd < 0 || ioctl (fd, SIOCGIFFLAGS, &ifr) < 0)
    m->err = errno;
  else
    {
      ifr.ifr_flags |= IFF_UP;
      if (ioctl (fd, SIOCSIFFLAGS, &ifr) < 0)
        m->err = errno;
    }
  if (fd >= 0)
    close (fd);
  return NULL;
}

static void
netns_remove (const char *path)
{
  if (umount2 (path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
    log_warning ("unmount network namespace `%s`: %s", path, strerror (errno));
  if (unlink (path) < 0 && errno != ENOENT)
    log_warning ("remove `%s`: %s", path, strerror (errno));
}

static int
netns_create (const char *path, berth_error_t *err)
{
  cleanup_free char *dir = fs_dirname (path);
  struct mkns m = { .path = path };
  pthread_t t;
  int fd, r;

  if (fs_mkdir_p (dir, 0700, err) < 0)
    return -1;
  netns_remove (path); /* a crash's leftover */
  fd = open (path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
  if (fd < 0)
    return berth_make_error (err, errno, "create `%s`", path);
  close (fd);
  if ((r = pthread_create (&t, NULL, mkns_thread, &m)) != 0)
    m.err = r;
  else
    pthread_join (t, NULL);
  if (m.err != 0)
    {
      netns_remove (path);
      return berth_make_error (err, m.err, "create network namespace `%s`", path);
    }
  return 0;
}

/* ---- the embedded DNS server (network/dns.h) ---- */

static size_t
dns_resolve (void *data, const char *container_id, const char *name, uint32_t *out, size_t max)
{
  /* Network order, and only addresses of the asker's own networks.  */
  return net_store_dns_resolve (data, container_id, name, out, max);
}

static bool
dns_reverse (void *data, const char *container_id, uint32_t addr, char *out, size_t outlen)
{
  return net_store_resolve_ip (data, container_id, addr, out, outlen);
}

/* No network of C (joined) gives a way out: dockerd's
   !Sandbox.hasExternalAccess, whose resolver then never forwards.  */
static bool
no_external_access (struct engine_containers *cs, const struct container *c)
{
  json_object_object_foreach (container_net_networks (c), name, ep)
  {
    const char *nid = bjson_field_str (ep, "NetworkID"), *e = bjson_field_str (ep, "EndpointID");
    (void) name;
    if (nid && nid[0] && e && e[0] && net_store_network_has_gateway (store_of (cs), nid))
      return false;
  }
  return true;
}

void
container_net_dns_free (struct engine_containers *cs)
{
  /* Let the teardown threads (namespace unmounts) finish before the
     daemon goes.  */
  for (int i = 0; i < 5000 && __atomic_load_n (&cs->net_jobs, __ATOMIC_ACQUIRE) > 0; i++)
    usleep (1000);
  net_dns_free (cs->dns);
  cs->dns = NULL;
}

/* Whether C has an endpoint on a user network: dockerd serves names
   there only.  */
static bool
on_user_network (const struct container *c)
{
  json_object_object_foreach (container_net_networks (c), name, ep)
  {
    const char *e = bjson_field_str (ep, "EndpointID");
    if (strcmp (name, "bridge") != 0 && strcmp (name, "none") != 0 && strcmp (name, "host") != 0
        && e && e[0])
      return true;
  }
  return false;
}

/* Serve C's names in NETNS_FD when it is on a user network; its --dns
   servers are the upstreams.  Lock held.  */
static int
dns_attach (struct engine_containers *cs, struct container *c, int netns_fd, berth_error_t *err)
{
  cleanup_strv char **dns = NULL;
  struct net_dns_attach_opts o = { 0 };

  if (!on_user_network (c) || store_of (cs) == NULL)
    return 0;
  if (cs->dns == NULL)
    {
      if ((cs->dns = net_dns_new (dns_resolve, store_of (cs), NULL, err)) == NULL)
        return -1;
      net_dns_set_reverse (cs->dns, dns_reverse);
    }
  if (bjson_get_strv (c->host_config, "HostConfig", "Dns", &dns, err) < 0)
    return -1;
  o.upstreams = dns && dns[0] ? dns : NULL;
  o.no_forward = no_external_access (cs, c);
  return net_dns_attach_opts (cs->dns, c->id, netns_fd, &o, err);
}

/* ---- endpoints ---- */

/* Keys of an EndpointSettings that berth keeps for itself (the configured
   MAC); never shown.  */
#define EP_CONFIG_MAC "_ConfigMac"

/* Join the network of entry EP as IFNAME; FIRST gets the published ports
   (dockerd publishes them on the sandbox's first endpoint).  */
static int
join_one (struct engine_containers *cs, struct container *c, json_object *ep, int netns_fd,
          const char *ifname, bool first, bool no_route, berth_error_t *err)
{
  struct net_store *s = store_of (cs);
  json_object *settings = NULL, *ports = NULL, *ipam = bjson_field (ep, "IPAMConfig");
  cleanup_strv char **aliases = NULL;
  const char *mac = bjson_field_str (ep, EP_CONFIG_MAC);
  bool publish_all = false;
  json_object *pa = bjson_field (c->host_config, "PublishAllPorts");

  if (mac == NULL)
    {
      mac = bjson_field_str (ep, "MacAddress");
      /* API < 1.44: --mac-address was Config.MacAddress.  */
      if ((mac == NULL || mac[0] == '\0') && first)
        mac = bjson_field_str (c->config, "MacAddress");
      json_object_object_add (ep, EP_CONFIG_MAC, json_object_new_string (mac ? mac : ""));
      mac = bjson_field_str (ep, EP_CONFIG_MAC);
    }
  if (bjson_get_strv (ep, "EndpointSettings", "Aliases", &aliases, err) < 0)
    return -1;
  publish_all = pa && json_object_get_boolean (pa);
  const char *ip = bjson_field_str (ipam, "IPv4Address");
  struct net_join_request req = {
    .network_id = bjson_field_str (ep, "NetworkID"),
    .container_id = c->id,
    .container_name = c->name,
    .hostname = bjson_field_str (c->config, "Hostname"),
    .aliases = aliases,
    .ipv4 = ip && ip[0] ? ip : NULL,
    .mac = mac && mac[0] ? mac : NULL,
    .netns_fd = netns_fd,
    .ifname = ifname,
    .ports = first ? bjson_field (c->host_config, "PortBindings") : NULL,
    .publish_all = first && publish_all,
    .exposed = bjson_field (c->config, "ExposedPorts"),
    .no_default_route = no_route,
  };
  if (net_store_join (s, &req, &settings, &ports, err) < 0)
    return -1;
  json_object_object_foreach (settings, k, v)
  {
    /* The configured part stays as the user gave it.  */
    if (strcmp (k, "IPAMConfig") == 0 || strcmp (k, "Links") == 0 || strcmp (k, "DriverOpts") == 0)
      continue;
    json_object_object_add (ep, k, json_object_get (v));
  }
  json_object_put (settings);
  json_object_object_add (ep, "_IfName", json_object_new_string (ifname));
  if (first && ports)
    json_object_object_add (c->net, "Ports", ports);
  else
    json_object_put (ports);
  return 0;
}

/* Back to the configured part: what dockerd keeps of an endpoint once the
   container stopped.  */
static void
endpoint_reset (json_object *ep)
{
  const char *empty[]
      = { "EndpointID", "Gateway", "IPAddress", "IPv6Gateway", "GlobalIPv6Address", NULL };
  const char *mac = bjson_field_str (ep, EP_CONFIG_MAC);
  for (size_t i = 0; empty[i]; i++)
    json_object_object_add (ep, empty[i], json_object_new_string (""));
  json_object_object_add (ep, "MacAddress", json_object_new_string (mac ? mac : ""));
  json_object_object_add (ep, "IPPrefixLen", json_object_new_int (0));
  json_object_object_add (ep, "GlobalIPv6PrefixLen", json_object_new_int (0));
  json_object_object_add (ep, "DNSNames", NULL);
  json_object_object_del (ep, "_IfName");
}

static bool
joined (json_object *ep)
{
  const char *e = bjson_field_str (ep, "EndpointID");
  return e && e[0];
}

static bool
own_netns_network (const char *name)
{
  return strcmp (name, "none") != 0 && strcmp (name, "host") != 0;
}

/* Leave network entry EP of C; the store's "not there" is no error (a
   crash may have left the record behind it).  */
static void
leave_one (struct engine_containers *cs, struct container *c, json_object *ep, bool exiting)
{
  struct net_store *s = store_of (cs);
  berth_error_t err = NULL;
  const char *nid = bjson_field_str (ep, "NetworkID");
  /* At exit the namespace goes next and takes the veth with it.  */
  int (*fn) (struct net_store *, const char *, const char *, berth_error_t *)
      = exiting ? net_store_leave_exit : net_store_leave;

  if (s && nid && nid[0] && fn (s, nid, c->id, &err) < 0)
    {
      if (berth_error_status (err) != ENOENT)
        log_warning ("container %s: leave network %s: %s", c->id, nid, err->msg);
      berth_error_release (&err);
    }
  endpoint_reset (ep);
}

static void
net_state_clear (struct container *c)
{
  json_object_object_add (c->net, "Ports", json_object_new_object ());
  json_object_object_add (c->net, "SandboxID", json_object_new_string (""));
  json_object_object_add (c->net, "SandboxKey", json_object_new_string (""));
}

/* ---- teardown ---- */

struct container_net_job
{
  pthread_mutex_t mu;
  pthread_cond_t cv;
  bool done;
  int refs;
  int *running; /* engine_containers.net_jobs */
  char *netns;
};

static void
job_unref (struct container_net_job *j)
{
  pthread_mutex_lock (&j->mu);
  bool last = --j->refs == 0;
  pthread_mutex_unlock (&j->mu);
  if (!last)
    return;
  pthread_mutex_destroy (&j->mu);
  pthread_cond_destroy (&j->cv);
  free (j->netns);
  free (j);
}

static void *
job_run (void *arg)
{
  struct container_net_job *j = arg;
  if (access (j->netns, F_OK) == 0)
    netns_remove (j->netns);
  int *running = j->running;
  pthread_mutex_lock (&j->mu);
  j->done = true;
  pthread_cond_broadcast (&j->cv);
  pthread_mutex_unlock (&j->mu);
  job_unref (j);
  __atomic_sub_fetch (running, 1, __ATOMIC_RELEASE);
  return NULL;
}

/* Wait for the teardown of C's last exit (it never takes the store's
   lock, so waiting with it held is safe).  */
static void
job_wait (struct container *c)
{
  struct container_net_job *j = c->net_job;
  if (j == NULL)
    return;
  pthread_mutex_lock (&j->mu);
  while (!j->done)
    pthread_cond_wait (&j->cv, &j->mu);
  pthread_mutex_unlock (&j->mu);
  c->net_job = NULL;
  job_unref (j);
}

static bool
net_stop (struct engine_containers *cs, struct container *c, bool async)
{
  json_object *nets = container_net_networks (c);
  const char *key = bjson_field_str (c->net, "SandboxKey");
  bool changed = key && key[0];
  cleanup_free char *path = NULL;
  pthread_attr_t at;
  pthread_t t;

  job_wait (c);
  if (c->net == NULL)
    return false;
  if (cs->dns)
    net_dns_detach (cs->dns, c->id);
  json_object_object_foreach (nets, name, ep)
  {
    if (!joined (ep) || !own_netns_network (name))
      continue;
    changed = true;
    /* Records, address, ports now (the next run may want them); only the
       namespace's unmount is left to the job, and the kernel deletes the
       veth with it: no RTM_DELLINK on the exit path.  */
    leave_one (cs, c, ep, async);
  }
  net_state_clear (c);
  path = container_net_netns_path (cs, c);
  if (async)
    {
      struct container_net_job *j = xmalloc0 (sizeof (*j));
      pthread_mutex_init (&j->mu, NULL);
      pthread_cond_init (&j->cv, NULL);
      j->refs = 2;
      j->running = &cs->net_jobs;
      __atomic_add_fetch (&cs->net_jobs, 1, __ATOMIC_ACQUIRE);
      j->netns = steal_pointer (&path);
      pthread_attr_init (&at);
      pthread_attr_setdetachstate (&at, PTHREAD_CREATE_DETACHED);
      if (pthread_create (&t, &at, job_run, j) != 0)
        job_run (j); /* no thread: do it here */
      pthread_attr_destroy (&at);
      c->net_job = j;
      return changed;
    }
  if (access (path, F_OK) == 0)
    netns_remove (path);
  return changed;
}

bool
container_net_stop (struct engine_containers *cs, struct container *c)
{
  return net_stop (cs, c, false);
}

void
container_net_stop_async (struct engine_containers *cs, struct container *c)
{
  net_stop (cs, c, true);
}

/* dockerd's gateway endpoint (Sandbox.getGatewayEndpoint over endpoints
   sorted by GwPriority): of C's networks (only joined ones when
   JOINED_ONLY) that have a gateway, the highest GwPriority, the first of
   equals.  Its NetworkID, or NULL.  */
static const char *
gateway_network (struct engine_containers *cs, struct container *c, bool joined_only)
{
  const char *best = NULL;
  int64_t best_prio = 0;

  json_object_object_foreach (container_net_networks (c), name, ep)
  {
    const char *nid = bjson_field_str (ep, "NetworkID");
    json_object *p = bjson_field (ep, "GwPriority");
    int64_t prio = p ? json_object_get_int64 (p) : 0;
    if (!own_netns_network (name) || (joined_only && !joined (ep)) || nid == NULL || !nid[0])
      continue;
    if ((best == NULL || prio > best_prio) && net_store_network_has_gateway (store_of (cs), nid))
      {
        best = nid;
        best_prio = prio;
      }
  }
  return best;
}

/* After a connect or disconnect: the default route follows the gateway
   network, moved only when that changed (OLD: the one before).  */
static void
gateway_update (struct engine_containers *cs, struct container *c, const char *old)
{
  const char *now = gateway_network (cs, c, true);
  const char *key = bjson_field_str (c->net, "SandboxKey");
  berth_error_t e = NULL;
  cleanup_close int fd = -1;

  if ((now == NULL && old == NULL) || (now && old && strcmp (now, old) == 0))
    return;
  if (now == NULL)
    return; /* the old one's link went, and its route with it */
  if (key == NULL || (fd = open (key, O_RDONLY | O_CLOEXEC)) < 0
      || net_store_gateway_set (store_of (cs), now, c->id, fd, &e) < 0)
    {
      log_warning ("container %s: move the default route: %s", c->id,
                   e ? e->msg : "no network namespace");
      berth_error_release (&e);
    }
}

/* Join every network of C inside NETNS_FD, eth0 first; on failure leave
   those joined.  */
static int
join_all (struct engine_containers *cs, struct container *c, int netns_fd, berth_error_t *err)
{
  json_object *nets = container_net_networks (c);
  unsigned n = 0;
  char ifname[IFNAMSIZ];
  cleanup_free char *gw = xstrdup (gateway_network (cs, c, false));

  json_object_object_foreach (nets, name, ep)
  {
    const char *nid = bjson_field_str (ep, "NetworkID");
    if (!own_netns_network (name))
      continue;
    snprintf (ifname, sizeof ifname, "eth%u", n);
    if (join_one (cs, c, ep, netns_fd, ifname, n == 0,
                  gw == NULL || nid == NULL || strcmp (gw, nid) != 0, err)
        < 0)
      {
        json_object_object_foreach (nets, n2, ep2)
        {
          if (joined (ep2) && own_netns_network (n2))
            leave_one (cs, c, ep2, false);
        }
        return -1;
      }
    n++;
  }
  return 0;
}

/* The container whose namespace C joins (container:<id>): running.  */
static struct container *
netns_owner (struct engine_containers *cs, struct container *c, berth_error_t *err)
{
  const char *mode = container_net_mode (c);
  struct container *o = container_find (cs, mode + strlen ("container:"), err);
  if (o == NULL)
    return NULL;
  if (strcmp (o->state, "running") != 0 || o->pid <= 0)
    return berth_make_error_msg (err, EBUSY, "cannot join network of a non running container: %s",
                                 o->id),
           NULL;
  return o;
}

int
container_net_start (struct engine_containers *cs, struct container *c, char **netns_path,
                     berth_error_t *err)
{
  const char *mode = container_net_mode (c);
  cleanup_free char *path = NULL;
  cleanup_close int fd = -1;
  struct container *owner = NULL;

  *netns_path = NULL;
  job_wait (c);
  if (c->net == NULL && container_net_create (cs, c, NULL, err) < 0)
    return -1;
  net_state_clear (c);
  if (str_has_prefix (mode, "container:"))
    {
      if ((owner = netns_owner (cs, c, err)) == NULL)
        return -1;
      *netns_path = xasprintf ("/proc/%d/ns/net", owner->pid);
      return container_net_etc_write (cs, c, owner, err);
    }
  if (!mode_has_netns (mode))
    return container_net_etc_write (cs, c, NULL, err);
  path = container_net_netns_path (cs, c);
  if (netns_create (path, err) < 0)
    return -1;
  if ((fd = open (path, O_RDONLY | O_CLOEXEC)) < 0)
    {
      berth_make_error (err, errno, "open `%s`", path);
      goto fail;
    }
  if (join_all (cs, c, fd, err) < 0)
    goto fail;
  if (dns_attach (cs, c, fd, err) < 0)
    {
      container_net_stop (cs, c);
      return -1;
    }
  json_object_object_add (c->net, "SandboxID", json_object_new_string (c->id));
  json_object_object_add (c->net, "SandboxKey", json_object_new_string (path));
  if (container_net_etc_write (cs, c, NULL, err) < 0)
    {
      container_net_stop (cs, c);
      return -1;
    }
  *netns_path = steal_pointer (&path);
  return 0;
fail:
  netns_remove (path);
  net_state_clear (c);
  return -1;
}

void
container_net_restore (struct engine_containers *cs, struct container *c)
{
  struct net_store *s = store_of (cs);
  json_object *nets = container_net_networks (c);
  bool first = true;

  json_object_object_foreach (nets, name, ep)
  {
    berth_error_t err = NULL;
    const char *nid = bjson_field_str (ep, "NetworkID");
    if (!joined (ep) || !own_netns_network (name) || s == NULL)
      continue;
    if (net_store_restore_endpoint (s, nid, c->id, ep, first ? bjson_field (c->net, "Ports") : NULL,
                                    &err)
        < 0)
      {
        log_warning ("container %s: restore its endpoint on network %s: %s", c->id, name, err->msg);
        berth_error_release (&err);
      }
    first = false;
  }
  /* The DNS server lives in berthd: serve the namespace again.  */
  const char *key = bjson_field_str (c->net, "SandboxKey");
  cleanup_close int fd = key && key[0] ? open (key, O_RDONLY | O_CLOEXEC) : -1;
  berth_error_t e2 = NULL;
  if (fd >= 0 && dns_attach (cs, c, fd, &e2) < 0)
    {
      log_warning ("container %s: DNS: %s", c->id, e2->msg);
      berth_error_release (&e2);
    }
}

/* ---- the record ---- */

json_object *
container_net_record (const struct container *c)
{
  return c->net ? json_object_get (c->net) : NULL;
}

void
container_net_record_read (struct container *c, json_object *record)
{
  json_object *n = bjson_field (record, "NetworkSettings");
  if (n && json_object_is_type (n, json_type_object) && bjson_field (n, "Networks"))
    c->net = json_object_get (n);
}

void
container_net_free (struct container *c)
{
  /* A removed container does not wait for its last teardown.  */
  if (c->net_job)
    job_unref (c->net_job);
  c->net_job = NULL;
  json_object_put (c->net);
  c->net = NULL;
}

/* ---- connect and disconnect (dockerd's ConnectToNetwork) ---- */

/* The first ethN free in the namespace of running C.  */
static void
free_ifname (struct engine_containers *cs, struct container *c, char *out, size_t size)
{
  json_object *nets = container_net_networks (c);
  unsigned n = 0;
  bool taken = true;

  /* Names of the links berth made are eth<index of its endpoint>; a
     disconnect leaves a hole that the next connect may not reuse while a
     later one holds its number, so take one past the highest count.  */
  for (n = 0; taken; n++)
    {
      taken = false;
      snprintf (out, size, "eth%u", n);
      json_object_object_foreach (nets, name, ep)
      {
        const char *ifn = bjson_field_str (ep, "_IfName");
        (void) name;
        if (joined (ep) && ifn && strcmp (ifn, out) == 0)
          taken = true;
      }
    }
  (void) cs;
}

static int
connect_checks (struct engine_containers *cs, struct container *c, const char *name,
                berth_error_t *err)
{
  const char *mode = container_net_mode (c);
  json_object *nets = container_net_networks (c);
  (void) cs;

  if (str_has_prefix (mode, "container:"))
    return berth_make_error_msg (err, EINVAL,
                                 "container sharing network namespace with another container or "
                                 "host cannot be connected to any other network");
  if (strcmp (mode, "host") == 0 || strcmp (name, "host") == 0)
    return berth_make_error_msg (
        err, EINVAL,
        "container cannot be disconnected from host network or connected to host network");
  if (bjson_field (nets, name))
    return berth_make_error_msg (err, EPERM, "endpoint with name %s already exists in network %s",
                                 c->name, name);
  if (strcmp (name, "none") == 0 || bjson_field (nets, "none"))
    return berth_make_error_msg (err, EINVAL,
                                 "container cannot be connected to multiple networks with one of "
                                 "the networks in private (none) mode");
  return 0;
}

static int
connect_locked (struct engine_containers *cs, struct container *c, const char *network,
                json_object *conf, berth_error_t *err)
{
  cleanup_free char *name = NULL, *id = NULL;
  json_object *nets, *ep;
  const char *key;
  cleanup_close int fd = -1;
  char ifname[IFNAMSIZ];
  bool first = true;

  if (strcmp (c->state, "removing") == 0 || strcmp (c->state, "dead") == 0)
    return berth_make_error_msg (
        err, EINVAL,
        "container %s is marked for removal and cannot be connected or disconnected to the network",
        c->id);
  job_wait (c);
  if (c->net == NULL && container_net_create (cs, c, NULL, err) < 0)
    return -1;
  if (network_resolve (store_of (cs), network, &name, &id, err) < 0
      || connect_checks (cs, c, name, err) < 0)
    return -1;
  nets = container_net_networks (c);
  ep = endpoint_new (conf, id);
  if (strcmp (c->state, "running") == 0 && mode_has_netns (container_net_mode (c)))
    {
      key = bjson_field_str (c->net, "SandboxKey");
      if (key == NULL || (fd = open (key, O_RDONLY | O_CLOEXEC)) < 0)
        {
          json_object_put (ep);
          return berth_make_error (err, errno ? errno : ENOENT, "open the network namespace of %s",
                                   c->id);
        }
      json_object_object_foreach (nets, n2, e2)
      {
        if (joined (e2) && own_netns_network (n2))
          first = false;
      }
      free_ifname (cs, c, ifname, sizeof ifname);
      cleanup_free char *old_gw = xstrdup (gateway_network (cs, c, true));
      if (join_one (cs, c, ep, fd, ifname, first, true, err) < 0)
        {
          json_object_put (ep);
          return -1;
        }
      json_object_object_add (nets, name, ep);
      gateway_update (cs, c, old_gw);
      berth_error_t derr = NULL;
      if (dns_attach (cs, c, fd, &derr) < 0)
        {
          log_warning ("container %s: DNS: %s", c->id, derr->msg);
          berth_error_release (&derr);
        }
    }
  else
    json_object_object_add (nets, name, ep);
  if (strcmp (c->state, "running") == 0)
    container_net_etc_hosts_update (cs, c);
  container_save_logged (cs, c);
  return 0;
}

int
engine_container_network_connect (struct engine_containers *cs, const char *container,
                                  const char *network, json_object *endpoint_config,
                                  berth_error_t *err)
{
  struct container *c;
  int r = -1;

  pthread_mutex_lock (&cs->lock);
  if ((c = container_find (cs, container, err)) != NULL)
    r = connect_locked (cs, c, network, endpoint_config, err);
  pthread_mutex_unlock (&cs->lock);
  return r;
}

static int
disconnect_locked (struct engine_containers *cs, struct container *c, const char *network,
                   bool force, berth_error_t *err)
{
  cleanup_free char *name = NULL, *id = NULL;
  json_object *nets = container_net_networks (c), *ep;
  bool running = strcmp (c->state, "running") == 0;

  if (network_resolve (store_of (cs), network, &name, &id, err) < 0)
    {
      /* -f: a network that is gone can still be dropped from the record.  */
      if (!force || bjson_field (nets, network) == NULL)
        return -1;
      berth_error_release (err);
      name = xstrdup (network);
    }
  if (strcmp (container_net_mode (c), "host") == 0 && strcmp (name, "host") == 0)
    return berth_make_error_msg (
        err, EINVAL,
        "container cannot be disconnected from host network or connected to host network");
  if ((ep = bjson_field (nets, name)) == NULL)
    return berth_make_error_msg (err, running ? EINVAL : ENOENT,
                                 running ? "container %s is not connected to network %s"
                                         : "container %s is not connected to the network %s",
                                 c->id, name);
  cleanup_free char *old_gw = xstrdup (gateway_network (cs, c, true));
  bool left = running && joined (ep);
  if (left)
    leave_one (cs, c, ep, false); /* the namespace stays: the veth must go now */
  json_object_object_del (nets, name);
  if (left)
    gateway_update (cs, c, old_gw);
  if (running)
    container_net_etc_hosts_update (cs, c);
  container_save_logged (cs, c);
  return 0;
}

int
engine_container_network_disconnect (struct engine_containers *cs, const char *container,
                                     const char *network, bool force, berth_error_t *err)
{
  struct container *c;
  int r = -1;

  pthread_mutex_lock (&cs->lock);
  if ((c = container_find (cs, container, err)) != NULL)
    r = disconnect_locked (cs, c, network, force, err);
  pthread_mutex_unlock (&cs->lock);
  return r;
}

/* berth — system endpoints: /_ping, /version, /info, /plugins, /system/df.
 * /events is in events.c.  */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api-internal.h"
#include "api/host.h"
#include "base/base.h"
#include "engine/container.h"
#include "engine/engine.h"
#include "store/image.h"

int api_events_get (struct api_request *req, struct api_response *resp, berth_error_t *err);

static void
jstr (json_object *o, const char *k, const char *v)
{
  json_object_object_add (o, k, json_object_new_string (v ? v : ""));
}

static void
jint (json_object *o, const char *k, int64_t v)
{
  json_object_object_add (o, k, json_object_new_int64 (v));
}

static void
jbool (json_object *o, const char *k, bool v)
{
  json_object_object_add (o, k, json_object_new_boolean (v));
}

/* dockerd's pingHandler; the version middleware's headers come from the
   router.  Builder-Version 1: berth builds with the classic builder.  */
static int
ping (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  (void) err;
  if (strcmp (api_request_method (req), "HEAD") == 0)
    api_response_text (resp, 200, "text/plain; charset=utf-8", "", 0);
  else
    api_response_text (resp, 200, "text/plain; charset=utf-8", "OK", 2);
  api_response_header (resp, "Cache-Control", "no-cache, no-store, must-revalidate");
  api_response_header (resp, "Pragma", "no-cache");
  api_response_header (resp, "Builder-Version", "1");
  api_response_header (resp, "Swarm", "inactive");
  return 0;
}

#define GIT_COMMIT "n/a"
#define BUILD_TIME "n/a"

static json_object *
engine_details (const char *kernel)
{
  json_object *d = json_object_new_object ();
  jstr (d, "ApiVersion", API_MAX_VERSION);
  jstr (d, "Arch", api_host_goarch ());
  jstr (d, "BuildTime", BUILD_TIME);
  jstr (d, "Experimental", "false");
  jstr (d, "GitCommit", GIT_COMMIT);
  jstr (d, "GoVersion", "n/a");
  jstr (d, "KernelVersion", kernel);
  jstr (d, "MinAPIVersion", API_MIN_VERSION);
  jstr (d, "Os", "linux");
  return d;
}

static int
version (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  cleanup_free char *kernel = api_host_kernel_version ();
  json_object *v = json_object_new_object ();
  json_object *platform = json_object_new_object ();
  json_object *components = json_object_new_array ();
  json_object *engine = json_object_new_object ();
  json_object *rt = json_object_new_object ();
  json_object *rtd = json_object_new_object ();
  (void) req;
  (void) err;

  jstr (platform, "Name", "berth " BERTH_VERSION);
  json_object_object_add (v, "Platform", platform);
  jstr (engine, "Name", "Engine");
  jstr (engine, "Version", BERTH_VERSION);
  json_object_object_add (engine, "Details", engine_details (kernel));
  json_object_array_add (components, engine);
  jstr (rt, "Name", "berth-runtime");
  jstr (rt, "Version", BERTH_VERSION);
  jstr (rtd, "GitCommit", GIT_COMMIT);
  json_object_object_add (rt, "Details", rtd);
  json_object_array_add (components, rt);
  json_object_object_add (v, "Components", components);
  jstr (v, "Version", BERTH_VERSION);
  jstr (v, "ApiVersion", API_MAX_VERSION);
  jstr (v, "MinAPIVersion", API_MIN_VERSION);
  jstr (v, "GitCommit", GIT_COMMIT);
  jstr (v, "GoVersion", "n/a");
  jstr (v, "Os", "linux");
  jstr (v, "Arch", api_host_goarch ());
  jstr (v, "KernelVersion", kernel);
  jstr (v, "BuildTime", BUILD_TIME);
  api_response_json (resp, 200, v);
  return 0;
}

static json_object *
plugins_info (void)
{
  const char *volume[] = { "local", NULL };
  const char *network[] = { "bridge", "host", "none", NULL };
  const char *log[] = { "json-file", NULL };
  json_object *p = json_object_new_object ();
  json_object_object_add (p, "Volume", bjson_new_strv ((char *const *) volume));
  json_object_object_add (p, "Network", bjson_new_strv ((char *const *) network));
  json_object_object_add (p, "Authorization", NULL);
  json_object_object_add (p, "Log", bjson_new_strv ((char *const *) log));
  return p;
}

static json_object *
registry_config (bool legacy)
{
  const char *insecure[] = { "::1/128", "127.0.0.0/8", NULL };
  json_object *r = json_object_new_object ();
  json_object *idx = json_object_new_object ();
  json_object *hub = json_object_new_object ();

  if (legacy) /* API < 1.47: present and null */
    {
      json_object_object_add (r, "AllowNondistributableArtifactsCIDRs", NULL);
      json_object_object_add (r, "AllowNondistributableArtifactsHostnames", NULL);
    }
  json_object_object_add (r, "InsecureRegistryCIDRs", bjson_new_strv ((char *const *) insecure));
  jstr (hub, "Name", "docker.io");
  json_object_object_add (hub, "Mirrors", json_object_new_array ());
  jbool (hub, "Secure", true);
  jbool (hub, "Official", true);
  json_object_object_add (idx, "docker.io", hub);
  json_object_object_add (r, "IndexConfigs", idx);
  json_object_object_add (r, "Mirrors", json_object_new_array ());
  return r;
}

static json_object *
commit (const char *id, bool legacy)
{
  json_object *c = json_object_new_object ();
  jstr (c, "ID", id);
  if (legacy) /* API < 1.49 */
    jstr (c, "Expected", id);
  return c;
}

static void
info_counts (struct engine *e, json_object *o)
{
  struct engine_counts n;
  engine_get_counts (e, &n);
  jstr (o, "ID", engine_get_id (e));
  jint (o, "Containers", n.containers);
  jint (o, "ContainersRunning", n.running);
  jint (o, "ContainersPaused", n.paused);
  jint (o, "ContainersStopped", n.stopped);
  jint (o, "Images", n.images);
}

static void
info_storage (const struct engine_config *c, json_object *o)
{
  json_object *status = json_object_new_array ();
  json_object *row = json_object_new_array ();
  const char *driver = c->storage_driver && c->storage_driver[0] ? c->storage_driver : "overlay2";

  jstr (o, "Driver", driver);
  json_object_array_add (row, json_object_new_string ("Backing Filesystem"));
  json_object_array_add (row, json_object_new_string (api_host_fs_name (c->data_root)));
  json_object_array_add (status, row);
  json_object_object_add (o, "DriverStatus", status);
  jstr (o, "DockerRootDir", c->data_root);
}

static void
info_resources (json_object *o, bool v2)
{
  /* What berth-runtime enforces (runtime/cgroup-v1.c, cgroup-v2.c).  */
  jbool (o, "MemoryLimit", true);
  jbool (o, "SwapLimit", true);
  jbool (o, "CpuCfsPeriod", true);
  jbool (o, "CpuCfsQuota", true);
  jbool (o, "CPUShares", true);
  jbool (o, "CPUSet", true);
  jbool (o, "PidsLimit", true);
  jbool (o, "IPv4Forwarding", api_host_ip_forward ());
  jbool (o, "OomKillDisable", !v2);
  jstr (o, "CgroupDriver", "cgroupfs");
  jstr (o, "CgroupVersion", v2 ? "2" : "1");
  jint (o, "NCPU", api_host_ncpu ());
  jint (o, "MemTotal", api_host_mem_total ());
}

static void
info_host (json_object *o)
{
  cleanup_free char *kernel = api_host_kernel_version ();
  cleanup_free char *pretty = api_host_os_release ("PRETTY_NAME");
  cleanup_free char *osver = api_host_os_release ("VERSION_ID");
  cleanup_free char *machine = api_host_machine ();
  cleanup_free char *name = api_host_name ();
  cleanup_free char *now = NULL;
  struct timespec ts;

  clock_gettime (CLOCK_REALTIME, &ts);
  now = api_host_rfc3339_nano (&ts, false);
  jint (o, "NFd", api_host_count_fds ());
  jint (o, "NGoroutines", api_host_count_threads ());
  jstr (o, "SystemTime", now);
  jstr (o, "KernelVersion", kernel);
  jstr (o, "OperatingSystem", pretty ? pretty : "Linux");
  jstr (o, "OSVersion", osver);
  jstr (o, "OSType", "linux");
  jstr (o, "Architecture", machine);
  jstr (o, "Name", name);
}

static void
info_daemon (struct api_request *req, const struct engine_config *c, json_object *o, bool v2)
{
  json_object *runtimes = json_object_new_object ();
  json_object *berth = json_object_new_object ();
  json_object *swarm = json_object_new_object ();
  json_object *sec = json_object_new_array ();
  json_object *warnings = json_object_new_array ();
  bool before149 = api_request_version_before (req, "1.49");

  jstr (o, "LoggingDriver", c->log_driver);
  jstr (o, "IndexServerAddress", "https://index.docker.io/v1/");
  json_object_object_add (o, "RegistryConfig",
                          registry_config (api_request_version_before (req, "1.47")));
  json_object_object_add (o, "GenericResources", NULL);
  jstr (o, "HttpProxy", getenv ("HTTP_PROXY"));
  jstr (o, "HttpsProxy", getenv ("HTTPS_PROXY"));
  jstr (o, "NoProxy", getenv ("NO_PROXY"));
  json_object_object_add (o, "Labels", bjson_new_strv (c->labels));
  jbool (o, "ExperimentalBuild", c->experimental);
  jstr (o, "ServerVersion", BERTH_VERSION);
  /* berth-runtime under both its names (engine_runtime_name_valid).  */
  jstr (berth, "path", "berth-runtime");
  json_object_object_add (runtimes, "runc", json_object_get (berth));
  json_object_object_add (runtimes, "berth", berth);
  json_object_object_add (o, "Runtimes", runtimes);
  jstr (o, "DefaultRuntime", c->default_runtime);
  jstr (swarm, "NodeID", "");
  jstr (swarm, "NodeAddr", "");
  jstr (swarm, "LocalNodeState", "inactive");
  jbool (swarm, "ControlAvailable", false);
  jstr (swarm, "Error", "");
  json_object_object_add (swarm, "RemoteManagers", NULL);
  json_object_object_add (o, "Swarm", swarm);
  jbool (o, "LiveRestoreEnabled", c->live_restore);
  jstr (o, "Isolation", "");
  jstr (o, "InitBinary", "");
  json_object_object_add (o, "ContainerdCommit", commit ("", before149));
  json_object_object_add (o, "RuncCommit", commit ("", before149));
  json_object_object_add (o, "InitCommit", commit ("", before149));
  json_object_array_add (sec, json_object_new_string ("name=seccomp,profile=builtin"));
  if (v2)
    json_object_array_add (sec, json_object_new_string ("name=cgroupns"));
  json_object_object_add (o, "SecurityOptions", sec);
  json_object_object_add (o, "CDISpecDirs", json_object_new_array ());
  json_object_array_add (warnings,
                         json_object_new_string ("WARNING: networking is not available yet: "
                                                 "containers get a loopback interface only"));
  json_object_object_add (o, "Warnings", warnings);
  if (api_request_version_before (req, "1.50"))
    {
      jbool (o, "BridgeNfIptables", false);
      jbool (o, "BridgeNfIp6tables", false);
    }
}

static int
info (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct engine *e = api_request_engine (req);
  const struct engine_config *c = engine_get_config (e);
  bool v2 = strcmp (api_host_cgroup_version (), "2") == 0;
  json_object *o = json_object_new_object ();
  (void) err;

  info_counts (e, o);
  info_storage (c, o);
  json_object_object_add (o, "Plugins", plugins_info ());
  info_resources (o, v2);
  jbool (o, "Debug", c->debug);
  jint (o, "NEventsListener", (int64_t) engine_events_listeners (engine_get_events (e)));
  info_host (o);
  info_daemon (req, c, o, v2);
  api_response_json (resp, 200, o);
  return 0;
}

static int
plugins (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  (void) req;
  (void) err;
  api_response_json (resp, 200, json_object_new_array ());
  return 0;
}

/* ---- GET /system/df ---- */

/* The objects asked for: every kind, or (API >= 1.42) the type= values.  */
struct df_kinds
{
  bool containers, images, volumes, build_cache;
};

static int
df_kinds_parse (struct api_request *req, struct df_kinds *k, berth_error_t *err)
{
  bool any = false;

  memset (k, 0, sizeof (*k));
  for (size_t i = 0; req->query_keys && req->query_keys[i]; i++)
    {
      const char *t = req->query_values[i];
      if (strcmp (req->query_keys[i], "type") != 0 || api_request_version_before (req, "1.42"))
        continue;
      any = true;
      if (strcmp (t, "container") == 0)
        k->containers = true;
      else if (strcmp (t, "image") == 0)
        k->images = true;
      else if (strcmp (t, "volume") == 0)
        k->volumes = true;
      else if (strcmp (t, "build-cache") == 0)
        k->build_cache = true;
      else
        return api_error (err, EINVAL, "unknown object type: %s", t);
    }
  if (!any)
    k->containers = k->images = k->volumes = k->build_cache = true;
  return 0;
}

/* How many of the containers CS (the list's entries) run IMAGE_ID.  */
static int64_t
df_count_containers (json_object *cs, const char *image_id)
{
  int64_t n = 0;
  for (size_t i = 0; cs && i < json_object_array_length (cs); i++)
    {
      json_object *v = NULL;
      if (json_object_object_get_ex (json_object_array_get_idx (cs, i), "ImageID", &v)
          && strcmp (json_object_get_string (v), image_id) == 0)
        n++;
    }
  return n;
}

/* image.Summary as the list gives it, with SharedSize and Containers
   counted (the list leaves them -1).  */
static json_object *
df_image (struct api_request *req, const struct store_image *img, int64_t shared, json_object *cs)
{
  json_object *o = json_object_new_object ();
  const struct oci_image_exec_config *c = &img->config->config;
  json_object *labels = NULL;

  if (c->label_keys)
    {
      labels = json_object_new_object ();
      for (size_t i = 0; c->label_keys[i]; i++)
        json_object_object_add (labels, c->label_keys[i],
                                json_object_new_string (c->label_values[i]));
    }
  jint (o, "Containers", df_count_containers (cs, img->id));
  jint (o, "Created", store_image_created (img) / 1000000000);
  jstr (o, "Id", img->id);
  json_object_object_add (o, "Labels", labels);
  jstr (o, "ParentId", "");
  json_object_object_add (o, "RepoDigests", bjson_new_strv (img->repo_digests));
  json_object_object_add (o, "RepoTags", bjson_new_strv (img->repo_tags));
  jint (o, "SharedSize", shared);
  jint (o, "Size", img->size);
  if (api_request_version_before (req, "1.44"))
    jint (o, "VirtualSize", img->size);
  return o;
}

static void
df_images (struct api_request *req, struct store_images *s, json_object *cs, json_object *o)
{
  struct store_image_usage u;
  json_object *a = json_object_new_array ();

  store_images_disk_usage (s, &u);
  for (size_t i = 0; u.images[i]; i++)
    json_object_array_add (a, df_image (req, u.images[i], u.shared_size[i], cs));
  jint (o, "LayersSize", u.layers_size);
  json_object_object_add (o, "Images", a);
  store_image_usage_release (&u);
}

/* dockerd's getDiskUsage: the kinds not asked for are null.  Volumes and
   the build cache are empty until berth has them.  */
static int
disk_usage (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct engine *e = api_request_engine (req);
  struct store_images *s = engine_get_images (e);
  struct engine_containers *ecs = engine_get_containers (e);
  struct engine_list_opts lo = { .all = true, .size = true };
  json_object *o, *cs = NULL;
  struct df_kinds k;

  if (df_kinds_parse (req, &k, err) < 0)
    return -1;
  /* The image counts need the containers even when only images are asked.  */
  if ((k.containers || k.images) && ecs
      && (cs = engine_container_list_query (ecs, &lo, err)) == NULL)
    return -1;
  o = json_object_new_object ();
  jint (o, "LayersSize", 0);
  json_object_object_add (o, "Images", NULL);
  if (k.images && s)
    df_images (req, s, cs, o);
  else if (k.images)
    json_object_object_add (o, "Images", json_object_new_array ());
  if (k.containers)
    json_object_object_add (o, "Containers", cs ? json_object_get (cs) : json_object_new_array ());
  else
    json_object_object_add (o, "Containers", NULL);
  json_object_object_add (o, "Volumes", k.volumes ? api_volumes_disk_usage (req) : NULL);
  json_object_object_add (o, "BuildCache", k.build_cache ? json_object_new_array () : NULL);
  json_object_put (cs);
  api_response_json (resp, 200, o);
  return 0;
}

static const struct api_route system_routes[] = {
  { "GET", "/_ping", ping },           { "HEAD", "/_ping", ping },
  { "GET", "/version", version },      { "GET", "/info", info },
  { "GET", "/plugins", plugins },      { "GET", "/events", api_events_get },
  { "GET", "/system/df", disk_usage }, { NULL, NULL, NULL },
};

void
api_system_register (struct api_router *r)
{
  api_router_add (r, system_routes);
}

/* berthd — the Docker Engine API daemon.  Takes dockerd's flags (pflag
 * syntax and messages), merges daemon.json with dockerd's rules, holds the
 * pidfile lock, serves the API until SIGTERM or SIGINT.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <unistd.h>

#include "api/api.h"
#include "base/base.h"
#include "engine/container.h"
#include "engine/engine.h"
#include "store/image.h"
#include "store/repair.h"
#include "network/store.h"
#include "volume/volume.h"

#define DEFAULT_HOST "unix:///run/berth/berth.sock"

enum
{
  F_DATA_ROOT = 1000,
  F_EXEC_ROOT,
  F_CONFIG_FILE,
  F_STORAGE_OPT,
  F_LIVE_RESTORE,
  F_DEFAULT_ULIMIT,
  F_LOG_DRIVER,
  F_LOG_OPT,
  F_TLS,
  F_TLSVERIFY,
  F_TLSCACERT,
  F_TLSCERT,
  F_TLSKEY,
  F_LABEL,
  F_EXPERIMENTAL,
  F_DEFAULT_RUNTIME,
  F_INIT_PATH,
  F_VALIDATE,
  F_BIP,
  F_DEFAULT_ADDRESS_POOL,
  F_MTU,
  F_IPTABLES,
  F_IP_FORWARD,
  F_USERLAND_PROXY,
  F_IP_MASQ,
};

static const struct option long_opts[] = {
  { "host", required_argument, NULL, 'H' },
  { "data-root", required_argument, NULL, F_DATA_ROOT },
  { "exec-root", required_argument, NULL, F_EXEC_ROOT },
  { "pidfile", required_argument, NULL, 'p' },
  { "config-file", required_argument, NULL, F_CONFIG_FILE },
  { "group", required_argument, NULL, 'G' },
  { "log-level", required_argument, NULL, 'l' },
  { "debug", optional_argument, NULL, 'D' },
  { "storage-driver", required_argument, NULL, 's' },
  { "storage-opt", required_argument, NULL, F_STORAGE_OPT },
  { "live-restore", optional_argument, NULL, F_LIVE_RESTORE },
  { "default-ulimit", required_argument, NULL, F_DEFAULT_ULIMIT },
  { "log-driver", required_argument, NULL, F_LOG_DRIVER },
  { "log-opt", required_argument, NULL, F_LOG_OPT },
  { "label", required_argument, NULL, F_LABEL },
  { "experimental", optional_argument, NULL, F_EXPERIMENTAL },
  { "default-runtime", required_argument, NULL, F_DEFAULT_RUNTIME },
  { "init-path", required_argument, NULL, F_INIT_PATH },
  { "tls", optional_argument, NULL, F_TLS },
  { "tlsverify", optional_argument, NULL, F_TLSVERIFY },
  { "tlscacert", required_argument, NULL, F_TLSCACERT },
  { "tlscert", required_argument, NULL, F_TLSCERT },
  { "tlskey", required_argument, NULL, F_TLSKEY },
  { "validate", no_argument, NULL, F_VALIDATE },
  { "bridge", required_argument, NULL, 'b' },
  { "bip", required_argument, NULL, F_BIP },
  { "default-address-pool", required_argument, NULL, F_DEFAULT_ADDRESS_POOL },
  { "mtu", required_argument, NULL, F_MTU },
  { "iptables", optional_argument, NULL, F_IPTABLES },
  { "ip-forward", optional_argument, NULL, F_IP_FORWARD },
  { "userland-proxy", optional_argument, NULL, F_USERLAND_PROXY },
  { "ip-masq", optional_argument, NULL, F_IP_MASQ },
  { "version", no_argument, NULL, 'v' },
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

struct cmdline
{
  struct engine_config config;
  char **given;  /* long names of the flags given */
  char **values; /* their values as pflag prints them */
  bool config_file_given, validate;
};

static void __attribute__ ((noreturn)) __attribute__ ((format (printf, 1, 2)))
usage_error (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  fprintf (stderr, "\nSee 'berthd --help'.\n");
  exit (125);
}

static void
usage (void)
{
  printf (
      "Usage:\tberthd [OPTIONS]\n\n"
      "A self-sufficient runtime for containers: berth's Docker Engine API daemon.\n\n"
      "Options:\n"
      "      --config-file string       Daemon configuration file (default "
      "\"/etc/berth/daemon.json\")\n"
      "      --bip string               Specify network bridge IP\n"
      "  -b, --bridge string            Attach containers to a network bridge\n"
      "      --data-root string         Root directory of persistent berth state (default "
      "\"/var/lib/berth\")\n"
      "      --default-address-pool pool-options   Default address pools for node specific "
      "local networks\n"
      "  -D, --debug                    Enable debug mode\n"
      "      --default-runtime string   Default OCI runtime for containers (default \"berth\")\n"
      "      --default-ulimit ulimit    Default ulimits for containers (default [])\n"
      "      --exec-root string         Root directory for execution state files (default "
      "\"/run/berth\")\n"
      "  -G, --group string             Group for the unix socket (default \"berth\")\n"
      "  -H, --host list                Daemon socket(s) to connect to\n"
      "      --init-path string         Path to the docker-init binary\n"
      "      --ip-forward               Enable net.ipv4.ip_forward (default true)\n"
      "      --ip-masq                  Enable IP masquerading (default true)\n"
      "      --iptables                 Enable addition of nftables rules (default true)\n"
      "      --label list               Set key=value labels to the daemon\n"
      "      --live-restore             Enable live restore of berth when containers are still "
      "running\n"
      "      --log-driver string        Default driver for container logs (default \"json-file\")\n"
      "  -l, --log-level string         Set the logging level "
      "(\"debug\"|\"info\"|\"warn\"|\"error\"|\"fatal\") (default \"info\")\n"
      "      --log-opt map              Default log driver options for containers (default map[])\n"
      "      --mtu int                  Set the containers network MTU (default 1500)\n"
      "  -p, --pidfile string           Path to use for daemon PID file (default "
      "\"/run/berth/berthd.pid\")\n"
      "  -s, --storage-driver string    Storage driver to use\n"
      "      --storage-opt list         Storage driver options\n"
      "      --tls                      Use TLS; implied by --tlsverify\n"
      "      --tlscacert string         Trust certs signed only by this CA\n"
      "      --tlscert string           Path to TLS certificate file\n"
      "      --tlskey string            Path to TLS key file\n"
      "      --tlsverify                Use TLS and verify the remote\n"
      "      --userland-proxy           Use userland proxy for loopback traffic (default true)\n"
      "      --validate                 Validate daemon configuration and exit\n"
      "  -v, --version                  Print version information and quit\n");
}

/* pflag's bool values: "1 t T TRUE true True" and the false ones.  */
static bool
parse_bool (const char *name, const char *v)
{
  if (v == NULL)
    return true;
  if (strcmp (v, "1") == 0 || strcasecmp (v, "t") == 0 || strcasecmp (v, "true") == 0)
    return true;
  if (strcmp (v, "0") == 0 || strcasecmp (v, "f") == 0 || strcasecmp (v, "false") == 0)
    return false;
  usage_error ("invalid argument \"%s\" for \"--%s\" flag: strconv.ParseBool: parsing \"%s\": "
               "invalid syntax",
               v, name, v);
}

static void
set_str (char **dst, const char *v)
{
  free (*dst);
  *dst = xstrdup (v);
}

/* Record that NAME was given, with VALUE as pflag's String() prints it:
   lists accumulate as "[a b]".  */
static void
note_given (struct cmdline *cl, const char *name, const char *value, bool list)
{
  for (size_t i = 0; cl->given && cl->given[i]; i++)
    if (strcmp (cl->given[i], name) == 0)
      {
        char *old = cl->values[i];
        if (list)
          {
            old[strlen (old) - 1] = '\0';
            cl->values[i] = xasprintf ("%s %s]", old, value);
          }
        else
          cl->values[i] = xstrdup (value);
        free (old);
        return;
      }
  cleanup_free char *v = list ? xasprintf ("[%s]", value) : xstrdup (value);
  cl->given = strv_append (cl->given, name);
  cl->values = strv_append (cl->values, v);
}

static const char *
long_name_of (int val)
{
  for (const struct option *o = long_opts; o->name; o++)
    if (o->val == val)
      return o->name;
  return "?";
}

static void
bad_flag (int c, char *const *argv)
{
  const char *tok = argv[optind - 1] ? argv[optind - 1] : "";
  if (c == ':')
    {
      if (str_has_prefix (tok, "--"))
        usage_error ("flag needs an argument: --%s", long_name_of (optopt));
      usage_error ("flag needs an argument: '%c' in -%c", optopt, optopt);
    }
  if (optopt != 0)
    usage_error ("unknown shorthand flag: '%c' in %s", optopt, tok);
  usage_error ("unknown flag: %.*s", (int) strcspn (tok, "="), tok);
}

/* Where each flag's value goes in struct engine_config.  */
enum kind
{
  K_STR,
  K_STRV,
  K_BOOL,
};
static const struct
{
  int val;
  enum kind kind;
  size_t offset;
} flag_table[] = {
  { 'H', K_STRV, offsetof (struct engine_config, hosts) },
  { F_DATA_ROOT, K_STR, offsetof (struct engine_config, data_root) },
  { F_EXEC_ROOT, K_STR, offsetof (struct engine_config, exec_root) },
  { 'p', K_STR, offsetof (struct engine_config, pidfile) },
  { F_CONFIG_FILE, K_STR, offsetof (struct engine_config, config_file) },
  { 'G', K_STR, offsetof (struct engine_config, group) },
  { 'l', K_STR, offsetof (struct engine_config, log_level) },
  { 's', K_STR, offsetof (struct engine_config, storage_driver) },
  { F_STORAGE_OPT, K_STRV, offsetof (struct engine_config, storage_opts) },
  { F_DEFAULT_ULIMIT, K_STRV, offsetof (struct engine_config, default_ulimits) },
  { F_LOG_DRIVER, K_STR, offsetof (struct engine_config, log_driver) },
  { F_LOG_OPT, K_STRV, offsetof (struct engine_config, log_opts) },
  { F_LABEL, K_STRV, offsetof (struct engine_config, labels) },
  { F_DEFAULT_RUNTIME, K_STR, offsetof (struct engine_config, default_runtime) },
  { F_INIT_PATH, K_STR, offsetof (struct engine_config, init_path) },
  { F_TLSCACERT, K_STR, offsetof (struct engine_config, tlscacert) },
  { F_TLSCERT, K_STR, offsetof (struct engine_config, tlscert) },
  { F_TLSKEY, K_STR, offsetof (struct engine_config, tlskey) },
  { 'D', K_BOOL, offsetof (struct engine_config, debug) },
  { F_LIVE_RESTORE, K_BOOL, offsetof (struct engine_config, live_restore) },
  { F_EXPERIMENTAL, K_BOOL, offsetof (struct engine_config, experimental) },
  { F_TLS, K_BOOL, offsetof (struct engine_config, tls) },
  { F_TLSVERIFY, K_BOOL, offsetof (struct engine_config, tlsverify) },
  { 'b', K_STR, offsetof (struct engine_config, bridge) },
  { F_BIP, K_STR, offsetof (struct engine_config, bip) },
  { F_DEFAULT_ADDRESS_POOL, K_STRV, offsetof (struct engine_config, default_address_pools) },
  { F_IPTABLES, K_BOOL, offsetof (struct engine_config, iptables) },
  { F_IP_FORWARD, K_BOOL, offsetof (struct engine_config, ip_forward) },
  { F_USERLAND_PROXY, K_BOOL, offsetof (struct engine_config, userland_proxy) },
  { F_IP_MASQ, K_BOOL, offsetof (struct engine_config, ip_masq) },
};

/* One flag into CL.  */
static void
apply_flag (struct cmdline *cl, int c, const char *arg)
{
  const char *name = long_name_of (c);
  char *base = (char *) &cl->config;

  if (c == F_VALIDATE)
    {
      cl->validate = true;
      return;
    }
  if (c == F_CONFIG_FILE)
    cl->config_file_given = true;
  if (c == F_MTU)
    {
      char *end = NULL;
      unsigned long v = strtoul (arg, &end, 10);
      if (*arg == '\0' || *end || v > 65535)
        usage_error ("invalid argument \"%s\" for \"--mtu\" flag: strconv.ParseInt: parsing "
                     "\"%s\": invalid syntax",
                     arg, arg);
      cl->config.mtu = (unsigned) v;
      note_given (cl, name, arg, false);
      return;
    }
  for (size_t i = 0; i < sizeof (flag_table) / sizeof (flag_table[0]); i++)
    {
      void *dst = base + flag_table[i].offset;
      if (flag_table[i].val != c)
        continue;
      switch (flag_table[i].kind)
        {
        case K_STR:
          set_str ((char **) dst, arg);
          note_given (cl, name, arg, false);
          return;
        case K_STRV:
          *(char ***) dst = strv_append (*(char ***) dst, arg);
          note_given (cl, name, arg, true);
          return;
        case K_BOOL:
          *(bool *) dst = parse_bool (name, arg);
          note_given (cl, name, *(bool *) dst ? "true" : "false", false);
          return;
        }
    }
}

static void
parse_flags (struct cmdline *cl, int argc, char **argv)
{
  int c;

  opterr = 0;
  while ((c = getopt_long (argc, argv, ":H:p:G:l:Ds:b:vh", long_opts, NULL)) != -1)
    {
      if (c == '?' || c == ':')
        bad_flag (c, argv);
      if (c == 'v')
        {
          printf ("berthd version %s\n", BERTH_VERSION);
          exit (0);
        }
      if (c == 'h')
        {
          usage ();
          exit (0);
        }
      apply_flag (cl, c, optarg);
    }
  if (optind < argc)
    usage_error ("\"berthd\" accepts no argument(s).");
}

static void __attribute__ ((noreturn)) die_error (berth_error_t *err, const char *context)
{
  if (context)
    fprintf (stderr, "%s: %s\n", context, (*err)->msg);
  else
    fprintf (stderr, "%s\n", (*err)->msg);
  berth_error_release (err);
  exit (1);
}

/* dockerd's order: flags, then daemon.json (a missing file is an error only
   when --config-file named it), then validation.  */
static void
load_config (struct cmdline *cl)
{
  berth_error_t err = NULL;
  struct engine_config *cf = &cl->config;

  if (engine_config_merge_file (cf, cf->config_file, cl->given, cl->values, &err) < 0)
    {
      if (cl->config_file_given || berth_error_status (err) != ENOENT)
        {
          cleanup_free char *ctx
              = xasprintf ("unable to configure the Docker daemon with file %s", cf->config_file);
          die_error (&err, ctx);
        }
      berth_error_release (&err);
    }
  if (cf->hosts == NULL || cf->hosts[0] == NULL)
    cf->hosts = strv_append (cf->hosts, DEFAULT_HOST);
  if (engine_config_validate (cf, &err) < 0)
    die_error (&err, NULL);
}

/* dockerd's default for a TLS file NAME: under $DOCKER_CERT_PATH, else the
   docker CLI's configuration directory ($DOCKER_CONFIG, ~/.docker).  */
static char *
default_tls_file (const char *name)
{
  const char *dir = getenv ("DOCKER_CERT_PATH");
  const char *home = getenv ("HOME");

  if (dir && dir[0])
    return xasprintf ("%s/%s", dir, name);
  dir = getenv ("DOCKER_CONFIG");
  if (dir && dir[0])
    return xasprintf ("%s/%s", dir, name);
  return xasprintf ("%s/.docker/%s", home && home[0] ? home : "/root", name);
}

/* dockerd's SetDefaultOptions: --tlsverify implies --tls; a file not named
   takes its default, but a default cert or key that does not exist is left
   empty (the error then names ""), as dockerd does.  */
static struct api_tls *
load_tls (struct engine_config *cf)
{
  berth_error_t err = NULL;
  struct api_tls *tls;
  struct
  {
    char **path;
    const char *name;
    bool must_exist;
  } files[] = {
    { &cf->tlscacert, "ca.pem", false },
    { &cf->tlscert, "cert.pem", true },
    { &cf->tlskey, "key.pem", true },
  };

  if (cf->tlsverify)
    cf->tls = true;
  if (!cf->tls)
    return NULL;
  for (size_t i = 0; i < sizeof (files) / sizeof (files[0]); i++)
    if (*files[i].path == NULL)
      {
        *files[i].path = default_tls_file (files[i].name);
        if (files[i].must_exist && access (*files[i].path, F_OK) < 0)
          set_str (files[i].path, "");
      }
  tls = api_tls_new (cf->tlscacert, cf->tlscert, cf->tlskey, cf->tlsverify, &err);
  if (tls == NULL)
    die_error (&err, NULL);
  return tls;
}

static void
set_log_level (const struct engine_config *cf)
{
  enum berth_log_level l = BERTH_LOG_INFO;
  if (cf->debug || strcmp (cf->log_level, "debug") == 0)
    l = BERTH_LOG_DEBUG;
  else if (strcmp (cf->log_level, "warn") == 0)
    l = BERTH_LOG_WARNING;
  else if (strcmp (cf->log_level, "info") != 0)
    l = BERTH_LOG_ERROR;
  berth_log_set_level (l);
}

/* Hold PATH locked for the daemon's life: a second berthd fails here, and
   a pidfile left by a crash (no lock) is simply taken over.  */
static int
lock_pidfile (const char *path)
{
  cleanup_free char *dir = fs_dirname (path);
  berth_error_t err = NULL;
  char buf[32];
  int fd;

  if (fs_mkdir_p (dir, 0755, &err) < 0)
    die_error (&err, "failed to create pidfile directory");
  fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0)
    {
      fprintf (stderr, "failed to start daemon: open pidfile `%s`: %m\n", path);
      exit (1);
    }
  if (flock (fd, LOCK_EX | LOCK_NB) < 0)
    {
      ssize_t n = pread (fd, buf, sizeof (buf) - 1, 0);
      buf[n > 0 ? n : 0] = '\0';
      fprintf (stderr,
               "failed to start daemon, ensure berthd is not running or delete %s: process with "
               "PID %d is still running\n",
               path, atoi (buf));
      exit (1);
    }
  snprintf (buf, sizeof (buf), "%d\n", (int) getpid ());
  if (ftruncate (fd, 0) < 0 || pwrite (fd, buf, strlen (buf), 0) < 0)
    {
      fprintf (stderr, "failed to start daemon: write pidfile `%s`: %m\n", path);
      exit (1);
    }
  return fd;
}

/* glibc's malloc keeps what a burst of requests freed (and the arenas its
   threads made) until the process exits: an idle daemon should not.  One
   arena: berthd's threads spend their time in syscalls, not in malloc, and
   every extra arena keeps its own free pages.  */
#define TRIM_TICK_SECONDS 2
#define TRIM_MIN_FREE (128 * 1024)

static void
tune_malloc (void)
{
  mallopt (M_ARENA_MAX, 1);
}

/* Called every TRIM_TICK_SECONDS: once the heap has changed since the last
   look and holds enough free memory, give its free pages back.  A quiet
   daemon trims once after the burst and then never again.  */
static void
trim_after_burst (size_t *last_in_use)
{
  struct mallinfo2 mi = mallinfo2 ();

  if (mi.uordblks == *last_in_use)
    return;
  *last_in_use = mi.uordblks;
  if (mi.fordblks >= TRIM_MIN_FREE)
    malloc_trim (0);
}

static void
wait_for_signal (void)
{
  const struct timespec tick = { .tv_sec = TRIM_TICK_SECONDS };
  size_t last_in_use = 0;
  sigset_t set;
  int sig;

  sigemptyset (&set);
  sigaddset (&set, SIGTERM);
  sigaddset (&set, SIGINT);
  sigaddset (&set, SIGHUP);
  for (;;)
    {
      sig = sigtimedwait (&set, NULL, &tick);
      if (sig < 0)
        {
          if (errno == EAGAIN)
            trim_after_burst (&last_in_use);
          continue;
        }
      if (sig == SIGHUP)
        {
          log_info ("SIGHUP: configuration reload is not supported yet");
          continue;
        }
      log_info ("processing signal '%s'", strsignal (sig));
      return;
    }
}

/* What `docker info` counts: images and containers.  */
struct stores
{
  struct store_images *images;
  struct engine_containers *containers;
};

static void
count_objects (void *data, struct engine_counts *out)
{
  struct stores *st = data;
  out->images = (int) store_images_count (st->images);
  if (st->containers)
    engine_containers_count (st->containers, out);
}

/* The image store under the data root, reached by the API through the
   engine; `docker info` counts its images.  */
static struct store_images *
open_images (struct engine *engine, struct stores *st)
{
  const struct engine_config *cf = engine_get_config (engine);
  const char *driver = cf->storage_driver && cf->storage_driver[0] ? cf->storage_driver : NULL;
  berth_error_t err = NULL;
  struct store_images *images = NULL;

  /* What a crash left: before any store reads its files.  */
  if (store_repair_data_root (cf->data_root, &err) < 0)
    die_error (&err, "failed to start daemon");
  images = store_images_open (cf->data_root, driver, &err);
  if (images == NULL)
    die_error (&err, "failed to start daemon");
  engine_set_images (engine, images);
  st->images = images;
  engine_set_counts_fn (engine, count_objects, st);
  return images;
}

/* The volume store, before the containers: restoring them re-adds their
   volume references.  */
static struct volume_store *
open_volumes (struct engine *engine)
{
  berth_error_t err = NULL;
  /* BERTH_PLUGIN_DIRS (dir:dir...) replaces the plugin directories, so
     tests can run private plugins; dockerd has no such setting.  */
  const char *pd = getenv ("BERTH_PLUGIN_DIRS");
  cleanup_strv char **dirs = pd && *pd ? strv_split (pd, ':') : NULL;
  struct volume_store *vs = volume_store_open (engine_get_config (engine)->data_root, dirs, &err);

  if (vs == NULL)
    die_error (&err, "failed to start daemon");
  engine_set_volumes (engine, vs);
  return vs;
}

/* The network store, after the volumes and before the containers, whose
   restore re-adopts their endpoints.  BERTH_NFT_TABLE names berth's nft
   table (tests run a private one; dockerd has no such setting).  */
static struct net_store *
open_networks (struct engine *engine)
{
  const struct engine_config *cf = engine_get_config (engine);
  berth_error_t err = NULL;
  cleanup_free char *pools = engine_config_pools_json (cf, &err);
  const char *table = getenv ("BERTH_NFT_TABLE");
  struct net_store_config nc = {
    .data_root = cf->data_root,
    .bridge = cf->bridge && *cf->bridge ? cf->bridge : NULL,
    .bip = cf->bip && *cf->bip ? cf->bip : NULL,
    .default_pools = pools,
    .mtu = cf->mtu,
    .iptables = cf->iptables,
    .ip_forward = cf->ip_forward,
    .userland_proxy = cf->userland_proxy,
    .nft_table = table && *table ? table : NULL,
  };
  struct net_store *ns;

  if (err)
    die_error (&err, "failed to start daemon");
  ns = net_store_open (&nc, &err);
  if (ns == NULL)
    die_error (&err, "failed to start daemon: Error initializing network controller");
  engine_set_networks (engine, ns);
  return ns;
}

/* The container store; berth-shim is found beside berthd's own binary.  */
static struct engine_containers *
open_containers (struct engine *engine, struct stores *st)
{
  berth_error_t err = NULL;
  cleanup_free char *self = realpath ("/proc/self/exe", NULL);
  cleanup_free char *dir = fs_dirname (self ? self : "/usr/bin/berthd");
  cleanup_free char *shim = xasprintf ("%s/berth-shim", dir);
  struct engine_containers *cs = engine_containers_open (engine, st->images, shim, &err);

  if (cs == NULL)
    die_error (&err, "failed to start daemon");
  engine_set_containers (engine, cs);
  st->containers = cs;
  return cs;
}

static struct api_server *
serve (struct engine *engine, struct api_tls *tls)
{
  const struct engine_config *cf = engine_get_config (engine);
  berth_error_t err = NULL;
  struct api_server *server = api_server_new (engine, &err);

  if (server == NULL)
    die_error (&err, "failed to start daemon");
  api_server_set_tls (server, tls);
  for (size_t i = 0; cf->hosts[i]; i++)
    {
      /* dockerd's warnings, without its deliberate slow start.  */
      if (str_has_prefix (cf->hosts[i], "tcp://") && !api_tls_verifies (tls))
        {
          log_warning ("Binding to IP address without --tlsverify is insecure and gives root "
                       "access on this machine to everyone who has access to your network.  "
                       "host=\"%s\"",
                       cf->hosts[i]);
          log_warning ("Binding to an IP address, even on localhost, can also give access to "
                       "scripts run in a browser. Be safe out there!  host=\"%s\"",
                       cf->hosts[i]);
        }
      if (api_server_listen (server, cf->hosts[i], cf->group, &err) < 0)
        {
          api_server_free (server);
          die_error (&err, "failed to load listeners");
        }
      /* fd:// (systemd socket activation) is logged as given.  */
      log_info ("API listen on %s", cf->hosts[i]
                                        + (str_has_prefix (cf->hosts[i], "unix://")  ? 7
                                           : str_has_prefix (cf->hosts[i], "tcp://") ? 6
                                                                                     : 0));
    }
  return server;
}

int
main (int argc, char **argv)
{
  struct cmdline cl = { 0 };
  berth_error_t err = NULL;
  struct engine *engine;
  struct api_server *server;
  struct store_images *images;
  struct engine_containers *containers;
  struct volume_store *volumes;
  struct net_store *networks;
  struct stores stores = { 0 };
  struct api_tls *tls;
  sigset_t set;
  int pidfd;
  cleanup_free char *pidfile = NULL;

  tune_malloc ();
  engine_config_init (&cl.config);
  /* dockerd's --tlsverify defaults to $DOCKER_TLS_VERIFY being set.  */
  cl.config.tlsverify = getenv ("DOCKER_TLS_VERIFY") && getenv ("DOCKER_TLS_VERIFY")[0];
  parse_flags (&cl, argc, argv);
  load_config (&cl);
  set_log_level (&cl.config);
  /* dockerd's --validate checks the configuration, not the TLS files.  */
  if (cl.validate)
    {
      printf ("configuration OK\n");
      engine_config_release (&cl.config);
      strv_free (cl.given);
      strv_free (cl.values);
      return 0;
    }
  /* Signals are taken by sigwait in this thread only: block them before
     any thread starts, so every thread inherits the mask.  */
  sigemptyset (&set);
  sigaddset (&set, SIGTERM);
  sigaddset (&set, SIGINT);
  sigaddset (&set, SIGHUP);
  pthread_sigmask (SIG_BLOCK, &set, NULL);
  signal (SIGPIPE, SIG_IGN);

  tls = load_tls (&cl.config);
  pidfile = xstrdup (cl.config.pidfile);
  pidfd = lock_pidfile (pidfile);
  strv_free (cl.given);
  strv_free (cl.values);
  engine = engine_new (&cl.config, &err);
  if (engine == NULL)
    die_error (&err, "failed to start daemon");
  images = open_images (engine, &stores);
  volumes = open_volumes (engine);
  networks = open_networks (engine);
  containers = open_containers (engine, &stores);
  server = serve (engine, tls);
  log_info ("berthd %s started: data root `%s`", BERTH_VERSION,
            engine_get_config (engine)->data_root);
  wait_for_signal ();
  api_server_free (server);
  engine_set_counts_fn (engine, NULL, NULL);
  engine_set_containers (engine, NULL);
  engine_containers_close (containers);
  engine_set_volumes (engine, NULL);
  volume_store_free (volumes);
  engine_set_networks (engine, NULL);
  /* Without live-restore berth's links and rules go with it, as dockerd's
     do (the store keeps them while containers are still on them).  */
  net_store_close (networks, !engine_get_config (engine)->live_restore);
  engine_set_images (engine, NULL);
  store_images_close (images);
  engine_free (engine);
  unlink (pidfile);
  close (pidfd);
  log_info ("berthd stopped");
  return 0;
}

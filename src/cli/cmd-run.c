/* berth — `run`, `create`, `start`, `attach`, `wait` and `rm`, in docker
   28's sequence: create (pulling a missing image), attach before start,
   wait registered before start, start, resize, relay, the exit code.  */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/base.h"
#include "cli/cli.h"
#include "cli/cmd-run.h"
#include "cli/progress.h"
#include "cli/run-opts.h"
#include "cli/stream.h"
#include "cli/tty.h"

#include "cli/cmd-run-flags.h"

static const struct cli_flag run_flags[] = {
  RUN_COMMON_FLAGS RUN_F ("detach", 'd', BOOL, NULL,
                          "Run container in background and print container ID", NULL, 0)
      RUN_F ("detach-keys", 0, STRING, NULL, "Override the key sequence for detaching a container",
             NULL, 0) RUN_F ("pull", 0, STRING, "missing",
                             "Pull image before running (\"always\", \"missing\", \"never\")", NULL,
                             0) RUN_F ("sig-proxy", 0, BOOL, "true",
                                       "Proxy received signals to the process", NULL, 0){ NULL },
};

static const struct cli_flag create_flags[] = {
  RUN_COMMON_FLAGS RUN_F ("pull", 0, STRING, "missing",
                          "Pull image before creating (\"always\", \"|missing\", \"never\")", NULL,
                          0){ NULL },
};

/* The value when given, else NULL: run-opts tells "not given" apart.  */
static const char *
given (const struct cli_args *a, const char *name)
{
  return cli_flag_set (a, name) ? cli_flag_string (a, name) : NULL;
}

static char **
strings2 (const struct cli_args *a, const char *n1, const char *n2)
{
  char **v = strv_dup (cli_flag_strings (a, n1));
  for (char *const *p = cli_flag_strings (a, n2); p && *p; p++)
    v = strv_append (v, *p);
  return v;
}

static void
fill_process (const struct cli_args *a, struct cli_run_opts *o)
{
  o->attach = (char **) cli_flag_strings (a, "attach");
  /* create has no --detach.  */
  o->detach = strcmp (a->cmd->name, "run") == 0 && cli_flag_bool (a, "detach");
  o->interactive = cli_flag_bool (a, "interactive");
  o->tty = cli_flag_bool (a, "tty");
  o->env = (char **) cli_flag_strings (a, "env");
  o->env_file = (char **) cli_flag_strings (a, "env-file");
  o->label = (char **) cli_flag_strings (a, "label");
  o->label_file = (char **) cli_flag_strings (a, "label-file");
  o->workdir = given (a, "workdir");
  o->user = given (a, "user");
  o->hostname = given (a, "hostname");
  o->domainname = given (a, "domainname");
  o->entrypoint = given (a, "entrypoint");
  o->stop_signal = given (a, "stop-signal");
  o->stop_timeout = given (a, "stop-timeout");
  o->group_add = (char **) cli_flag_strings (a, "group-add");
  o->publish = (char **) cli_flag_strings (a, "publish");
  o->expose = (char **) cli_flag_strings (a, "expose");
  o->publish_all = cli_flag_bool (a, "publish-all");
  o->volume = (char **) cli_flag_strings (a, "volume");
  o->mount = (char **) cli_flag_strings (a, "mount");
  o->tmpfs = (char **) cli_flag_strings (a, "tmpfs");
  o->volumes_from = (char **) cli_flag_strings (a, "volumes-from");
  o->storage_opt = (char **) cli_flag_strings (a, "storage-opt");
  o->volume_driver = given (a, "volume-driver");
}

static void
fill_resources (const struct cli_args *a, struct cli_run_opts *o)
{
  o->memory = given (a, "memory");
  o->memory_swap = given (a, "memory-swap");
  o->memory_reservation = given (a, "memory-reservation");
  o->kernel_memory = given (a, "kernel-memory");
  o->memory_swappiness = given (a, "memory-swappiness");
  o->shm_size = given (a, "shm-size");
  o->oom_score_adj = given (a, "oom-score-adj");
  o->pids_limit = given (a, "pids-limit");
  o->blkio_weight = given (a, "blkio-weight");
  o->cpus = given (a, "cpus");
  o->cpu_shares = given (a, "cpu-shares");
  o->cpu_period = given (a, "cpu-period");
  o->cpu_quota = given (a, "cpu-quota");
  o->cpu_rt_period = given (a, "cpu-rt-period");
  o->cpu_rt_runtime = given (a, "cpu-rt-runtime");
  o->cpuset_cpus = given (a, "cpuset-cpus");
  o->cpuset_mems = given (a, "cpuset-mems");
  o->cgroup_parent = given (a, "cgroup-parent");
  o->ulimit = (char **) cli_flag_strings (a, "ulimit");
  o->device = (char **) cli_flag_strings (a, "device");
  o->device_cgroup_rule = (char **) cli_flag_strings (a, "device-cgroup-rule");
  o->oom_kill_disable = cli_flag_bool (a, "oom-kill-disable");
}

/* Fills O; the vectors that merge two flags are new (*OWNED frees them).  */
static void
fill_opts (const struct cli_args *a, struct cli_run_opts *o, char ***owned)
{
  fill_process (a, o);
  fill_resources (a, o);
  o->restart = given (a, "restart");
  o->rm = cli_flag_bool (a, "rm");
  o->privileged = cli_flag_bool (a, "privileged");
  o->read_only = cli_flag_bool (a, "read-only");
  o->init = cli_flag_bool (a, "init");
  o->init_set = cli_flag_set (a, "init");
  o->cap_add = (char **) cli_flag_strings (a, "cap-add");
  o->cap_drop = (char **) cli_flag_strings (a, "cap-drop");
  o->security_opt = (char **) cli_flag_strings (a, "security-opt");
  o->sysctl = (char **) cli_flag_strings (a, "sysctl");
  o->runtime = given (a, "runtime");
  o->cgroupns = given (a, "cgroupns");
  o->ipc = given (a, "ipc");
  o->pid = given (a, "pid");
  o->uts = given (a, "uts");
  o->userns = given (a, "userns");
  o->isolation = given (a, "isolation");
  o->cidfile = given (a, "cidfile");
  o->network = owned[0] = strings2 (a, "network", "net");
  o->network_alias = owned[1] = strings2 (a, "network-alias", "net-alias");
  o->dns_option = owned[2] = strings2 (a, "dns-option", "dns-opt");
  o->link = (char **) cli_flag_strings (a, "link");
  o->link_local_ip = (char **) cli_flag_strings (a, "link-local-ip");
  o->ip = given (a, "ip");
  o->ip6 = given (a, "ip6");
  o->mac_address = given (a, "mac-address");
  o->dns = (char **) cli_flag_strings (a, "dns");
  o->dns_search = (char **) cli_flag_strings (a, "dns-search");
  o->add_host = (char **) cli_flag_strings (a, "add-host");
  o->health_cmd = given (a, "health-cmd");
  o->health_interval = given (a, "health-interval");
  o->health_timeout = given (a, "health-timeout");
  o->health_retries = given (a, "health-retries");
  o->health_start_period = given (a, "health-start-period");
  o->health_start_interval = given (a, "health-start-interval");
  o->no_healthcheck = cli_flag_bool (a, "no-healthcheck");
  o->log_driver = given (a, "log-driver");
  o->log_opt = (char **) cli_flag_strings (a, "log-opt");
}

/* Flags the daemon has no field for yet: refused rather than dropped.  */
static const char *
unsupported_flag (const struct cli_args *a)
{
  static const char *const names[] = { "annotation",
                                       "blkio-weight-device",
                                       "device-read-bps",
                                       "device-read-iops",
                                       "device-write-bps",
                                       "device-write-iops",
                                       "gpus",
                                       "use-api-socket",
                                       NULL };
  for (size_t i = 0; names[i]; i++)
    if (cli_flag_set (a, names[i]))
      return names[i];
  return NULL;
}

/* reference.FamiliarString(TagNameOnly(ref)): ":latest" when untagged.  */
static char *
image_with_tag (const char *image)
{
  const char *slash = strrchr (image, '/');
  const char *name = slash ? slash + 1 : image;
  if (strchr (image, '@') || strchr (name, ':'))
    return xstrdup (image);
  return xasprintf ("%s:latest", image);
}

static int
pull_chunk (const char *data, size_t len, void *opaque)
{
  struct cli_progress *p = opaque;
  berth_error_t err = NULL;
  if (cli_progress_feed (p, data, len, &err) < 0)
    {
      fprintf (stderr, "berth: %s\n", err->msg);
      berth_error_release (&err);
      return -1;
    }
  return 0;
}

/* POST /images/create for IMAGE, progress on stderr as docker's run shows
   it.  Returns 0 or the exit status with the error printed.  */
static int
pull_image (struct cli *cli, const struct cli_args *a, const char *image, const char *platform,
            bool quiet, int fst)
{
  cleanup_free char *ref = image_with_tag (image);
  cleanup_free char *query = NULL;
  char *at = strchr (ref, '@'), *slash = strrchr (ref, '/');
  char *colon = strrchr (slash ? slash : ref, ':');
  char *split = at ? at : colon;
  cleanup_free char *name = xstrndup (ref, (size_t) (split - ref));
  cli_query_add (&query, "fromImage", name);
  cli_query_add (&query, "tag", split + 1);
  if (platform && *platform)
    cli_query_add (&query, "platform", platform);
  cleanup_free char *path = cli_path (cli, "/images/create%s", query);
  struct cli_progress *p = cli_progress_new (quiet ? -1 : 2, cli_tty_is_terminal (2), 200);
  struct cli_response r = { 0 };
  int ret = path ? cli_stream (cli, "POST", path, NULL, -1, pull_chunk, p, &r) : -1;
  berth_error_t err = NULL;
  if (ret < 0 && r.status == 0)
    ret = cli_fail (cli, a, fst);
  else if (r.status >= 400)
    ret = cli_fail_response (cli, a, &r, fst);
  else if (ret < 0)
    ret = fst;
  else if (cli_progress_finish (p, &err) < 0)
    ret = cli_fail_msg (a, fst, "%s", err->msg);
  berth_error_release (&err);
  cli_progress_free (p);
  cli_response_clear (&r);
  return ret;
}

static bool
no_such_image (const struct cli_response *r)
{
  cleanup_free char *m = cli_response_message (r);
  return r->status == 404 && strstr (m, "No such image") != NULL;
}

static int
post_create (struct cli *cli, const char *query, json_object *body, struct cli_response *r)
{
  cleanup_free char *path = cli_path (cli, "/containers/create%s", query ? query : "");
  return path ? cli_request_json (cli, "POST", path, body, r) : -1;
}

/* docker's createContainer: pull on "No such image" (per --pull), print
   the daemon's warnings, write --cidfile.  *ID gets the new ID.  FST is
   the status of a failure: run's 125 (docker's toStatusError: named, with
   the help pointer), create's 1 (docker's create returns the daemon's
   error as is: plain, no help pointer).  */
static int
post_create_pull (struct cli *cli, const struct cli_args *a, json_object *body, const char *image,
                  int fst, char **id)
{
  const char *pull = cli_flag_string (a, "pull"), *platform = given (a, "platform");
  const char *name = given (a, "name");
  bool quiet = cli_flag_bool (a, "quiet");
  cleanup_free char *query = NULL;
  if (name)
    cli_query_add (&query, "name", name);
  if (platform && *platform)
    cli_query_add (&query, "platform", platform);
  int ret;
  if (strcmp (pull, "always") == 0 && (ret = pull_image (cli, a, image, platform, quiet, fst)) != 0)
    return ret;
  struct cli_response r = { 0 };
  if (post_create (cli, query, body, &r) < 0)
    return cli_fail (cli, a, fst);
  if (no_such_image (&r) && strcmp (pull, "missing") == 0)
    {
      cleanup_free char *ref = image_with_tag (image);
      fprintf (stderr, "Unable to find image '%s' locally\n", ref);
      cli_response_clear (&r);
      if ((ret = pull_image (cli, a, image, platform, quiet, fst)) != 0)
        return ret;
      if (post_create (cli, query, body, &r) < 0)
        return cli_fail (cli, a, fst);
    }
  if (r.status >= 400)
    {
      cleanup_free char *m = cli_response_message (&r);
      cleanup_free char *msg = xasprintf ("Error response from daemon: %s", m);
      cli_response_clear (&r);
      return cli_run_create_fail (a, fst, msg);
    }
  cleanup_json json_object *o = json_tokener_parse (r.body);
  cli_response_clear (&r);
  json_object *v = NULL, *w = NULL;
  if (!json_object_object_get_ex (o, "Id", &v))
    return cli_fail_msg (a, fst, "bad answer from the daemon");
  for (size_t i = 0;
       json_object_object_get_ex (o, "Warnings", &w) && i < json_object_array_length (w); i++)
    fprintf (stderr, "WARNING: %s\n", json_object_get_string (json_object_array_get_idx (w, i)));
  *id = xstrdup (json_object_get_string (v));
  return 0;
}

static int
create_container (struct cli *cli, const struct cli_args *a, json_object *body, const char *image,
                  int fst, char **id)
{
  const char *pull = cli_flag_string (a, "pull"), *file = given (a, "cidfile");
  if (strcmp (pull, "always") && strcmp (pull, "missing") && strcmp (pull, "never"))
    return cli_fail_msg (a, 125,
                         "invalid pull option: '%s': must be one of \"always\", \"missing\" or "
                         "\"never\"",
                         pull);
  cleanup_close int fd = cli_run_open_cidfile (a, file, fst);
  if (fd < -1)
    return -2 - fd;
  int ret = post_create_pull (cli, a, body, image, fst, id);
  if (fd < 0)
    return ret;
  /* Like docker's cidFile.Close: a file nothing was written to goes.  */
  if (ret == 0 && write (fd, *id, strlen (*id)) == (ssize_t) strlen (*id))
    return 0;
  if (ret == 0)
    {
      char buf[128];
      cleanup_free char *m
          = xasprintf ("failed to write the container ID to the file: write %s: %s", file,
                       cli_go_strerror (errno, buf));
      ret = cli_run_create_fail (a, fst, m);
    }
  unlink (file);
  return ret;
}

/* Parse the flags into the create body; 0 or the exit status printed.  */
static int
build_body (const struct cli_args *a, json_object **body)
{
  const char *bad = unsupported_flag (a);
  if (bad)
    return cli_fail_msg (a, 125, "--%s is not supported yet", bad);
  struct cli_run_opts o = { 0 };
  char **owned[3] = { NULL, NULL, NULL };
  fill_opts (a, &o, owned);
  if (o.tty && cli_tty_is_terminal (1))
    cli_tty_get_size (1, &o.console_height, &o.console_width);
  berth_error_t err = NULL;
  *body = cli_run_opts_to_create (&o, a->argv[0], a->argc > 1 ? a->argv + 1 : NULL, &err);
  for (int i = 0; i < 3; i++)
    strv_free (owned[i]);
  if (*body)
    return 0;
  int ret = err->status == CLI_RUN_OPTS_EFLAG ? cli_usage_error (a, err->msg)
                                              : cli_fail_msg (a, 125, "%s", err->msg);
  berth_error_release (&err);
  return ret;
}

static int
cmd_create (struct cli *cli, struct cli_args *a)
{
  cleanup_json json_object *body = NULL;
  int ret = build_body (a, &body);
  if (ret)
    return ret;
  cleanup_free char *id = NULL;
  if ((ret = create_container (cli, a, body, a->argv[0], 1, &id)) != 0)
    return ret;
  puts (id);
  return 0;
}

/* ---- wait: registered before start on its own connection ---- */

/* The headers of the wait answer wait_send read (one wait per process).  */
static char *wait_head;

/* Send POST /containers/ID/wait?condition=COND and read the answer's
   headers into wait_head, leaving its body unread: docker's ContainerWait
   before ContainerStart.  -1: not sent.  */
static int
wait_send (struct cli *cli, const char *id, const char *cond)
{
  cleanup_free char *path = cli_path (cli, "/containers/%s/wait?condition=%s", id, cond);
  if (path == NULL)
    return -1;
  int fd = cli_dial (cli);
  if (fd < 0)
    return berth_error_release (&cli->err), -1;
  cleanup_free char *req
      = xasprintf ("POST %s HTTP/1.1\r\nHost: localhost\r\nUser-Agent: berth/" BERTH_VERSION
                   "\r\nContent-Length: 0\r\nConnection: "
                   "close\r\n\r\n",
                   path);
  size_t len = strlen (req), off = 0;
  while (off < len)
    {
      ssize_t n = write (fd, req + off, len - off);
      if (n <= 0)
        return close (fd), -1;
      off += (size_t) n;
    }
  /* Like the docker CLI (Go's client returns once the headers are in),
     wait for the answer's headers before the caller starts the container:
     then the daemon has registered the wait, and a container that exits
     at once still ends it.  Byte by byte: the body is wait_finish's.  */
  free (wait_head);
  wait_head = NULL;
  size_t n = 0;
  char c;
  while (n < 8192 && (n < 4 || memcmp (wait_head + n - 4, "\r\n\r\n", 4) != 0))
    {
      ssize_t r = read (fd, &c, 1);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        break;
      wait_head = xrealloc (wait_head, n + 2);
      wait_head[n++] = c;
      wait_head[n] = '\0';
    }
  return fd;
}

/* A failed wait: run and start -a log "error waiting for container" and
   exit 125; attach (PLAIN, docker's getExitStatus) prints the error alone
   and exits 1.  */
static int
wait_error (bool plain, const char *msg)
{
  if (plain)
    return fprintf (stderr, "%s\n", msg), 1;
  return fprintf (stderr, "Error waiting for container: %s\n", msg), 125;
}

/* Read the wait answer: the exit code, or the wait's error printed.  */
static int
wait_finish (struct cli *cli, const struct cli_args *a, int fd, const char *id, const char *cond,
             bool plain)
{
  cleanup_free char *buf = NULL;
  size_t len = 0, cap = 0;
  if (fd < 0)
    {
      /* No raw connection: a plain (blocking) request now.  */
      cleanup_free char *path = cli_path (cli, "/containers/%s/wait?condition=%s", id, cond);
      struct cli_response r = { 0 };
      if (path == NULL || cli_request (cli, "POST", path, NULL, &r) < 0)
        return cli_fail (cli, NULL, 125);
      buf = xasprintf ("HTTP/1.1 %ld X\r\n\r\n%s", r.status, r.body ? r.body : "");
      len = strlen (buf);
      cli_response_clear (&r);
    }
  else
    {
      if (wait_head)
        {
          buf = steal_pointer (&wait_head);
          len = strlen (buf);
          cap = len + 1;
        }
      for (;;)
        {
          if (len + 4096 + 1 > cap)
            buf = xrealloc (buf, cap = (cap + 4096) * 2);
          ssize_t n = read (fd, buf + len, cap - len - 1);
          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            break;
          len += (size_t) n;
        }
      close (fd);
      if (buf == NULL)
        buf = xstrdup ("");
      buf[len] = '\0';
    }
  long status = 0;
  char *head_end = strstr (buf, "\r\n\r\n");
  char *open = head_end ? strchr (head_end, '{') : NULL, *close_ = strrchr (buf, '}');
  if (sscanf (buf, "HTTP/1.%*d %ld", &status) != 1 || !open || !close_ || close_ < open)
    return wait_error (plain, "unexpected EOF");
  close_[1] = '\0';
  cleanup_json json_object *o = json_tokener_parse (open);
  json_object *v = NULL, *m = NULL;
  if (status >= 400)
    {
      json_object_object_get_ex (o, "message", &m);
      return wait_error (plain, m ? json_object_get_string (m) : "");
    }
  if (json_object_object_get_ex (o, "Error", &v) && v
      && json_object_object_get_ex (v, "Message", &m) && *json_object_get_string (m))
    return wait_error (plain, json_object_get_string (m));
  (void) a;
  return json_object_object_get_ex (o, "StatusCode", &v) ? json_object_get_int (v) : 125;
}

/* docker's run prints its start errors with its name and help pointer
   whatever the status (125, 126, 127); cli_fail_response does so for 125
   only.  */
static void
run_fail_response (struct cli *cli, const struct cli_args *a, const struct cli_response *r,
                   int status)
{
  if (status == 125 || status == 1)
    {
      cli_fail_response (cli, a, r, status);
      return;
    }
  cleanup_free char *m = cli_response_message (r);
  fprintf (stderr,
           "berth: Error response from daemon: %s\n\nRun '%s --help' for more information\n", m,
           a->path);
}

static int
start_container (struct cli *cli, const char *id, struct cli_response *r)
{
  cleanup_free char *path = cli_path (cli, "/containers/%s/start", id);
  return path ? cli_request (cli, "POST", path, NULL, r) : -1;
}

/* The streams the create body asked for.  */
static void
body_attach (json_object *body, bool *in, bool *out, bool *err, bool *tty)
{
  json_object *v = NULL;
  *in = json_object_object_get_ex (body, "AttachStdin", &v) && json_object_get_boolean (v);
  *out = json_object_object_get_ex (body, "AttachStdout", &v) && json_object_get_boolean (v);
  *err = json_object_object_get_ex (body, "AttachStderr", &v) && json_object_get_boolean (v);
  *tty = json_object_object_get_ex (body, "Tty", &v) && json_object_get_boolean (v);
}

static char *
attach_path (struct cli *cli, const char *id, bool in, bool out, bool err, const char *keys)
{
  cleanup_free char *query = NULL;
  cli_query_add (&query, "stream", "1");
  if (in)
    cli_query_add (&query, "stdin", "1");
  if (out)
    cli_query_add (&query, "stdout", "1");
  if (err)
    cli_query_add (&query, "stderr", "1");
  if (keys && *keys)
    cli_query_add (&query, "detachKeys", keys);
  return cli_path (cli, "/containers/%s/attach%s", id, query);
}

/* Start and relay an attached session S whose wait was sent on WFD;
   START_STATUS is the exit status of a start failure for this command
   (run: docker's runStartContainerErr; start: 1).  */
static int
start_attached (struct cli_session *s, const struct cli_args *a, int wfd, const char *cond,
                bool is_run)
{
  struct cli_response r = { 0 };
  if (start_container (s->cli, s->id, &r) < 0 || r.status >= 400)
    {
      int st = 125;
      if (r.status >= 400)
        {
          cleanup_free char *m = cli_response_message (&r);
          st = is_run ? cli_start_error_status (m) : 1;
          run_fail_response (s->cli, a, &r, st);
        }
      else
        cli_fail (s->cli, a, is_run ? 125 : 1);
      cli_response_clear (&r);
      cli_session_clear (s);
      if (wfd >= 0 && strcmp (cond, "removed") == 0)
        wait_finish (s->cli, a, wfd, s->id, cond, false);
      else if (wfd >= 0)
        close (wfd);
      return st;
    }
  cli_response_clear (&r);
  if (s->fd >= 0 && s->tty && cli_tty_is_terminal (1))
    cli_session_resize (s);
  if (s->fd >= 0)
    {
      int ret = cli_session_relay (s);
      if (ret == CLI_RELAY_DETACHED || ret < 0)
        {
          if (wfd >= 0)
            close (wfd);
          return ret < 0 ? 1 : 0;
        }
    }
  return wait_finish (s->cli, a, wfd, s->id, cond, false);
}

/* docker's run -d prints the ID from a goroutine it starts before
   ContainerStart: the ID is out before the start's answer, also when the
   start fails (then its error follows on stderr).  */
static int
run_detached (struct cli *cli, const struct cli_args *a, const char *id)
{
  struct cli_response r = { 0 };
  puts (id);
  fflush (stdout);
  if (start_container (cli, id, &r) < 0)
    return cli_fail (cli, a, 125);
  if (r.status >= 400)
    {
      cleanup_free char *m = cli_response_message (&r);
      int st = cli_start_error_status (m);
      run_fail_response (cli, a, &r, st);
      cli_response_clear (&r);
      return st;
    }
  cli_response_clear (&r);
  return 0;
}

static int
cmd_run (struct cli *cli, struct cli_args *a)
{
  if (cli_flag_bool (a, "detach") && cli_flag_strings (a, "attach"))
    return fputs ("conflicting options: cannot specify both --attach and --detach\n", stderr), 1;
  cleanup_json json_object *body = NULL;
  int ret = build_body (a, &body);
  if (ret)
    return ret;
  bool in, out, err, tty;
  body_attach (body, &in, &out, &err, &tty);
  bool detach = cli_flag_bool (a, "detach");
  if (!detach && cli_session_check_tty (in, tty) < 0)
    return 1;
  cleanup_free char *id = NULL;
  if ((ret = create_container (cli, a, body, a->argv[0], 125, &id)) != 0)
    return ret;
  if (detach)
    return run_detached (cli, a, id);
  cleanup_free char *dkeys = cli_detach_keys (cli, given (a, "detach-keys"));
  struct cli_session s = { .cli = cli,
                           .id = id,
                           .in = in,
                           .out = out,
                           .err = err,
                           .tty = tty,
                           .sig_proxy = cli_flag_bool (a, "sig-proxy"),
                           .fd = -1,
                           .detach_keys = dkeys };
  if (!out && !err)
    puts (id), fflush (stdout);
  cleanup_free char *apath = attach_path (cli, id, in, out, err, s.detach_keys);
  if ((in || out || err) && cli_session_attach (&s, a, apath, NULL, 125) < 0)
    return cli_session_clear (&s), 125;
  const char *cond = cli_flag_bool (a, "rm") ? "removed" : "next-exit";
  int wfd = wait_send (cli, id, cond);
  ret = start_attached (&s, a, wfd, cond, true);
  cli_session_clear (&s);
  return ret;
}

/* ---- start, attach ---- */

/* GET /containers/NAME/json: the object, or NULL with the error printed.  */
static json_object *
inspect (struct cli *cli, const struct cli_args *a, const char *name)
{
  cleanup_free char *path = cli_path (cli, "/containers/%s/json", name);
  struct cli_response r = { 0 };
  if (path == NULL || cli_request (cli, "GET", path, NULL, &r) < 0)
    return cli_fail (cli, a, 1), NULL;
  if (r.status >= 400)
    return cli_fail_response (cli, a, &r, 1), cli_response_clear (&r), NULL;
  json_object *o = json_tokener_parse (r.body);
  cli_response_clear (&r);
  return o;
}

static bool
jbool (json_object *o, const char *k1, const char *k2)
{
  json_object *v = NULL, *w = NULL;
  return json_object_object_get_ex (o, k1, &v) && json_object_object_get_ex (v, k2, &w)
         && json_object_get_boolean (w);
}

static const char *
jstr (json_object *o, const char *k)
{
  json_object *v = NULL;
  return json_object_object_get_ex (o, k, &v) ? json_object_get_string (v) : "";
}

static int
start_attach (struct cli *cli, struct cli_args *a)
{
  if (a->argc > 1)
    return fputs ("you cannot start and attach multiple containers at once\n", stderr), 1;
  cleanup_json json_object *c = inspect (cli, a, a->argv[0]);
  if (c == NULL)
    return 1;
  bool tty = jbool (c, "Config", "Tty");
  bool in = cli_flag_bool (a, "interactive") && jbool (c, "Config", "OpenStdin");
  if (cli_session_check_tty (in, tty) < 0)
    return 1;
  const char *id = jstr (c, "Id");
  cleanup_free char *dkeys = cli_detach_keys (cli, given (a, "detach-keys"));
  struct cli_session s = { .cli = cli,
                           .id = id,
                           .in = in,
                           .out = true,
                           .err = true,
                           .tty = tty,
                           .sig_proxy = !tty,
                           .fd = -1,
                           .detach_keys = dkeys };
  cleanup_free char *apath = attach_path (cli, id, in, true, true, s.detach_keys);
  if (cli_session_attach (&s, a, apath, NULL, 1) < 0)
    return cli_session_clear (&s), 1;
  const char *cond = jbool (c, "HostConfig", "AutoRemove") ? "removed" : "next-exit";
  int wfd = wait_send (cli, id, cond);
  int ret = start_attached (&s, a, wfd, cond, false);
  cli_session_clear (&s);
  return ret;
}

static int
cmd_start (struct cli *cli, struct cli_args *a)
{
  if (cli_flag_bool (a, "attach") || cli_flag_bool (a, "interactive"))
    return start_attach (cli, a);
  if (cli_flag_set (a, "checkpoint") || cli_flag_set (a, "checkpoint-dir"))
    return fputs ("checkpoints are not supported yet\n", stderr), 1;
  cleanup_free char *failed = NULL;
  for (int i = 0; i < a->argc; i++)
    {
      struct cli_response r = { 0 };
      cleanup_free char *path = cli_path (cli, "/containers/%s/start", a->argv[i]);
      if (path == NULL || cli_request (cli, "POST", path, NULL, &r) < 0)
        return cli_fail (cli, a, 1);
      if (r.status >= 400)
        {
          cli_fail_response (cli, a, &r, 1);
          char *f = failed ? xasprintf ("%s, %s", failed, a->argv[i]) : xstrdup (a->argv[i]);
          free (failed);
          failed = f;
        }
      else
        puts (a->argv[i]), fflush (stdout); /* in order with the errors */
      cli_response_clear (&r);
    }
  if (failed)
    return fprintf (stderr, "Error: failed to start containers: %s\n", failed), 1;
  return 0;
}

static int
cmd_attach (struct cli *cli, struct cli_args *a)
{
  cleanup_json json_object *c = inspect (cli, a, a->argv[0]);
  if (c == NULL)
    return 1;
  if (!jbool (c, "State", "Running"))
    return fputs ("You cannot attach to a stopped container, start it first\n", stderr), 1;
  if (jbool (c, "State", "Paused"))
    return fputs ("You cannot attach to a paused container, unpause it first\n", stderr), 1;
  if (jbool (c, "State", "Restarting"))
    return fputs ("You cannot attach to a restarting container, wait until it is running\n",
                  stderr),
           1;
  bool tty = jbool (c, "Config", "Tty");
  bool in = !cli_flag_bool (a, "no-stdin") && jbool (c, "Config", "OpenStdin");
  if (cli_session_check_tty (in, tty) < 0)
    return 1;
  const char *id = jstr (c, "Id");
  cleanup_free char *dkeys = cli_detach_keys (cli, given (a, "detach-keys"));
  struct cli_session s = { .cli = cli,
                           .id = id,
                           .in = in,
                           .out = true,
                           .err = true,
                           .tty = tty,
                           .sig_proxy = cli_flag_bool (a, "sig-proxy") && !tty,
                           .fd = -1,
                           .detach_keys = dkeys };
  int wfd = wait_send (cli, id, "not-running");
  cleanup_free char *apath = attach_path (cli, id, in, true, true, s.detach_keys);
  if (cli_session_attach (&s, a, apath, NULL, 1) < 0)
    return cli_session_clear (&s), wfd >= 0 ? close (wfd) : 0, 1;
  if (tty && cli_tty_is_terminal (1))
    cli_session_resize (&s);
  int ret = cli_session_relay (&s);
  cli_session_clear (&s);
  if (ret < 0 || ret == CLI_RELAY_DETACHED)
    {
      if (wfd >= 0)
        close (wfd);
      if (ret == CLI_RELAY_DETACHED)
        fputs (CLI_DETACH_MESSAGE "\n", stderr);
      return 1;
    }
  return wait_finish (cli, a, wfd, id, "not-running", true);
}

/* ---- wait, rm ---- */

static int
cmd_wait (struct cli *cli, struct cli_args *a)
{
  int ret = 0;
  cleanup_free char *errs = NULL;
  for (int i = 0; i < a->argc; i++)
    {
      struct cli_response r = { 0 };
      cleanup_free char *path = cli_path (cli, "/containers/%s/wait", a->argv[i]);
      if (path == NULL || cli_request (cli, "POST", path, NULL, &r) < 0)
        return cli_fail (cli, a, 1);
      if (r.status >= 400)
        {
          /* docker gathers the errors and prints them after the codes.  */
          cleanup_free char *m = cli_response_message (&r);
          char *e = xasprintf ("%s%sError response from daemon: %s", errs ? errs : "",
                               errs ? "\n" : "", m);
          free (errs);
          errs = e;
          ret = 1;
        }
      else
        {
          cleanup_json json_object *o = json_tokener_parse (r.body);
          printf ("%s\n", jstr (o, "StatusCode"));
          fflush (stdout);
        }
      cli_response_clear (&r);
    }
  if (errs)
    fprintf (stderr, "%s\n", errs);
  return ret;
}

static int
cmd_rm (struct cli *cli, struct cli_args *a)
{
  int ret = 0;
  bool force = cli_flag_bool (a, "force");
  for (int i = 0; i < a->argc; i++)
    {
      if (*a->argv[i] == '\0')
        {
          fputs ("container name cannot be empty\n", stderr);
          ret = 1;
          continue;
        }
      cleanup_free char *query = NULL;
      if (cli_flag_bool (a, "volumes"))
        cli_query_add (&query, "v", "1");
      if (cli_flag_bool (a, "link"))
        cli_query_add (&query, "link", "1");
      if (force)
        cli_query_add (&query, "force", "1");
      cleanup_free char *path = cli_path (cli, "/containers/%s%s", a->argv[i], query ? query : "");
      struct cli_response r = { 0 };
      if (path == NULL || cli_request (cli, "DELETE", path, NULL, &r) < 0)
        return cli_fail (cli, a, 1);
      if (r.status >= 400)
        {
          /* docker: a missing container is no failure with -f.  */
          cli_fail_response (cli, a, &r, 1);
          if (!(force && r.status == 404))
            ret = 1;
        }
      else
        puts (a->argv[i]), fflush (stdout); /* in order with the errors */
      cli_response_clear (&r);
    }
  return ret;
}

static const struct cli_flag start_flags[] = {
  { "attach", 'a', CLI_FLAG_BOOL, NULL, "Attach STDOUT/STDERR and forward signals", NULL, 0 },
  { "checkpoint", 0, CLI_FLAG_STRING, NULL, "Restore from this checkpoint", NULL, CLI_FLAG_HIDDEN },
  { "checkpoint-dir", 0, CLI_FLAG_STRING, NULL, "Use a custom checkpoint storage directory", NULL,
    CLI_FLAG_HIDDEN },
  { "detach-keys", 0, CLI_FLAG_STRING, NULL, "Override the key sequence for detaching a container",
    NULL, 0 },
  { "interactive", 'i', CLI_FLAG_BOOL, NULL, "Attach container's STDIN", NULL, 0 },
  { NULL },
};

static const struct cli_flag attach_flags[] = {
  { "detach-keys", 0, CLI_FLAG_STRING, NULL, "Override the key sequence for detaching a container",
    NULL, 0 },
  { "no-stdin", 0, CLI_FLAG_BOOL, NULL, "Do not attach STDIN", NULL, 0 },
  { "sig-proxy", 0, CLI_FLAG_BOOL, "true", "Proxy all received signals to the process", NULL, 0 },
  { NULL },
};

static const struct cli_flag rm_flags[] = {
  { "force", 'f', CLI_FLAG_BOOL, NULL, "Force the removal of a running container (uses SIGKILL)",
    NULL, 0 },
  { "link", 'l', CLI_FLAG_BOOL, NULL, "Remove the specified link", NULL, 0 },
  { "volumes", 'v', CLI_FLAG_BOOL, NULL, "Remove anonymous volumes associated with the container",
    NULL, 0 },
  { NULL },
};

const struct cli_command cli_cmds_run[] = {
  { .name = "run",
    .parent = "container",
    .shortcut = "run",
    .usage = "[OPTIONS] IMAGE [COMMAND] [ARG...]",
    .short_help = "Create and run a new container from an image",
    .flags = run_flags,
    .args = CLI_ARGS_MIN,
    .nargs = 1,
    .interspersed_stop = true,
    .common = 1,
    .fn = cmd_run },
  { .name = "create",
    .parent = "container",
    .shortcut = "create",
    .usage = "[OPTIONS] IMAGE [COMMAND] [ARG...]",
    .short_help = "Create a new container",
    .flags = create_flags,
    .args = CLI_ARGS_MIN,
    .nargs = 1,
    .interspersed_stop = true,
    .fn = cmd_create },
  { .name = "start",
    .parent = "container",
    .shortcut = "start",
    .usage = "[OPTIONS] CONTAINER [CONTAINER...]",
    .short_help = "Start one or more stopped containers",
    .flags = start_flags,
    .args = CLI_ARGS_MIN,
    .nargs = 1,
    .fn = cmd_start },
  { .name = "attach",
    .parent = "container",
    .shortcut = "attach",
    .usage = "[OPTIONS] CONTAINER",
    .short_help = "Attach local standard input, output, and error streams to a running container",
    .flags = attach_flags,
    .args = CLI_ARGS_EXACT,
    .nargs = 1,
    .fn = cmd_attach },
  { .name = "wait",
    .parent = "container",
    .shortcut = "wait",
    .usage = "CONTAINER [CONTAINER...]",
    .short_help = "Block until one or more containers stop, then print their exit codes",
    .args = CLI_ARGS_MIN,
    .nargs = 1,
    .fn = cmd_wait },
  { .name = "rm",
    .parent = "container",
    .shortcut = "rm",
    .aliases = (const char *const[]){ "remove", NULL },
    .usage = "[OPTIONS] CONTAINER [CONTAINER...]",
    .short_help = "Remove one or more containers",
    .flags = rm_flags,
    .args = CLI_ARGS_MIN,
    .nargs = 1,
    .fn = cmd_rm },
  { NULL },
};

/* berth — exec instances (see exec.h): create, start through berth-shim in
 * exec mode, exit records, inspect, and the store's thread.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/container-internal.h"
#include "engine/engine.h"
#include "engine/exec-internal.h"
#include "engine/spec.h"

/* How often the thread looks for exit files and due probes.  */
#define TICK_MS 100
static void
rec_free (struct exec_rec *r)
{
  if (r == NULL)
    return;
  if (r->dir)
    {
      berth_error_t e = NULL;
      if (fs_remove_tree (r->dir, &e) < 0)
        berth_error_release (&e);
    }
  free (r->id);
  free (r->container_id);
  free (r->entrypoint);
  strv_free (r->args);
  free (r->user);
  free (r->detach_keys);
  free (r->process);
  free (r->error);
  free (r->dir);
  free (r);
}

struct exec_rec *
exec_find (struct engine_execs *x, const char *id)
{
  for (struct exec_rec *r = x->list; id && r; r = r->next)
    if (strcmp (r->id, id) == 0)
      return r;
  return NULL;
}

static int
new_id (char out[65], berth_error_t *err)
{
  unsigned char b[32];
  if (getrandom (b, sizeof b, 0) != (ssize_t) sizeof b)
    return berth_make_error (err, errno, "read random bytes for an exec ID");
  for (size_t i = 0; i < sizeof b; i++)
    snprintf (out + 2 * i, 3, "%02x", b[i]);
  return 0;
}

char **
engine_exec_env (char *const *base, char *const *over, bool tty)
{
  char **env = NULL;
  for (size_t i = 0; base && base[i]; i++)
    /* The container's TERM came with its own tty; the exec's decides.  */
    if (strcmp (base[i], "TERM=xterm") != 0)
      env = strv_append (env, base[i]);
  if (tty)
    env = strv_append (env, "TERM=xterm");
  for (size_t i = 0; over && over[i]; i++)
    {
      const char *eq = strchr (over[i], '=');
      size_t klen = eq ? (size_t) (eq - over[i]) : strlen (over[i]);
      size_t j = 0, n = strv_len (env);
      while (j < n && !(strncmp (env[j], over[i], klen) == 0 && env[j][klen] == '='))
        j++;
      if (j < n)
        {
          free (env[j]);
          if (eq)
            env[j] = xstrdup (over[i]);
          else
            memmove (env + j, env + j + 1, (n - j) * sizeof (char *));
        }
      else if (eq)
        env = strv_append (env, over[i]);
    }
  return env ? env : strv_dup ((char *[]){ NULL });
}

static char **
json_strv (json_object *a)
{
  char **v = NULL;
  for (size_t i = 0; a && i < json_object_array_length (a); i++)
    v = strv_append (v, json_object_get_string (json_object_array_get_idx (a, i)));
  return v;
}

/* -u: the user in the container's /etc/passwd and /etc/group, with its
   HostConfig.GroupAdd, as dockerd's getUser; the capabilities follow
   (engine_spec_set_user).  */
static int
resolve_user (json_object *spec, json_object *proc, const struct container *c, const char *user,
              char **caps, berth_error_t *err)
{
  json_object *doc = json_object_new_object ();
  cleanup_free char *rootfs = NULL;
  cleanup_strv char **group_add = NULL;
  cleanup_close int rootfd = -1;
  struct engine_spec s = { .doc = doc, .user = (char *) user, .needs_user = true, .caps = caps };
  int r = -1;

  json_object_object_add (doc, "process", json_object_get (proc));
  if (bjson_get_string (spec, "", "root", &rootfs, NULL) < 0 || rootfs == NULL)
    {
      json_object *root = NULL;
      if (json_object_object_get_ex (spec, "root", &root))
        bjson_get_string (root, "root", "path", &rootfs, NULL);
    }
  bjson_get_strv (c->host_config, "HostConfig", "GroupAdd", &group_add, NULL);
  s.group_add = group_add;
  rootfd = rootfs ? open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
  if (rootfd < 0)
    berth_make_error (err, errno ? errno : ENOENT, "open the rootfs of container `%s`", c->id);
  else
    r = engine_spec_resolve_user (&s, rootfd, err);
  json_object_put (doc);
  return r;
}

static int
set_process_user (json_object *spec, json_object *proc, const struct container *c,
                  const struct exec_req *q, berth_error_t *err)
{
  json_object *capo = NULL, *bounding = NULL;
  cleanup_strv char **caps = NULL;
  if (q->privileged)
    {
      caps = engine_caps_tweak (NULL, NULL, true, 0, err);
      if (caps == NULL)
        return -1;
      json_object *all = json_object_new_object ();
      json_object_object_add (all, "bounding", bjson_new_strv (caps));
      json_object_object_add (all, "effective", bjson_new_strv (caps));
      json_object_object_add (all, "permitted", bjson_new_strv (caps));
      json_object_object_add (proc, "capabilities", all);
    }
  else if (json_object_object_get_ex (proc, "capabilities", &capo)
           && json_object_object_get_ex (capo, "bounding", &bounding))
    caps = json_strv (bounding);
  if (q->user == NULL || q->user[0] == '\0')
    return 0;
  return resolve_user (spec, proc, c, q->user, caps ? caps : (char *[]){ NULL }, err);
}

/* The exec's OCI process: the container's (capabilities, rlimits,
   apparmor, ...) with the exec's args, env, cwd, tty and user, as dockerd's
   ContainerExecStart and execSetPlatformOpt make it.  */
static char *
build_process (struct engine_containers *cs, const struct container *c, const struct exec_req *q,
               berth_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/%s/config.json", cs->exec_dir, c->id);
  json_object *spec = bjson_parse_file (path, err), *proc = NULL, *env = NULL;
  cleanup_strv char **base = NULL;
  cleanup_strv char **merged = NULL;
  char *out = NULL;

  if (spec == NULL)
    return NULL;
  if (!json_object_object_get_ex (spec, "process", &proc) || proc == NULL)
    {
      berth_make_error (err, EINVAL, "`%s`: no process", path);
      goto out;
    }
  json_object_object_get_ex (proc, "env", &env);
  base = json_strv (env);
  merged = engine_exec_env (base, q->env, q->tty);
  json_object_object_add (proc, "env", bjson_new_strv (merged));
  json_object_object_add (proc, "args", bjson_new_strv (q->cmd));
  if (q->working_dir && q->working_dir[0])
    json_object_object_add (proc, "cwd", json_object_new_string (q->working_dir));
  json_object_object_add (proc, "terminal", json_object_new_boolean (q->tty));
  json_object_object_del (proc, "consoleSize");
  if (set_process_user (spec, proc, c, q, err) < 0)
    goto out;
  out = xstrdup (bjson_to_string (proc));
out:
  json_object_put (spec);
  return out;
}

static void
publish (struct engine_containers *cs, const char *cid, const char *image, const char *name,
         const char *action, const char *exec_id, const char *exit_code)
{
  const char *attrs[]
      = { "execID", exec_id, "exitCode", exit_code, "image", image, "name", name, NULL };
  if (exit_code == NULL)
    {
      attrs[2] = "image", attrs[3] = image, attrs[4] = "name", attrs[5] = name;
      attrs[6] = NULL;
    }
  engine_events_publish (engine_get_events (cs->engine), "container", action, cid, attrs);
}

static char *
action_text (const char *verb, const struct exec_rec *r)
{
  char *s = xasprintf ("%s: %s", verb, r->entrypoint);
  for (size_t i = 0; r->args && r->args[i]; i++)
    {
      char *n = xasprintf ("%s %s", s, r->args[i]);
      free (s);
      s = n;
    }
  /* dockerd joins the args after a space even when there are none.  */
  if (r->args == NULL || r->args[0] == NULL)
    {
      char *n = xasprintf ("%s ", s);
      free (s);
      s = n;
    }
  return s;
}

/* dockerd's getActiveContainer checks.  Lock held.  */
static struct container *
active_container (struct engine_containers *cs, const char *name, berth_error_t *err)
{
  struct container *c = container_find (cs, name, err);
  if (c == NULL)
    return NULL;
  if (c->paused)
    return berth_make_error_msg (err, EBUSY,
                                 "Container %s is paused, unpause the container before exec", name),
           NULL;
  if (strcmp (c->state, "restarting") == 0)
    return berth_make_error_msg (err, EBUSY,
                                 "Container %s is restarting, wait until the container is running",
                                 c->id),
           NULL;
  if (strcmp (c->state, "running") != 0)
    return berth_make_error_msg (err, EBUSY, "container %s is not running", c->id), NULL;
  return c;
}

int
exec_create_locked (struct engine_containers *cs, const char *name, struct exec_req *q, bool probe,
                    char **id, berth_error_t *err)
{
  struct engine_execs *x = cs->execs;
  struct container *c = active_container (cs, name, err);
  char idbuf[65];
  cleanup_free char *proc = NULL;
  cleanup_free char *action = NULL;

  if (c == NULL || (proc = build_process (cs, c, q, err)) == NULL || new_id (idbuf, err) < 0)
    return -1;
  struct exec_rec *r = xmalloc0 (sizeof *r);
  r->id = xstrdup (idbuf);
  r->container_id = xstrdup (c->id);
  r->entrypoint = xstrdup (q->cmd[0]);
  r->args = strv_dup (q->cmd + 1);
  /* ProcessConfig.user: the container's Config.User when -u is absent.  */
  if (q->user && q->user[0])
    r->user = xstrdup (q->user);
  else if (bjson_get_string (c->config, "Config", "User", &r->user, NULL) < 0 || r->user == NULL)
    r->user = xstrdup ("");
  r->detach_keys = q->detach_keys ? xstrdup (q->detach_keys) : NULL;
  r->process = steal_pointer (&proc);
  r->tty = q->tty;
  r->privileged = q->privileged;
  r->open_stdin = q->attach_stdin;
  r->open_stdout = q->attach_stdout;
  r->open_stderr = q->attach_stderr;
  r->probe = probe;
  pthread_mutex_lock (&x->lock);
  r->next = x->list;
  x->list = r;
  pthread_mutex_unlock (&x->lock);
  action = action_text ("exec_create", r);
  publish (cs, c->id, c->image, c->name, action, r->id, NULL);
  *id = xstrdup (r->id);
  return 0;
}

int
engine_exec_create (struct engine_containers *cs, const char *name, const char *body, size_t len,
                    char **id, berth_error_t *err)
{
  struct exec_req q = { 0 };
  int r = exec_req_parse (body, len, &q, err);
  if (r == 0)
    {
      pthread_mutex_lock (&cs->lock);
      r = exec_create_locked (cs, name, &q, false, id, err);
      pthread_mutex_unlock (&cs->lock);
    }
  exec_req_release (&q);
  return r;
}

void
engine_exec_stream_release (struct engine_exec_stream *s)
{
  free (s->id);
  free (s->attach_socket);
  free (s->detach_keys);
  memset (s, 0, sizeof *s);
}

/* The exit file of R: its code and start error.  x->lock held.  1 when it
   was there (R is then exited), 0 when not yet.  */
static int
read_exit (struct exec_rec *r)
{
  cleanup_free char *path = xasprintf ("%s/exit.json", r->dir);
  berth_error_t e = NULL;
  int64_t code = 255;
  json_object *o;
  if (access (path, F_OK) < 0)
    return 0;
  if ((o = bjson_parse_file (path, &e)) == NULL
      || bjson_get_int64 (o, "", "ExitCode", &code, &e) < 0
      || bjson_get_string (o, "", "Error", &r->error, &e) < 0)
    {
      log_warning ("exit file of exec %s: %s", r->id, e->msg);
      berth_error_release (&e);
    }
  json_object_put (o);
  r->exit_code = (int) code;
  r->running = false;
  r->exited = true;
  return 1;
}

/* R has exited: exec_die, as dockerd's monitor sends it, unless it never
   started.  Called without x->lock; R stays valid (records go only with
   their container, under both locks).  */
static void
announce_exit (struct engine_containers *cs, const char *cid, const char *exec_id, int code,
               bool started)
{
  char num[16];
  struct container *c;
  berth_error_t e = NULL;
  if (!started)
    return;
  snprintf (num, sizeof num, "%d", code);
  pthread_mutex_lock (&cs->lock);
  if ((c = container_find (cs, cid, &e)) != NULL)
    publish (cs, c->id, c->image, c->name, "exec_die", exec_id, num);
  pthread_mutex_unlock (&cs->lock);
  berth_error_release (&e);
}

/* process.json with the tty's size, as dockerd takes it from start (or
   else create).  */
static int
write_process (const struct exec_rec *r, uint32_t height, uint32_t width, berth_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/process.json", r->dir);
  json_object *p = bjson_parse (r->process, strlen (r->process), "exec process", err);
  if (p == NULL)
    return -1;
  if (r->tty && height && width)
    {
      json_object *box = json_object_new_object ();
      json_object_object_add (box, "height", json_object_new_int64 (height));
      json_object_object_add (box, "width", json_object_new_int64 (width));
      json_object_object_add (p, "consoleSize", box);
    }
  const char *text = bjson_to_string (p);
  int rc = fs_write_file_atomic (path, text, strlen (text), 0600, err);
  json_object_put (p);
  return rc;
}

/* Start R's shim.  It returns once the process runs (detached) or its
   attach socket listens; the error of a process that could not start is
   in its exit file, in dockerd's words.  */
static int
spawn (struct engine_containers *cs, struct exec_rec *r, bool detach, uint32_t height,
       uint32_t width, berth_error_t *err)
{
  cleanup_free char *proc = xasprintf ("%s/process.json", r->dir);
  cleanup_free char *exitf = xasprintf ("%s/exit.json", r->dir);
  cleanup_free char *pidf = xasprintf ("%s/pid", r->dir);
  cleanup_free char *sock = xasprintf ("%s/attach.sock", r->dir);
  cleanup_free char *ctl = xasprintf ("%s/control.sock", r->dir);
  cleanup_free char *short_id = xstrndup (r->id, 12);
  cleanup_free char *pid = NULL;
  char *argv[24];
  int i = 0;

  if (fs_mkdir_p (r->dir, 0700, err) < 0 || write_process (r, height, width, err) < 0)
    return -1;
  argv[i++] = cs->shim;
  argv[i++] = (char *) "--id";
  argv[i++] = short_id;
  argv[i++] = (char *) "--exec-container";
  argv[i++] = r->container_id;
  argv[i++] = (char *) "--exec-process";
  argv[i++] = proc;
  argv[i++] = (char *) "--runtime-root";
  argv[i++] = cs->runtime_root;
  argv[i++] = (char *) "--exit-file";
  argv[i++] = exitf;
  argv[i++] = (char *) "--pid-file";
  argv[i++] = pidf;
  if (!detach)
    {
      argv[i++] = (char *) "--attach-socket";
      argv[i++] = sock;
    }
  if (r->tty)
    {
      argv[i++] = (char *) "--terminal";
      argv[i++] = (char *) "--control-socket";
      argv[i++] = ctl;
    }
  if (r->open_stdin && !detach)
    argv[i++] = (char *) "--stdin";
  argv[i] = NULL;
  if (container_run_shim (argv, err) < 0)
    return -1;
  if (detach && (pid = fs_read_file (pidf, NULL, NULL)) != NULL)
    r->pid = atoi (pid);
  return 0;
}

/* dockerd's getExecConfig checks, then the exec's own state.  Both locks
   held.  */
static struct exec_rec *
startable (struct engine_containers *cs, const char *id, struct container **cp, berth_error_t *err)
{
  struct exec_rec *r = exec_find (cs->execs, id);
  berth_error_t e = NULL;
  if (r == NULL)
    return berth_make_error_msg (err, ENOENT, "No such exec instance: %s", id ? id : ""), NULL;
  if ((*cp = container_find (cs, r->container_id, &e)) == NULL)
    {
      berth_error_release (&e);
      return berth_make_error_msg (err, ENOENT, "No such container: %s", id), NULL;
    }
  if (active_container (cs, r->container_id, err) == NULL)
    return NULL;
  if (r->exited)
    return berth_make_error_msg (err, EBUSY, "exec command %s has already run", r->id), NULL;
  if (r->running)
    return berth_make_error_msg (err, EBUSY, "exec command %s is already running", r->id), NULL;
  return r;
}

/* The start failed: the exit file has dockerd's message and code.  */
static int
start_failed (struct engine_containers *cs, struct exec_rec *r, berth_error_t *err)
{
  int rc;
  pthread_mutex_lock (&cs->execs->lock);
  if (read_exit (r) > 0 && r->error)
    {
      berth_error_release (err);
      rc = berth_make_error_msg (err, r->exit_code == 126 || r->exit_code == 127 ? EINVAL : EIO,
                                 "%s", r->error);
    }
  else
    {
      r->running = false;
      r->exited = true;
      r->exit_code = 126; /* dockerd's default for an exec that did not start */
      rc = -1;
    }
  pthread_mutex_unlock (&cs->execs->lock);
  return rc;
}

int
engine_exec_start (struct engine_containers *cs, const char *id, bool detach, uint32_t height,
                   uint32_t width, struct engine_exec_stream *out, berth_error_t *err)
{
  struct engine_execs *x = cs->execs;
  struct container *c = NULL;
  struct exec_rec *r;
  cleanup_free char *action = NULL;

  pthread_mutex_lock (&cs->lock);
  pthread_mutex_lock (&x->lock);
  if ((r = startable (cs, id, &c, err)) != NULL)
    {
      r->running = true;
      r->detached = detach;
      r->dir = xasprintf ("%s/%.12s", x->dir, r->id);
      action = action_text ("exec_start", r);
      publish (cs, c->id, c->image, c->name, action, r->id, NULL);
    }
  pthread_mutex_unlock (&x->lock);
  pthread_mutex_unlock (&cs->lock);
  if (r == NULL)
    return -1;
  /* R cannot go while it runs: only a removed container's records go.  */
  if (spawn (cs, r, detach, height, width, err) < 0)
    return start_failed (cs, r, err);
  memset (out, 0, sizeof *out);
  out->id = xstrdup (r->id);
  out->attach_socket = detach ? NULL : xasprintf ("%s/attach.sock", r->dir);
  out->detach_keys = r->detach_keys ? xstrdup (r->detach_keys) : NULL;
  out->tty = r->tty;
  out->open_stdin = r->open_stdin;
  out->open_stdout = r->open_stdout;
  out->open_stderr = r->open_stderr;
  return 0;
}

char *
engine_exec_finish (struct engine_containers *cs, const char *id, int wait_ms)
{
  struct engine_execs *x = cs->execs;
  char *error = NULL;
  cleanup_free char *cid = NULL;
  bool done = false, started = false;
  int code = 0;

  for (int waited = 0; !done && waited <= wait_ms; waited += 20)
    {
      struct exec_rec *r;
      pthread_mutex_lock (&x->lock);
      r = exec_find (x, id);
      if (r == NULL || r->exited)
        done = true; /* recorded already (by the thread) */
      else if (read_exit (r) > 0)
        {
          done = true;
          started = r->error == NULL;
          code = r->exit_code;
          cid = xstrdup (r->container_id);
          error = r->error ? xstrdup (r->error) : NULL;
        }
      if (r && r->exited && error == NULL && r->error)
        error = xstrdup (r->error);
      pthread_mutex_unlock (&x->lock);
      if (!done)
        {
          struct timespec ts = { 0, 20 * 1000000L };
          nanosleep (&ts, NULL);
        }
    }
  if (cid)
    announce_exit (cs, cid, id, code, started);
  else if (!done)
    {
      /* Still running (its client left): the thread records its exit.  */
      pthread_mutex_lock (&x->lock);
      struct exec_rec *r = exec_find (x, id);
      if (r)
        r->detached = true;
      pthread_mutex_unlock (&x->lock);
    }
  return error;
}

json_object *
engine_exec_inspect (struct engine_containers *cs, const char *id, berth_error_t *err)
{
  struct engine_execs *x = cs->execs;
  struct exec_rec *r;
  json_object *o, *pc;
  pthread_mutex_lock (&x->lock);
  if ((r = exec_find (x, id)) == NULL)
    {
      pthread_mutex_unlock (&x->lock);
      return berth_make_error_msg (err, ENOENT, "No such exec instance: %s", id ? id : ""), NULL;
    }
  o = json_object_new_object ();
  pc = json_object_new_object ();
  json_object_object_add (pc, "tty", json_object_new_boolean (r->tty));
  json_object_object_add (pc, "entrypoint", json_object_new_string (r->entrypoint));
  json_object_object_add (pc, "arguments", bjson_new_strv (r->args));
  json_object_object_add (pc, "privileged", json_object_new_boolean (r->privileged));
  if (r->user && r->user[0])
    json_object_object_add (pc, "user", json_object_new_string (r->user));
  json_object_object_add (o, "ID", json_object_new_string (r->id));
  json_object_object_add (o, "Running", json_object_new_boolean (r->running));
  json_object_object_add (o, "ExitCode", r->exited ? json_object_new_int (r->exit_code) : NULL);
  json_object_object_add (o, "ProcessConfig", pc);
  json_object_object_add (o, "OpenStdin", json_object_new_boolean (r->open_stdin));
  json_object_object_add (o, "OpenStderr", json_object_new_boolean (r->open_stderr));
  json_object_object_add (o, "OpenStdout", json_object_new_boolean (r->open_stdout));
  json_object_object_add (o, "CanRemove", json_object_new_boolean (false));
  json_object_object_add (o, "ContainerID", json_object_new_string (r->container_id));
  json_object_object_add (o, "DetachKeys", json_object_new_string (""));
  if (r->running && r->pid == 0 && r->dir)
    {
      /* An attached exec's pid file appears once its client connected.  */
      cleanup_free char *path = xasprintf ("%s/pid", r->dir);
      cleanup_free char *text = fs_read_file (path, NULL, NULL);
      r->pid = text ? atoi (text) : 0;
    }
  json_object_object_add (o, "Pid", json_object_new_int (r->running ? r->pid : 0));
  pthread_mutex_unlock (&x->lock);
  return o;
}

int
engine_exec_resize (struct engine_containers *cs, const char *id, uint32_t height, uint32_t width,
                    berth_error_t *err)
{
  struct engine_execs *x = cs->execs;
  struct exec_rec *r;
  cleanup_free char *ctl = NULL;
  cleanup_close int fd = -1;
  pthread_mutex_lock (&x->lock);
  if ((r = exec_find (x, id)) == NULL)
    {
      pthread_mutex_unlock (&x->lock);
      return berth_make_error_msg (err, ENOENT, "No such exec instance: %s", id ? id : "");
    }
  if (r->running && r->tty && r->dir)
    ctl = xasprintf ("%s/control.sock", r->dir);
  pthread_mutex_unlock (&x->lock);
  /* Without a tty (or once it ended) there is nothing to size.  */
  if (ctl == NULL || height == 0 || width == 0)
    return 0;
  if ((fd = engine_unix_connect (ctl, err)) < 0)
    return -1;
  char line[64]; /* shim.h's control protocol: "resize ROWS COLS\n" */
  int n = snprintf (line, sizeof line, "resize %u %u\n", height, width);
  if (fs_write_all (fd, line, (size_t) n) < 0)
    return berth_make_error (err, errno, "resize exec `%s`", id);
  return 0;
}

json_object *
engine_exec_ids (struct engine_execs *x, const char *container_id)
{
  json_object *a = NULL;
  if (x == NULL)
    return NULL;
  pthread_mutex_lock (&x->lock);
  for (struct exec_rec *r = x->list; r; r = r->next)
    if (strcmp (r->container_id, container_id) == 0 && !r->exited)
      {
        if (a == NULL)
          a = json_object_new_array ();
        json_object_array_add (a, json_object_new_string (r->id));
      }
  pthread_mutex_unlock (&x->lock);
  return a;
}

void
engine_exec_detached (struct engine_containers *cs, const char *id)
{
  struct engine_execs *x = cs->execs;
  cleanup_free char *cid = NULL;
  pthread_mutex_lock (&x->lock);
  struct exec_rec *r = exec_find (x, id);
  if (r && r->running)
    {
      r->detached = true;
      cid = xstrdup (r->container_id);
    }
  pthread_mutex_unlock (&x->lock);
  if (cid == NULL)
    return;
  berth_error_t e = NULL;
  pthread_mutex_lock (&cs->lock);
  struct container *c = container_find (cs, cid, &e);
  if (c)
    publish (cs, c->id, c->image, c->name, "exec_detach", id, NULL);
  pthread_mutex_unlock (&cs->lock);
  berth_error_release (&e);
}

void
exec_forget (struct engine_execs *x, const char *id)
{
  pthread_mutex_lock (&x->lock);
  for (struct exec_rec **p = &x->list; *p; p = &(*p)->next)
    if (strcmp ((*p)->id, id) == 0 && !(*p)->running)
      {
        struct exec_rec *r = *p;
        *p = r->next;
        rec_free (r);
        break;
      }
  pthread_mutex_unlock (&x->lock);
}

/* ---- the thread ---- */

/* Forget the execs of removed containers (dockerd keeps them until its
   exec GC; inspect then says 404 either way).  */
static void
drop_orphans (struct engine_execs *x)
{
  struct engine_containers *cs = x->cs;
  pthread_mutex_lock (&cs->lock);
  pthread_mutex_lock (&x->lock);
  for (struct exec_rec **p = &x->list; *p;)
    {
      berth_error_t e = NULL;
      struct exec_rec *r = *p;
      if (r->running || container_find (cs, r->container_id, &e) != NULL)
        {
          p = &r->next;
          continue;
        }
      berth_error_release (&e);
      *p = r->next;
      rec_free (r);
    }
  pthread_mutex_unlock (&x->lock);
  pthread_mutex_unlock (&cs->lock);
}

/* Exits of detached execs.  */
static void
reap_detached (struct engine_execs *x)
{
  for (;;)
    {
      cleanup_free char *cid = NULL;
      cleanup_free char *eid = NULL;
      int code = 0;
      pthread_mutex_lock (&x->lock);
      for (struct exec_rec *r = x->list; r && cid == NULL; r = r->next)
        if (r->running && r->detached && read_exit (r) > 0)
          {
            cid = xstrdup (r->container_id);
            eid = xstrdup (r->id);
            code = r->exit_code;
          }
      if (cid)
        pthread_cond_broadcast (&x->changed);
      pthread_mutex_unlock (&x->lock);
      if (cid == NULL)
        return;
      announce_exit (x->cs, cid, eid, code, true);
    }
}

static void *
thread_main (void *data)
{
  struct engine_execs *x = data;
  int ticks = 0;
  pthread_mutex_lock (&x->lock);
  while (!x->stopping)
    {
      pthread_mutex_unlock (&x->lock);
      reap_detached (x);
      health_tick (x);
      if (++ticks % 50 == 0)
        drop_orphans (x);
      struct timespec ts = { 0, TICK_MS * 1000000L };
      nanosleep (&ts, NULL);
      pthread_mutex_lock (&x->lock);
    }
  pthread_mutex_unlock (&x->lock);
  return NULL;
}

struct engine_execs *
engine_execs_open (struct engine_containers *cs, berth_error_t *err)
{
  const struct engine_config *cf = engine_get_config (cs->engine);
  struct engine_execs *x = xmalloc0 (sizeof *x);
  x->cs = cs;
  x->dir = xasprintf ("%s/x", cf->exec_root);
  pthread_mutex_init (&x->lock, NULL);
  pthread_cond_init (&x->changed, NULL);
  /* What a previous berthd left: its execs are gone with it.  */
  if (fs_remove_tree (x->dir, err) < 0)
    berth_error_release (err);
  if (fs_mkdir_p (x->dir, 0700, err) < 0 || pthread_create (&x->thread, NULL, thread_main, x) != 0)
    {
      if (*err == NULL)
        berth_make_error (err, EAGAIN, "start the exec thread");
      free (x->dir);
      pthread_cond_destroy (&x->changed);
      pthread_mutex_destroy (&x->lock);
      free (x);
      return NULL;
    }
  return x;
}

void
engine_execs_close (struct engine_execs *x)
{
  if (x == NULL)
    return;
  pthread_mutex_lock (&x->lock);
  x->stopping = true;
  pthread_cond_broadcast (&x->changed);
  while (x->probes > 0)
    pthread_cond_wait (&x->changed, &x->lock);
  pthread_mutex_unlock (&x->lock);
  pthread_join (x->thread, NULL);
  health_free_all (x);
  while (x->list)
    {
      struct exec_rec *r = x->list;
      x->list = r->next;
      free (r->dir); /* a running exec's shim keeps its files */
      r->dir = NULL;
      rec_free (r);
    }
  free (x->dir);
  pthread_cond_destroy (&x->changed);
  pthread_mutex_destroy (&x->lock);
  free (x);
}

/* berth — views of a running container: `docker top` (dockerd's
 * daemon/top_unix.go: ps on the host, rows filtered by the container's pids).
 * NetworkSettings moved to container-net-view.c.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/container-internal.h"
#include "engine/engine.h"
#include "runtime/runtime.h"

/* ---- top ---- */

static bool
ascii_space (char ch)
{
  return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\f' || ch == '\r';
}

int
engine_top_ps_args_validate (const char *args, berth_error_t *err)
{
  /* dockerd's psArgsRegexp, \s+([^\s]*)=\s*(PID[^\s]*): a format key may
     only rename the pid column, which top needs to filter the rows.  */
  const char *p = args ? args : "";
  while (*p)
    {
      const char *tok, *end, *eq = NULL, *v;
      if (!ascii_space (*p))
        {
          p++;
          continue;
        }
      while (ascii_space (*p))
        p++;
      tok = p;
      while (*p && !ascii_space (*p))
        p++;
      end = p;
      /* The last "=" of the token followed by PID (spaces may come
         between), as the greedy [^\s]* backtracks to it.  */
      for (const char *q = end; q > tok; q--)
        if (q[-1] == '=')
          {
            v = q;
            while (ascii_space (*v))
              v++;
            if (strncmp (v, "PID", 3) == 0)
              {
                eq = q - 1;
                break;
              }
          }
      if (eq == NULL)
        continue;
      v = eq + 1;
      while (ascii_space (*v))
        v++;
      end = v;
      while (*end && !ascii_space (*end))
        end++;
      if ((size_t) (eq - tok) != 3 || strncmp (tok, "pid", 3) != 0)
        return berth_make_error_msg (err, EIO, "specifying \"%.*s=%.*s\" is not allowed",
                                     (int) (eq - tok), tok, (int) (end - v), v);
      p = end;
    }
  return 0;
}

/* fieldsASCII.  */
static char **
fields (const char *line)
{
  char **v = xmalloc0 (sizeof (char *));
  const char *p = line;
  while (*p)
    {
      const char *s;
      while (ascii_space (*p))
        p++;
      if (*p == '\0')
        break;
      s = p;
      while (*p && !ascii_space (*p))
        p++;
      cleanup_free char *f = xstrndup (s, (size_t) (p - s));
      v = strv_append (v, f);
    }
  return v;
}

/* One row, its fields past the titles' count joined by spaces into the
   last column (a command with arguments).  */
static json_object *
top_row (char *const *f, size_t ntitles)
{
  json_object *row = json_object_new_array ();
  size_t n = strv_len (f), i;
  for (i = 0; i + 1 < ntitles && i < n; i++)
    json_object_array_add (row, json_object_new_string (f[i]));
  if (i < n)
    {
      cleanup_free char *last = xstrdup (f[i]);
      for (size_t j = i + 1; j < n; j++)
        {
          char *s = xasprintf ("%s %s", last, f[j]);
          free (last);
          last = s;
        }
      json_object_array_add (row, json_object_new_string (last));
    }
  return row;
}

static bool
has_pid (const pid_t *pids, size_t n, long pid)
{
  for (size_t i = 0; i < n; i++)
    if (pids[i] == pid)
      return true;
  return false;
}

static int
pid_index (char *const *titles, berth_error_t *err)
{
  for (size_t i = 0; titles[i]; i++)
    if (strcmp (titles[i], "PID") == 0)
      return (int) i;
  return berth_make_error_msg (err, EIO, "Couldn't find PID field in ps output");
}

json_object *
engine_top_parse (const char *output, const pid_t *pids, size_t n, berth_error_t *err)
{
  cleanup_strv char **lines = NULL;
  cleanup_strv char **titles = NULL;
  json_object *procs, *out;
  bool prev = false; /* the last process line was the container's */
  int idx;

  lines = strv_split (output ? output : "", '\n');
  titles = fields (lines[0] ? lines[0] : "");
  if ((idx = pid_index (titles, err)) < 0)
    return NULL;
  procs = json_object_new_array ();
  for (size_t i = 1; lines[0] && lines[i]; i++)
    {
      cleanup_strv char **f = fields (lines[i]);
      char *end = NULL;
      long pid;
      if (strv_len (f) <= (size_t) idx)
        continue;
      /* Threads (ps -m) show "-": they belong to the line before.  */
      if (strcmp (f[idx], "-") == 0)
        {
          if (prev)
            json_object_array_add (procs, top_row (f, strv_len (titles)));
          continue;
        }
      pid = strtol (f[idx], &end, 10);
      if (end == f[idx] || *end != '\0')
        {
          json_object_put (procs);
          berth_make_error_msg (err, EIO,
                                "Unexpected pid '%s': strconv.Atoi: parsing \"%s\": invalid syntax",
                                f[idx], f[idx]);
          return NULL;
        }
      prev = has_pid (pids, n, pid);
      if (prev)
        json_object_array_add (procs, top_row (f, strv_len (titles)));
    }
  out = json_object_new_object ();
  /* A nil slice in dockerd when nothing matched.  */
  if (json_object_array_length (procs) == 0)
    {
      json_object_put (procs);
      procs = NULL;
    }
  json_object_object_add (out, "Processes", procs);
  json_object_object_add (out, "Titles", bjson_new_strv (titles));
  return out;
}

/* Run ps with ARGV on the host; *OUT gets its stdout.  On failure the
   error is the first line of its stderr, as dockerd reports it.  */
static int
run_ps (char **argv, char **out, berth_error_t *err)
{
  posix_spawn_file_actions_t fa;
  cleanup_close int ofd = memfd_create ("ps-out", MFD_CLOEXEC);
  cleanup_close int efd = memfd_create ("ps-err", MFD_CLOEXEC);
  cleanup_free char *emsg = NULL;
  int status = 0, r;
  pid_t pid;

  if (ofd < 0 || efd < 0)
    return berth_make_error (err, errno, "memfd_create");
  posix_spawn_file_actions_init (&fa);
  posix_spawn_file_actions_addopen (&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2 (&fa, ofd, 1);
  posix_spawn_file_actions_adddup2 (&fa, efd, 2);
  /* procps's ps: busybox's has no -e -f -q.  */
  r = access ("/bin/ps", X_OK) == 0 ? posix_spawn (&pid, "/bin/ps", &fa, NULL, argv, environ)
                                    : posix_spawnp (&pid, "ps", &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy (&fa);
  if (r != 0)
    return berth_make_error_msg (err, EIO, "ps: exec: \"ps\": %s", strerror (r));
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    {
      lseek (ofd, 0, SEEK_SET);
      return (*out = fs_read_fd (ofd, NULL, err)) ? 0 : -1;
    }
  lseek (efd, 0, SEEK_SET);
  emsg = fs_read_fd (efd, NULL, err);
  if (emsg == NULL)
    return -1;
  emsg[strcspn (emsg, "\n")] = '\0';
  if (emsg[0])
    return berth_make_error_msg (err, EIO, "ps: %s", emsg);
  return berth_make_error_msg (err, EIO, "ps: exit status %d",
                               WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status));
}

/* ps ARGS -q<pids>; some options (f) refuse -q: then ps ARGS alone.  */
static char *
ps_output (const char *ps_args, const pid_t *pids, size_t n, berth_error_t *err)
{
  cleanup_strv char **argv = strv_append (NULL, "ps");
  cleanup_strv char **words = strv_split (ps_args, ' ');
  char *out = NULL;
  FILE *f;
  char *q = NULL;
  size_t qlen = 0;

  for (size_t i = 0; words[i]; i++)
    argv = strv_append (argv, words[i]);
  f = open_memstream (&q, &qlen);
  if (f == NULL)
    abort ();
  fputs ("-q", f);
  for (size_t i = 0; i < n; i++)
    fprintf (f, "%s%d", i ? "," : "", (int) pids[i]);
  fclose (f);
  argv = strv_append (argv, q);
  free (q);
  if (run_ps (argv, &out, err) == 0)
    return out;
  berth_error_release (err);
  free (argv[strv_len (argv) - 1]);
  argv[strv_len (argv) - 1] = NULL;
  if (run_ps (argv, &out, err) < 0)
    return NULL;
  return out;
}

json_object *
engine_container_top (struct engine_containers *cs, const char *name, const char *ps_args,
                      berth_error_t *err)
{
  struct runtime_ctx ctx = { .root = cs->runtime_root };
  cleanup_free pid_t *pids = NULL;
  cleanup_free char *id = NULL;
  cleanup_free char *out = NULL;
  struct container *c;
  json_object *list;
  size_t n = 0;
  int r = -1;

  if (ps_args == NULL || ps_args[0] == '\0')
    ps_args = "-ef";
  if (engine_top_ps_args_validate (ps_args, err) < 0)
    return NULL;
  pthread_mutex_lock (&cs->lock);
  if ((c = container_find (cs, name, err)) == NULL)
    ;
  else if (strcmp (c->state, "restarting") == 0)
    berth_make_error_msg (err, EBUSY,
                          "Container %s is restarting, wait until the container is running", c->id);
  else if (strcmp (c->state, "running") != 0)
    berth_make_error_msg (err, EBUSY, "container %s is not running", c->id);
  else
    {
      id = xstrdup (c->id);
      r = runtime_container_pids (&ctx, c->id, &pids, &n, err);
    }
  pthread_mutex_unlock (&cs->lock);
  if (r < 0 || (out = ps_output (ps_args, pids, n, err)) == NULL
      || (list = engine_top_parse (out, pids, n, err)) == NULL)
    return NULL;
  pthread_mutex_lock (&cs->lock);
  if ((c = container_find (cs, id, err)) != NULL)
    container_publish (cs, c, "top");
  berth_error_release (err);
  pthread_mutex_unlock (&cs->lock);
  return list;
}

/* berth — becoming the container's process: the last steps before execve,
   shared by a container's init and by exec.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../base/base.h"
#include "runtime-internal.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Go's findExecutable, which runc uses: a directory or a file without an
   execute bit is EACCES ("permission denied"), a missing one ENOENT.  */
static bool
is_executable (const char *path)
{
  struct stat st;
  if (stat (path, &st) < 0)
    return false;
  if (!S_ISREG (st.st_mode))
    {
      errno = EACCES;
      return false;
    }
  return access (path, X_OK) == 0;
}

char *
init_find_executable (const char *file, char *const *env, const char *cwd, berth_error_t *err)
{
  const char *path = NULL;

  if (file == NULL || file[0] == '\0')
    {
      berth_make_error (err, EINVAL, "no executable in `process.args`");
      return NULL;
    }
  if (strchr (file, '/'))
    {
      cleanup_free char *full
          = file[0] == '/' || cwd == NULL ? xstrdup (file) : xasprintf ("%s/%s", cwd, file);
      if (!is_executable (full))
        {
          berth_make_error (err, errno ? errno : EACCES, "exec: `%s`", file);
          return NULL;
        }
      return xstrdup (file);
    }
  for (size_t i = 0; env && env[i]; i++)
    if (strncmp (env[i], "PATH=", 5) == 0)
      path = env[i] + 5;
  if (path == NULL)
    path = DEFAULT_PATH;
  {
    cleanup_strv char **dirs = strv_split (path, ':');
    for (size_t i = 0; dirs[i]; i++)
      {
        cleanup_free char *cand = xasprintf ("%s/%s", dirs[i], file);
        if (is_executable (cand))
          return steal_pointer (&cand);
      }
  }
  berth_make_error (err, ENOENT, "exec: `%s`: executable file not found in $PATH", file);
  if (err && *err)
    {
      /* runc's wording, without the strerror suffix.  */
      free ((*err)->msg);
      (*err)->msg = xasprintf ("exec: \"%s\": executable file not found in $PATH", file);
    }
  return NULL;
}

static int
set_ids (const struct oci_user *u, berth_error_t *err)
{
  gid_t *groups = NULL;
  cleanup_free gid_t *tofree = NULL;

  if (u->n_additional_gids)
    {
      tofree = groups = xcalloc (u->n_additional_gids, sizeof (gid_t));
      for (size_t i = 0; i < u->n_additional_gids; i++)
        groups[i] = u->additional_gids[i];
    }
  /* setgroups fails with EPERM in a user namespace whose setgroups is
     "deny"; an empty list is then already what we have.  */
  if (setgroups (u->n_additional_gids, groups) < 0
      && !(errno == EPERM && u->n_additional_gids == 0))
    return berth_make_error (err, errno, "setgroups");
  if (setresgid (u->gid, u->gid, u->gid) < 0)
    return berth_make_error (err, errno, "setresgid to %u", u->gid);
  if (setresuid (u->uid, u->uid, u->uid) < 0)
    return berth_make_error (err, errno, "setresuid to %u", u->uid);
  return 0;
}

/* Docker and runc set HOME from the container's /etc/passwd when the
   process has none.  */
static char **
env_with_home (char *const *env, uid_t uid)
{
  char **r = strv_dup (env);
  cleanup_file FILE *f = NULL;
  char line[1024];
  const char *home = "/";

  for (size_t i = 0; r[i]; i++)
    if (strncmp (r[i], "HOME=", 5) == 0)
      return r;
  f = fopen ("/etc/passwd", "re");
  while (f && fgets (line, sizeof line, f))
    {
      char *p = line, *field[7] = { 0 };
      int n = 0;
      while (n < 7 && (field[n] = strsep (&p, ":")) != NULL)
        n++;
      if (n >= 6 && (uid_t) strtoul (field[2], NULL, 10) == uid)
        {
          home = field[5];
          r = strv_append (r, "HOME=");
          free (r[strv_len (r) - 1]);
          r[strv_len (r) - 1] = xasprintf ("HOME=%s", home);
          return r;
        }
    }
  {
    cleanup_free char *h = xasprintf ("HOME=%s", uid == 0 ? "/root" : home);
    return strv_append (r, h);
  }
}

/* execve EXE through berth-dmz: the dmz is told EXE by a last environment
   entry, which it removes.  execveat on the sealed memfd needs no /proc;
   a seccomp profile that forbids execveat gets /proc/self/fd instead.
   Never falls back to a plain execve, which would run unprotected.  */
static int
exec_via_dmz (int dmz_fd, const char *exe, char *const *argv, char **env, berth_error_t *err)
{
  size_t n = strv_len (env);
  cleanup_free char *entry = xasprintf ("BERTH_DMZ_EXE=%s", exe);
  cleanup_free char **envp = xcalloc (n + 2, sizeof (char *));
  char path[64];

  memcpy (envp, env, n * sizeof (char *));
  envp[n] = entry;
  syscall (SYS_execveat, dmz_fd, "", argv, envp, AT_EMPTY_PATH);
  snprintf (path, sizeof path, "/proc/self/fd/%d", dmz_fd);
  execve (path, argv, envp);
  return berth_make_error (err, errno, "exec `%s` through berth-dmz", exe);
}

/* Load the filter; with SCMP_ACT_NOTIFY hand its listener to the agent at
   listenerPath with the container process state (config-linux.md "The
   Container Process State").  */
static int
load_seccomp (const struct oci_linux *linux, const struct exec_extras *x, bool nnp,
              berth_error_t *err)
{
  cleanup_close int listener = -1;

  if (x->notify_sock < 0)
    return seccomp_program_load (x->seccomp, nnp, NULL, err);
  if (seccomp_program_load (x->seccomp, nnp, &listener, err) < 0)
    return -1;
  return seccomp_notify_send_on (linux->seccomp, x->notify_sock, listener, x->notify_state.pid,
                                 &x->notify_state, err);
}

int
init_exec_process (const struct oci_process *p, const struct oci_linux *linux,
                   const struct exec_extras *x, const char *exe, berth_error_t *err)
{
  cleanup_strv char **env = NULL;
  char cwdbuf[4096];

  if (linux && linux->personality && security_apply_personality (linux->personality, err) < 0)
    return -1;
  umask (p->user.has_umask ? (mode_t) p->user.umask : 022);
  if (security_apply_apparmor (p->apparmor_profile, err) < 0)
    return -1;
  /* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: load it
     while we still have it (runc does the same), so the profile must allow
     the few syscalls left before execve.  With no_new_privs it goes last. */
  if (x->seccomp && !p->no_new_privileges && load_seccomp (linux, x, false, err) < 0)
    return -1;
  if (security_keep_caps (err) < 0 || set_ids (&p->user, err) < 0)
    return -1;
  if (p->cwd && chdir (p->cwd) < 0)
    return berth_make_error (err, errno, "chdir to cwd `%s` set in config.json", p->cwd);
  /* A cwd outside the container's root (an inherited directory fd, CVE-2024-21626)
     reads back as "(unreachable)/...".  */
  if (getcwd (cwdbuf, sizeof cwdbuf) == NULL || cwdbuf[0] != '/')
    return berth_make_error (
        err, EPERM, "current working directory is outside of container mount namespace root");
  env = env_with_home (p->env, p->user.uid);
  if (security_apply_caps (p->capabilities, err) < 0)
    return -1;
  if (p->no_new_privileges && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return berth_make_error (err, errno, "set no_new_privs");
  if (x->seccomp && p->no_new_privileges && load_seccomp (linux, x, true, err) < 0)
    return -1;
  if (x->dmz_fd >= 0)
    return exec_via_dmz (x->dmz_fd, exe, p->args, env, err);
  execve (exe, p->args, env);
  return berth_make_error (err, errno, "exec `%s`", exe);
}

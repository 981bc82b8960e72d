/* berth — OCI hooks (runtime-spec config.md "POSIX-platform Hooks").
 *
 * Each hook is a host program run with the container's state JSON on its
 * stdin (runtime.md "State"), with its own args (args[0] included, as
 * execv takes them) and env, honouring its timeout.  A hook that exits
 * non-zero or outlives its timeout fails the operation; runtime.md says
 * which operations then fail and which only warn: that is the caller's
 * business.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../base/cleanup.h"
#include "../base/syscalls.h"
#include "../base/xalloc.h"
#include "runtime-internal.h"

extern char **environ;

static const char *const hook_kind_names[OCI_HOOK_KINDS] = {
  "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
};

/* The child: stdin from the pipe, stdout/stderr the runtime's, no other fd
   (a hook is a host program; no fd of a container or of the engine leaks
   to it), default signal mask, then exec.  An exec failure reports errno on
   ERRFD (close-on-exec, so success closes it).  Only async-signal-safe
   calls: the daemon that forks may be multithreaded.  */
static void __attribute__ ((noreturn))
hook_child (int in, int errfd, const char *path, char *const *argv, char *const *envp)
{
  sigset_t none;
  int e;

  if (in != 0 && dup2 (in, 0) < 0)
    goto fail;
  if (in == 0 && fcntl (0, F_SETFD, 0) < 0)
    goto fail;
  if (errfd != 3)
    {
      if (dup3 (errfd, 3, O_CLOEXEC) < 0)
        goto fail;
      errfd = 3;
    }
  sys_close_range (4, ~0U, 0);
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  signal (SIGPIPE, SIG_DFL);
  execve (path, argv, envp);
fail:
  e = errno;
  if (write (errfd, &e, sizeof e) < 0)
    _exit (127);
  _exit (127);
}

static long long
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Feed STATE to W (non-blocking) while waiting for PID; 0 when it exited
   (*status set), 1 on timeout (the hook is killed and reaped).  */
static int
feed_and_wait (pid_t pid, int *w, const char *state, int timeout_s, int *status)
{
  cleanup_close int pidfd = sys_pidfd_open (pid, 0);
  size_t len = strlen (state), off = 0;
  long long deadline = timeout_s > 0 ? now_ms () + (long long) timeout_s * 1000 : -1;

  for (;;)
    {
      struct pollfd p[2];
      int n = 0, wait_ms = -1;

      if (pidfd >= 0)
        p[n++] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
      else
        wait_ms = 10; /* no pidfd (kernel < 5.3): poll waitpid */
      if (*w >= 0)
        p[n++] = (struct pollfd){ .fd = *w, .events = POLLOUT };
      if (deadline >= 0)
        {
          long long left = deadline - now_ms ();
          if (left < 0)
            left = 0;
          if (wait_ms < 0 || left < wait_ms)
            wait_ms = (int) left;
        }
      if (poll (p, (nfds_t) n, wait_ms) < 0 && errno != EINTR)
        return -1;
      if (*w >= 0 && p[n - 1].revents)
        {
          ssize_t r = write (*w, state + off, len - off);
          if (r > 0)
            off += (size_t) r;
          /* EPIPE: the hook does not read its stdin; that is its right. */
          if ((r < 0 && errno != EAGAIN && errno != EINTR) || off == len)
            {
              close (*w);
              *w = -1;
            }
        }
      pid_t r = waitpid (pid, status, WNOHANG);
      if (r == pid)
        return 0;
      if (deadline >= 0 && now_ms () >= deadline)
        {
          kill (pid, SIGKILL);
          TEMP_FAILURE_RETRY_INT (waitpid (pid, status, 0));
          return 1;
        }
    }
}

/* A SIGPIPE raised by our write would kill the runtime: block it while the
   hook runs and drop the one we caused.  */
static void
drop_sigpipe (const sigset_t *old)
{
  sigset_t pending, pipe_set;
  struct timespec zero = { 0, 0 };

  sigemptyset (&pipe_set);
  sigaddset (&pipe_set, SIGPIPE);
  if (sigismember (old, SIGPIPE))
    return; /* it was blocked before: not ours to drop */
  sigpending (&pending);
  if (sigismember (&pending, SIGPIPE))
    sigtimedwait (&pipe_set, NULL, &zero);
}

static int
run_one (const struct oci_hook *h, const char *kind, size_t idx, const char *state,
         berth_error_t *err)
{
  char *default_argv[] = { h->path, NULL };
  char *const *argv = h->args && h->args[0] ? h->args : default_argv;
  char *const *envp = h->env ? h->env : environ; /* runc: no env, the runtime's */
  int in[2] = { -1, -1 }, ep[2] = { -1, -1 };
  int status = 0, child_errno = 0, timed_out;
  sigset_t pipe_set, old;
  pid_t pid;

  if (pipe2 (in, O_CLOEXEC) < 0)
    return berth_make_error (err, errno, "hook `%s` (%s[%zu]): pipe", h->path, kind, idx);
  if (pipe2 (ep, O_CLOEXEC) < 0)
    {
      int e = errno;
      close (in[0]), close (in[1]);
      return berth_make_error (err, e, "hook `%s` (%s[%zu]): pipe", h->path, kind, idx);
    }
  sigemptyset (&pipe_set);
  sigaddset (&pipe_set, SIGPIPE);
  pthread_sigmask (SIG_BLOCK, &pipe_set, &old);

  pid = fork ();
  if (pid == 0)
    hook_child (in[0], ep[1], h->path, argv, envp);
  int fork_errno = errno;
  close (in[0]);
  close (ep[1]);
  if (pid < 0)
    {
      close (in[1]), close (ep[0]);
      pthread_sigmask (SIG_SETMASK, &old, NULL);
      return berth_make_error (err, fork_errno, "hook `%s` (%s[%zu]): fork", h->path, kind, idx);
    }
  fcntl (in[1], F_SETFL, O_NONBLOCK);
  timed_out
      = feed_and_wait (pid, &in[1], state ? state : "", h->has_timeout ? h->timeout : 0, &status);
  if (in[1] >= 0)
    close (in[1]);
  if (read (ep[0], &child_errno, sizeof child_errno) != (ssize_t) sizeof child_errno)
    child_errno = 0;
  close (ep[0]);
  drop_sigpipe (&old);
  pthread_sigmask (SIG_SETMASK, &old, NULL);

  if (timed_out < 0)
    return berth_make_error (err, errno, "hook `%s` (%s[%zu]): wait", h->path, kind, idx);
  if (child_errno)
    return berth_make_error (err, child_errno, "hook `%s` (%s[%zu]) failed: exec", h->path, kind,
                             idx);
  if (timed_out)
    return berth_make_error (err, 0, "hook `%s` (%s[%zu]) failed: timed out after %ds", h->path,
                             kind, idx, h->timeout);
  if (WIFEXITED (status) && WEXITSTATUS (status) != 0)
    return berth_make_error (err, 0, "hook `%s` (%s[%zu]) failed: exit status %d", h->path, kind,
                             idx, WEXITSTATUS (status));
  if (WIFSIGNALED (status))
    return berth_make_error (err, 0, "hook `%s` (%s[%zu]) failed: killed by signal %s", h->path,
                             kind, idx, sigabbrev_np (WTERMSIG (status)) ?: "?");
  return 0;
}

int
hooks_run (const struct oci_hooks *h, enum oci_hook_kind kind, const char *state_json,
           berth_error_t *err)
{
  if (h == NULL || kind < 0 || kind >= OCI_HOOK_KINDS)
    return 0;
  for (size_t i = 0; i < h->n_hooks[kind]; i++)
    {
      int r = run_one (&h->hooks[kind][i], hook_kind_names[kind], i, state_json, err);
      if (r < 0)
        return r;
    }
  return 0;
}

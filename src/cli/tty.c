/* berth — the CLI's terminal: raw mode, window size, signals.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "cli/tty.h"

/* Process-wide because the signal handlers and atexit need them.  */
static struct termios saved_termios;
static volatile sig_atomic_t raw_fd = -1;
static volatile sig_atomic_t pipe_w = -1;
static volatile sig_atomic_t resize_on;
static volatile sig_atomic_t proxy_on;
static volatile sig_atomic_t hold_on;
static volatile sig_atomic_t held;
static bool atexit_done;
static struct sigaction old_actions[NSIG];
static bool watched[NSIG];

/* The termination signals whose default would leave a raw terminal.  */
static const int restore_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

bool
cli_tty_is_terminal (int fd)
{
  return isatty (fd) == 1;
}

int
cli_tty_get_size (int fd, unsigned *height, unsigned *width)
{
  struct winsize ws;
  if (fd < 0 || ioctl (fd, TIOCGWINSZ, &ws) < 0)
    return -1;
  *height = ws.ws_row;
  *width = ws.ws_col;
  return 0;
}

void
cli_tty_restore (void)
{
  int fd = raw_fd;
  if (fd < 0)
    return;
  raw_fd = -1;
  int saved = errno;
  tcsetattr (fd, TCSADRAIN, &saved_termios);
  errno = saved;
}

static void
restore_at_exit (void)
{
  cli_tty_restore ();
}

static void
handle_signal (int sig)
{
  int saved = errno;
  bool queue = sig == SIGWINCH ? resize_on : proxy_on;
  if (!queue && hold_on && (sig == SIGINT || sig == SIGTERM))
    {
      /* Held: only the third one reaches the session (as docker's).  */
      if (++held < 3)
        {
          errno = saved;
          return;
        }
      queue = true;
    }
  if (queue && pipe_w >= 0)
    {
      unsigned char b = (unsigned char) sig;
      /* A full pipe loses only a duplicate: the reader is behind anyway.  */
      if (write (pipe_w, &b, 1) < 0)
        (void) 0;
    }
  else if (sig != SIGWINCH)
    {
      /* Not proxied: restore the terminal, then die of the signal so the
         shell sees 128+N as docker's exit code for it.  */
      cli_tty_restore ();
      signal (sig, SIG_DFL);
      raise (sig);
    }
  errno = saved;
}

static void
install (int sig)
{
  struct sigaction sa = { .sa_handler = handle_signal, .sa_flags = SA_RESTART };
  sigfillset (&sa.sa_mask);
  if (!watched[sig])
    {
      sigaction (sig, &sa, &old_actions[sig]);
      watched[sig] = true;
    }
  else
    sigaction (sig, &sa, NULL);
}

int
cli_tty_set_raw (int fd, berth_error_t *err)
{
  if (!cli_tty_is_terminal (fd))
    return 0;
  const char *noraw = getenv ("NORAW");
  if (noraw && *noraw)
    return 0;
  struct termios t;
  if (tcgetattr (fd, &t) < 0)
    return berth_make_error (err, errno, "get terminal attributes");
  if (raw_fd < 0)
    saved_termios = t;
  /* term.MakeRaw: cfmakeraw's flags, with a read returning each byte.  */
  cfmakeraw (&t);
  t.c_cc[VMIN] = 1;
  t.c_cc[VTIME] = 0;
  if (!atexit_done)
    {
      atexit (restore_at_exit);
      atexit_done = true;
    }
  for (size_t i = 0; i < sizeof restore_signals / sizeof restore_signals[0]; i++)
    install (restore_signals[i]);
  if (tcsetattr (fd, TCSADRAIN, &t) < 0)
    return berth_make_error (err, errno, "set terminal raw");
  raw_fd = fd;
  return 0;
}

/* docker forwards all it can catch but CHLD, PIPE and URG; the synchronous
   faults are left alone here, as catching a real one would loop.  */
static bool
proxied (int sig)
{
  switch (sig)
    {
    case SIGKILL:
    case SIGSTOP:
    case SIGCHLD:
    case SIGPIPE:
    case SIGURG:
    case SIGSEGV:
    case SIGBUS:
    case SIGFPE:
    case SIGILL:
    case SIGTRAP:
    case SIGABRT:
    case SIGSYS:
      return false;
    default:
      return sig < 32 || (sig >= SIGRTMIN && sig <= SIGRTMAX);
    }
}

int
cli_tty_watch_start (struct cli_tty_watch *w, berth_error_t *err)
{
  if (pipe2 (w->pipe_fds, O_CLOEXEC | O_NONBLOCK) < 0)
    return berth_make_error (err, errno, "pipe");
  pipe_w = w->pipe_fds[1];
  resize_on = w->on_resize != NULL && w->tty_fd >= 0;
  proxy_on = w->on_signal != NULL;
  hold_on = w->hold_interrupts;
  held = 0;
  if (resize_on)
    install (SIGWINCH);
  if (hold_on && !proxy_on)
    {
      install (SIGINT);
      install (SIGTERM);
    }
  if (proxy_on)
    for (int sig = 1; sig < NSIG; sig++)
      if (proxied (sig) && !(sig == SIGWINCH && resize_on))
        install (sig);
  return w->pipe_fds[0];
}

int
cli_tty_watch_dispatch (void *data, berth_error_t *err)
{
  struct cli_tty_watch *w = data;
  unsigned char buf[64];
  ssize_t n;
  while ((n = read (w->pipe_fds[0], buf, sizeof buf)) > 0)
    for (ssize_t i = 0; i < n; i++)
      {
        int sig = buf[i];
        unsigned h, wd;
        if (sig == SIGWINCH && resize_on)
          {
            if (cli_tty_get_size (w->tty_fd, &h, &wd) == 0
                && w->on_resize (w->resize_data, h, wd, err) < 0)
              return -1;
          }
        else if (w->on_signal == NULL && (sig == SIGINT || sig == SIGTERM))
          return berth_make_error_msg (err, EINTR, "\ngot 3 SIGTERM/SIGINTs, forcefully exiting");
        else if (w->on_signal && w->on_signal (w->signal_data, sig, err) < 0)
          return -1;
      }
  return 0;
}

void
cli_tty_watch_stop (struct cli_tty_watch *w)
{
  resize_on = 0;
  proxy_on = 0;
  hold_on = 0;
  pipe_w = -1;
  for (int sig = 1; sig < NSIG; sig++)
    if (watched[sig] && sig != SIGINT && sig != SIGTERM && sig != SIGHUP && sig != SIGQUIT)
      {
        sigaction (sig, &old_actions[sig], NULL);
        watched[sig] = false;
      }
  for (int i = 0; i < 2; i++)
    if (w->pipe_fds[i] >= 0)
      {
        close (w->pipe_fds[i]);
        w->pipe_fds[i] = -1;
      }
}

const char *
cli_tty_signal_name (int signo, char buf[16])
{
  /* moby/sys/signal counts RT signals from 34 as Go's runtime sees them.  */
  if (signo >= SIGRTMIN && signo <= SIGRTMAX)
    {
      int mid = (SIGRTMIN + SIGRTMAX) / 2;
      if (signo == SIGRTMIN)
        snprintf (buf, 16, "RTMIN");
      else if (signo == SIGRTMAX)
        snprintf (buf, 16, "RTMAX");
      else if (signo <= mid)
        snprintf (buf, 16, "RTMIN+%d", signo - SIGRTMIN);
      else
        snprintf (buf, 16, "RTMAX-%d", SIGRTMAX - signo);
      return buf;
    }
  return sigabbrev_np (signo);
}

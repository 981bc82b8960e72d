/* berth — the CLI's terminal: raw mode restored on every exit path, window
 * size, SIGWINCH and signal proxying (`--sig-proxy`).
 *
 * Signal handlers need process-wide state (one terminal, one set of
 * handlers), so this module keeps it in statics, as the log sink does.  */
#ifndef BERTH_CLI_TTY_H
#define BERTH_CLI_TTY_H

#include <stdbool.h>

#include "base/error.h"

/* True when FD is a terminal.  */
bool cli_tty_is_terminal (int fd);

/* Window size of the terminal on FD (TIOCGWINSZ).  Returns 0, or -1 when FD
   is not a terminal.  */
int cli_tty_get_size (int fd, unsigned *height, unsigned *width);

/* Put FD (stdin) in raw mode as the docker CLI's term.SetRawTerminal does
   (cfmakeraw, VMIN 1, VTIME 0).  A no-op when FD is not a terminal or NORAW
   is set, as in docker.  The saved state is restored by cli_tty_restore,
   at exit (atexit), and by SIGINT/SIGTERM/SIGHUP/SIGQUIT handlers that
   restore and then die of the signal (so the shell sees 128+N, docker's
   exit code for these).  Returns 0 or < 0 with *err.  */
int cli_tty_set_raw (int fd, berth_error_t *err);

/* Restore the terminal saved by cli_tty_set_raw; idempotent and
   async-signal-safe.  */
void cli_tty_restore (void);

/* `-i` without `-t`, `-it`, attach: what to watch while a session runs.  */
struct cli_tty_watch
{
  int tty_fd; /* the terminal whose size is followed (stdout); -1: none */
  /* Called on SIGWINCH with the new size (POST .../resize).  NULL: off. */
  int (*on_resize) (void *data, unsigned height, unsigned width, berth_error_t *err);
  void *resize_data;
  /* `--sig-proxy`: every catchable signal (docker's list: all but CHLD,
     PIPE, URG, and here the synchronous faults) is handed to ON_SIGNAL
     (POST /containers/{id}/kill?signal=NAME) instead of acting on berth.
     NULL: no proxying.  */
  int (*on_signal) (void *data, int signo, berth_error_t *err);
  void *signal_data;
  /* docker 28 keeps an attached session through SIGINT/SIGTERM it does
     not proxy and gives up on the third ("got 3 SIGTERM/SIGINTs, forcefully
     exiting", status 1): cli_tty_watch_dispatch then fails with that
     message.  */
  bool hold_interrupts;
  int pipe_fds[2]; /* private */
};

/* Install the handlers; returns the fd to poll (cli_relay_opts.extra_fd)
   or < 0 with *err.  */
int cli_tty_watch_start (struct cli_tty_watch *w, berth_error_t *err);

/* Read what the handlers queued and call the callbacks; fits
   cli_relay_opts.on_extra (DATA is the struct cli_tty_watch).  Returns the
   first callback's failure, else 0.  */
int cli_tty_watch_dispatch (void *data, berth_error_t *err);

/* Put the previous handlers back and close the pipe.  */
void cli_tty_watch_stop (struct cli_tty_watch *w);

/* The name the Engine API's kill takes for SIGNO ("INT", "RTMIN+2"), as
   the docker CLI sends it; NULL for an unknown number.  Static storage
   for the standard ones; RT names are written to BUF (16 bytes).  */
const char *cli_tty_signal_name (int signo, char buf[16]);

#endif

/* berth — berth-shim, the per-container monitor (conmon's role).
 *
 * One shim per container, started by berthd (or by hand) as
 *   berth-shim --id ID --bundle DIR --runtime-root DIR --log-path FILE
 *              --exit-file FILE --pid-file FILE [--attach-socket PATH]
 *              [--terminal] [--stdin] [--keep] [--log-opt KEY=VALUE]...
 *              [--attach-hold N] [--control-socket PATH]
 * It daemonizes (it must outlive berthd: live-restore), becomes a child
 * subreaper, creates and starts the container through the runtime library
 * (never by spawning berth-runtime) with its stdio on pipes, or on a pty
 * with --terminal, and then, in one epoll loop:
 *   - relays stdout and stderr to the json-file log and to every client of
 *     the attach socket, and the clients' input to the container's stdin;
 *   - reaps the init and every process reparented to it;
 *   - when the init has exited and its output is drained to EOF, reads the
 *     OOM kill count of its memory cgroup, deletes the container (unless
 *     --keep), closes the log and writes the exit file atomically:
 *       {"ExitCode": N, "OOMKilled": false, "FinishedAt": "<RFC3339Nano>"}
 *     (ExitCode is 128+signal for a killed init, as docker reports it);
 *     then it exits.
 * The shim ignores SIGTERM, SIGINT, SIGHUP and SIGPIPE: stopping a
 * container is berthd's job through runtime_container_kill, and a shim
 * that died on a stray signal would lose the container's output and exit
 * status.  It never exits while the container's init runs.
 *
 * Attach socket protocol (SOCK_STREAM, unix):
 *   shim -> client: frames of the container's output, live from the moment
 *     the client connects (the past is in the log):
 *       byte 0      stream: 1 stdout, 2 stderr (3: the pty, with --terminal)
 *       bytes 1..4  length of the payload, big-endian uint32
 *       bytes 5..   payload: raw bytes as the container wrote them
 *     After the last output, the shim closes the connection.  A client that
 *     falls more than SHIM_CLIENT_BACKLOG bytes behind is disconnected so a
 *     stalled reader can never block the container or the log.
 *   client -> shim: raw bytes for the container's stdin (only with --stdin,
 *     or the pty with --terminal; else discarded).  A client's EOF
 *     (shutdown(SHUT_WR)) closes the container's stdin.
 * Docker's stdcopy framing of hijacked connections is the API layer's job.  */
#ifndef BERTH_SHIM_SHIM_H
#define BERTH_SHIM_SHIM_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

enum shim_stream
{
  SHIM_STREAM_STDOUT = 1,
  SHIM_STREAM_STDERR = 2,
  SHIM_STREAM_TTY = 3,
};

#define SHIM_FRAME_HEADER 5
#define SHIM_CLIENT_BACKLOG (4 * 1024 * 1024)

struct shim_config
{
  const char *id;
  const char *bundle;
  const char *runtime_root;
  const char *log_path;      /* json-file log of the container */
  const char *exit_file;     /* written once the container has exited */
  const char *pid_file;      /* the container init's pid, written at start */
  const char *attach_socket; /* NULL: no attach */
  const char *shim_log;      /* the shim's own diagnostics; NULL: none */
  bool terminal;             /* process.terminal: a pty instead of pipes */
  bool stdin_open;           /* keep a pipe to the container's stdin */
  bool keep;                 /* do not delete the container after it exits */
  char **log_opt_keys;       /* --log-opt KEY=VALUE, NULL-terminated */
  char **log_opt_values;
  /* Exec mode (shim_exec_run): --exec-process FILE, an OCI process, run
     in the running container --exec-container ID; id then names the exec
     and neither bundle nor log is used.  */
  const char *exec_process;
  const char *exec_container;
  /* --attach-hold N: the container's output is not read until N clients
     have connected to the attach socket (or SHIM_ATTACH_HOLD_MS passed).
     berthd passes the number of clients that attached before start (the
     docker CLI attaches, then starts) and connects them at once, so they
     get the output from its first byte; until then it waits in the pipes
     or the pty.  0: read at once.  */
  unsigned attach_hold;
  /* --control-socket PATH: the control protocol below; NULL: none.  */
  const char *control_socket;
};

#define SHIM_ATTACH_HOLD_MS 5000

/* Control socket protocol (SOCK_STREAM, unix, root only): the client sends
   lines, the shim acts on each and closes the connection at the client's
   EOF; nothing is sent back.
     "resize ROWS COLS\n"  set the pty's window size (TIOCSWINSZ; the kernel
                           sends SIGWINCH to its foreground process group);
                           ignored without --terminal.  */
#define SHIM_CONTROL_LINE_MAX 64

/* Fork the shim away from its starter: double fork and setsid, stdio on
   /dev/null.  In the starter, returns 1 once the shim has reported on the
   pipe (*sync_fd then is -1): 0 in *status when the container started,
   else 1 with the shim's error in *err.  In the shim, returns 0 with
   *sync_fd the pipe to report on (shim_run does).  < 0 with *err when the
   fork fails.  */
int shim_daemonize (int *sync_fd, int *status, berth_error_t *err);

/* Run the container of CFG to its end (see above).  SYNC_FD, when >= 0,
   receives "ok" once the container runs and its pid file is written, or
   the error that stopped it, and is closed.  Returns 0 once the exit file
   is written, < 0 with *err when the container could not be started (or
   its exit not recorded).  */
int shim_run (const struct shim_config *cfg, int sync_fd, berth_error_t *err);

/* Exec mode (src/shim/exec.c, `docker exec`): run cfg->exec_process in the
   container cfg->exec_container with its stdio relayed as above (no log),
   and write the exit file {"ExitCode": N, ...}, with "Error" (dockerd's
   "OCI runtime exec failed: ..." wording) and 126/127 when the process
   could not be started.  With an attach socket the process starts once
   the first client has connected (there is no log to replay what it
   printed before), and SYNC_FD gets "ok" once the socket listens; without
   one, SYNC_FD gets the exec's own outcome.  Returns as shim_run.  */
int shim_exec_run (const struct shim_config *cfg, int sync_fd, berth_error_t *err);

/* The shim's signal guard (SIGTERM, SIGINT, SIGHUP, SIGPIPE) until its
   loop takes the signals over.  */
void shim_guard_signals (void);

#endif

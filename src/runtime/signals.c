/* berth — signal names and container ids: the small parsers behind runc's
   command line.  (runtime_status_name lives in state.c.)  */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/cleanup.h"
#include "../base/xalloc.h"
#include "runtime.h"

/* An EINVAL error whose message is exactly FMT's.  */
#define invalid(err, ...) berth_make_error_msg ((err), EINVAL, __VA_ARGS__)

/* Linux's signal names (signal(7)), aliases included.  */
static const struct
{
  const char *name;
  int sig;
} signal_names[] = {
  { "HUP", SIGHUP },       { "INT", SIGINT },     { "QUIT", SIGQUIT }, { "ILL", SIGILL },
  { "TRAP", SIGTRAP },     { "ABRT", SIGABRT },   { "IOT", SIGIOT },   { "BUS", SIGBUS },
  { "FPE", SIGFPE },       { "KILL", SIGKILL },   { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV },
  { "USR2", SIGUSR2 },     { "PIPE", SIGPIPE },   { "ALRM", SIGALRM }, { "TERM", SIGTERM },
  { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },   { "CLD", SIGCHLD },  { "CONT", SIGCONT },
  { "STOP", SIGSTOP },     { "TSTP", SIGTSTP },   { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },
  { "URG", SIGURG },       { "XCPU", SIGXCPU },   { "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM },
  { "PROF", SIGPROF },     { "WINCH", SIGWINCH }, { "IO", SIGIO },     { "POLL", SIGPOLL },
  { "PWR", SIGPWR },       { "SYS", SIGSYS },
};

/* Real-time signals as kill(1) and docker name them: glibc keeps the first
   two for itself, so RTMIN is 34, RTMAX 64.  */
enum
{
  RT_MIN = 34,
  RT_MAX = 64,
  SIG_MAX = 64,
};

/* "RTMIN", "RTMIN+3", "RTMAX-2", "RTMAX" (upper case, no SIG) -> number, or
   -1.  */
static int
parse_rt (const char *s)
{
  const char *rest;
  int base, dir;
  char *end = NULL;
  long off;

  if (strncmp (s, "RTMIN", 5) == 0)
    base = RT_MIN, dir = 1;
  else if (strncmp (s, "RTMAX", 5) == 0)
    base = RT_MAX, dir = -1;
  else
    return -1;
  rest = s + 5;
  if (*rest == '\0')
    return base;
  if ((dir > 0 && *rest != '+') || (dir < 0 && *rest != '-') || !isdigit ((unsigned char) rest[1]))
    return -1;
  errno = 0;
  off = strtol (rest + 1, &end, 10);
  if (errno || *end != '\0' || off > RT_MAX - RT_MIN)
    return -1;
  return base + dir * (int) off;
}

int
runtime_signal_parse (const char *s, int *sig, berth_error_t *err)
{
  cleanup_free char *up = NULL;
  const char *name;
  char *end = NULL;

  if (s == NULL || *s == '\0')
    return invalid (err, "invalid signal ``");
  if (isdigit ((unsigned char) s[0]))
    {
      long n;
      errno = 0;
      n = strtol (s, &end, 10);
      if (errno || *end != '\0' || n < 1 || n > SIG_MAX)
        return invalid (err, "invalid signal `%s`", s);
      *sig = (int) n;
      return 0;
    }
  /* runc upper-cases the name and adds a missing SIG prefix.  */
  up = xstrdup (s);
  for (char *p = up; *p; p++)
    *p = (char) toupper ((unsigned char) *p);
  name = strncmp (up, "SIG", 3) == 0 ? up + 3 : up;
  for (size_t i = 0; i < sizeof signal_names / sizeof signal_names[0]; i++)
    if (strcmp (name, signal_names[i].name) == 0)
      {
        *sig = signal_names[i].sig;
        return 0;
      }
  int rt = parse_rt (name);
  if (rt > 0)
    {
      *sig = rt;
      return 0;
    }
  return invalid (err, "invalid signal `%s`", s);
}

/* runc's rule: ^[\w+-\.]+$ (the class holds the range '+'..'.', so ',' is
   allowed too), and "/" + id must already be a clean path: no "." or "..".
   The id names a directory under the state root, so anything else could
   escape it.  */
int
runtime_id_validate (const char *id, berth_error_t *err)
{
  if (id == NULL || *id == '\0')
    return invalid (err, "invalid container id ``");
  for (const char *p = id; *p; p++)
    if (!isalnum ((unsigned char) *p) && *p != '_' && (*p < '+' || *p > '.'))
      return invalid (err, "invalid container id `%s`", id);
  if (strcmp (id, ".") == 0 || strcmp (id, "..") == 0)
    return invalid (err, "invalid container id `%s`", id);
  /* A directory entry is at most NAME_MAX bytes.  */
  if (strlen (id) > 255)
    return invalid (err, "invalid container id `%.32s`: longer than 255 bytes", id);
  return 0;
}

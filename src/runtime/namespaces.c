/* berth — namespace names, clone flags and /proc/<pid>/ns names.  */
#define _GNU_SOURCE
#include <sched.h>
#include <string.h>

#include "runtime-internal.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct
{
  const char *type;
  const char *proc;
  int flag;
} table[] = {
  { "pid", "pid", CLONE_NEWPID },          { "network", "net", CLONE_NEWNET },
  { "mount", "mnt", CLONE_NEWNS },         { "ipc", "ipc", CLONE_NEWIPC },
  { "uts", "uts", CLONE_NEWUTS },          { "user", "user", CLONE_NEWUSER },
  { "cgroup", "cgroup", CLONE_NEWCGROUP }, { "time", "time", CLONE_NEWTIME },
};

int
namespace_flag (const char *type)
{
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (strcmp (table[i].type, type) == 0)
      return table[i].flag;
  return 0;
}

const char *
namespace_proc_name (const char *type)
{
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (strcmp (table[i].type, type) == 0)
      return table[i].proc;
  return NULL;
}

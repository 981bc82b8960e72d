/* berth — where a container's cgroup lives on the host, for readers of its
   accounting files (the engine's `docker stats`).  The saved path of
   state.json is decoded by the same code that made the cgroup, so the
   reader never re-derives the host's layout.  */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../base/base.h"
#include "cgroup-internal.h"
#include "runtime-internal.h"

void
runtime_cgroup_dirs_free (struct runtime_cgroup_dir *d, size_t n)
{
  for (size_t i = 0; d && i < n; i++)
    {
      free (d[i].controllers);
      free (d[i].dir);
    }
  free (d);
}

int
runtime_container_cgroup_dirs (struct runtime_ctx *ctx, const char *id,
                               struct runtime_cgroup_dir **out, size_t *n, berth_error_t *err)
{
  cleanup_free char *cgpath = NULL;
  struct runtime_state *s = state_read (ctx, id, &cgpath, err);
  struct cgroup *cg;

  if (s == NULL)
    return -1;
  runtime_state_free (s);
  if (cgpath == NULL)
    return berth_make_error (err, ENOENT, "container `%s` has no cgroup", id);
  if ((cg = cgroup_load (cgpath, err)) == NULL)
    return -1;
  *out = xcalloc (cg->n + 1, sizeof (**out));
  *n = cg->n;
  for (size_t i = 0; i < cg->n; i++)
    {
      (*out)[i].controllers = xstrdup (cg->h[i].controllers);
      (*out)[i].dir = xstrdup (cg->h[i].dir);
      (*out)[i].v2 = cg->h[i].v2;
    }
  cgroup_free (cg);
  return 0;
}

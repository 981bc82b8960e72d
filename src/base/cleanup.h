/* berth — cleanup attributes (the bubblewrap/crun/lxc idiom).
 *
 * Always initialise: `cleanup_free char *p = NULL;`.  Hand ownership out with
 * steal_pointer (&p) / steal_fd (&fd).  */
#ifndef BERTH_BASE_CLEANUP_H
#define BERTH_BASE_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define DEFINE_CLEANUP(type, fn)                                                                   \
  static inline void cleanup_fn_##fn (type *p)                                                     \
  {                                                                                                \
    if (*p)                                                                                        \
      fn (*p);                                                                                     \
  }
#define cleanup_type(fn) __attribute__ ((cleanup (cleanup_fn_##fn)))

static inline void
cleanup_freep (void *p)
{
  void **pp = (void **) p;
  free (*pp);
}

static inline void
cleanup_closep (int *fd)
{
  if (*fd >= 0)
    {
      int saved = errno;
      close (*fd);
      errno = saved;
    }
}

static inline void
cleanup_dirp (DIR **d)
{
  if (*d)
    closedir (*d);
}

static inline void
cleanup_filep (FILE **f)
{
  if (*f)
    fclose (*f);
}

/* A NULL-terminated array of strings: frees each and the array.  */
static inline void
cleanup_strvp (char ***v)
{
  if (*v)
    {
      for (char **s = *v; *s; s++)
        free (*s);
      free (*v);
    }
}

#define cleanup_free __attribute__ ((cleanup (cleanup_freep)))
#define cleanup_close __attribute__ ((cleanup (cleanup_closep)))
#define cleanup_dir __attribute__ ((cleanup (cleanup_dirp)))
#define cleanup_file __attribute__ ((cleanup (cleanup_filep)))
#define cleanup_strv __attribute__ ((cleanup (cleanup_strvp)))

static inline void *
steal_pointer_impl (void *pp)
{
  void **p = (void **) pp;
  void *r = *p;
  *p = NULL;
  return r;
}
#define steal_pointer(pp) ((__typeof__ (*(pp))) steal_pointer_impl (pp))

static inline int
steal_fd (int *fd)
{
  int r = *fd;
  *fd = -1;
  return r;
}

/* Retry an expression while it fails with EINTR.  */
#define TEMP_FAILURE_RETRY_INT(expr)                                                               \
  ({                                                                                               \
    long _r;                                                                                       \
    do                                                                                             \
      _r = (long) (expr);                                                                          \
    while (_r == -1L && errno == EINTR);                                                           \
    _r;                                                                                            \
  })

#endif

/* berth — compiled seccomp filters: built (or found in the cache) by the
 * runtime process, loaded by the container's init right before execve.
 *
 * libseccomp needs 10-20 ms to compile Docker's default profile for its
 * three x86 ABIs, more than a whole `crun run`.  The program depends only
 * on the profile, libseccomp and the kernel, so it is kept in a cache keyed
 * by all three (crun does the same).  The cache file holds the full key and
 * a hit compares it byte for byte: a hash collision, even a crafted one,
 * is a miss and never another profile's filter.  */
#define _GNU_SOURCE

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <seccomp.h>

#include "../base/base.h"
#include "runtime-internal.h"
#include "seccomp-internal.h"

#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif

#define CACHE_MAGIC "berth-seccomp-bpf 1\n"
#define CACHE_MAX_ENTRIES 128

struct seccomp_program
{
  struct sock_filter *insns;
  size_t n;
  unsigned flags; /* SECCOMP_FILTER_FLAG_* of the profile */
  bool notify;    /* SCMP_ACT_NOTIFY used: load with a listener */
};

void
seccomp_program_free (struct seccomp_program *p)
{
  if (p == NULL)
    return;
  free (p->insns);
  free (p);
}

DEFINE_CLEANUP (struct seccomp_program *, seccomp_program_free)

/* ---- the cache key: everything the BPF program depends on ---- */

struct buf
{
  char *data;
  size_t len, cap;
};

static void
buf_add (struct buf *b, const void *p, size_t n)
{
  if (b->len + n > b->cap)
    {
      b->cap = (b->len + n) * 2 + 256;
      b->data = xrealloc (b->data, b->cap);
    }
  memcpy (b->data + b->len, p, n);
  b->len += n;
}

/* Length-prefixed, so that no string of a hostile profile can pass for
   another field.  */
static void
buf_str (struct buf *b, const char *s)
{
  char num[24];
  size_t n = s ? strlen (s) : 0;

  snprintf (num, sizeof num, s ? "%zu:" : "-:", n);
  buf_add (b, num, strlen (num));
  buf_add (b, s ? s : "", n);
}

static void
buf_u64 (struct buf *b, uint64_t v)
{
  char num[24];
  snprintf (num, sizeof num, "%llu,", (unsigned long long) v);
  buf_add (b, num, strlen (num));
}

static void
cache_key (const struct oci_seccomp *s, struct buf *b)
{
  const struct scmp_version *v = seccomp_version ();
  struct utsname u;

  buf_add (b, CACHE_MAGIC, strlen (CACHE_MAGIC));
  buf_u64 (b, v->major);
  buf_u64 (b, v->minor);
  buf_u64 (b, v->micro);
  if (uname (&u) == 0)
    {
      buf_str (b, u.release);
      buf_str (b, u.version);
      buf_str (b, u.machine);
    }
  buf_str (b, s->default_action);
  buf_u64 (b, s->has_default_errno_ret ? s->default_errno_ret + 1ULL : 0);
  for (size_t i = 0; s->architectures && s->architectures[i]; i++)
    buf_str (b, s->architectures[i]);
  buf_add (b, ";", 1);
  for (size_t i = 0; i < s->n_syscalls; i++)
    {
      const struct oci_seccomp_syscall *sc = &s->syscalls[i];
      buf_str (b, sc->action);
      buf_u64 (b, sc->has_errno_ret ? sc->errno_ret + 1ULL : 0);
      for (size_t k = 0; sc->names && sc->names[k]; k++)
        buf_str (b, sc->names[k]);
      buf_add (b, ";", 1);
      for (size_t j = 0; j < sc->n_args; j++)
        {
          buf_u64 (b, sc->args[j].index);
          buf_u64 (b, sc->args[j].value);
          buf_u64 (b, sc->args[j].value_two);
          buf_str (b, sc->args[j].op);
        }
      buf_add (b, ";", 1);
    }
}

/* FNV-1a: only a file name; the key itself is compared on every hit.  */
static void
key_name (const struct buf *k, char name[17])
{
  uint64_t h = 0xcbf29ce484222325ULL;

  for (size_t i = 0; i < k->len; i++)
    h = (h ^ (unsigned char) k->data[i]) * 0x100000001b3ULL;
  snprintf (name, 17, "%016llx", (unsigned long long) h);
}

/* ---- the cache: <dir>/<name> = u64 key length, key, BPF ---- */

static bool
cache_lookup (const char *dir, const char *name, const struct buf *key, struct seccomp_program *p)
{
  cleanup_free char *path = xasprintf ("%s/%s", dir, name);
  cleanup_free char *data = NULL;
  cleanup_close int fd = -1;
  berth_error_t err = NULL;
  uint64_t klen;
  struct stat st;
  size_t len = 0, rest;

  fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return false;
  /* Only a file this user wrote, that nobody else could have changed.  */
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || st.st_uid != geteuid ()
      || (st.st_mode & 0022))
    return false;
  data = fs_read_fd (fd, &len, &err);
  if (data == NULL)
    {
      berth_error_release (&err);
      return false;
    }
  if (len < sizeof klen)
    return false;
  memcpy (&klen, data, sizeof klen);
  if (klen != key->len || len - sizeof klen < klen
      || memcmp (data + sizeof klen, key->data, klen) != 0)
    return false;
  rest = len - sizeof klen - klen;
  if (rest == 0 || rest % sizeof (struct sock_filter) != 0)
    return false;
  p->n = rest / sizeof (struct sock_filter);
  p->insns = xmalloc (rest);
  memcpy (p->insns, data + sizeof klen + klen, rest);
  return true;
}

/* A crude bound: far more distinct profiles than a host runs means a
   flood; start over.  */
static void
cache_trim (const char *dir)
{
  cleanup_dir DIR *d = opendir (dir);
  struct dirent *de;
  size_t n = 0;

  if (d == NULL)
    return;
  while ((de = readdir (d)))
    n += de->d_name[0] != '.';
  if (n < CACHE_MAX_ENTRIES)
    return;
  rewinddir (d);
  while ((de = readdir (d)))
    if (de->d_name[0] != '.')
      unlinkat (dirfd (d), de->d_name, 0);
}

/* Best effort: a cache that cannot be written only costs time.  */
static void
cache_store (const char *dir, const char *name, const struct buf *key,
             const struct seccomp_program *p)
{
  cleanup_free char *path = xasprintf ("%s/%s", dir, name);
  struct buf out = { 0 };
  uint64_t klen = key->len;
  berth_error_t err = NULL;

  if (fs_mkdir_p (dir, 0700, &err) < 0)
    goto fail;
  cache_trim (dir);
  buf_add (&out, &klen, sizeof klen);
  buf_add (&out, key->data, key->len);
  buf_add (&out, p->insns, p->n * sizeof (struct sock_filter));
  if (fs_write_file_atomic (path, out.data, out.len, 0600, &err) < 0)
    goto fail;
  free (out.data);
  return;
fail:
  log_debug ("seccomp cache: %s", err ? err->msg : "?");
  berth_error_release (&err);
  free (out.data);
}

/* ---- compile and load ---- */

int
seccomp_compile (const struct oci_seccomp *s, const char *cache_dir, struct seccomp_program **out,
                 berth_error_t *err)
{
  cleanup_type (seccomp_program_free) struct seccomp_program *p = NULL;
  struct buf key = { 0 };
  char name[17];

  *out = NULL;
  if (s == NULL)
    return 0;
  p = xmalloc0 (sizeof *p);
  if (seccomp_check (s, &p->notify, &p->flags, err) < 0)
    return -1;
  if (cache_dir)
    {
      cache_key (s, &key);
      key_name (&key, name);
      if (cache_lookup (cache_dir, name, &key, p))
        goto done;
    }
  if (seccomp_build_bpf (s, &p->insns, &p->n, err) < 0)
    {
      free (key.data);
      return -1;
    }
  if (cache_dir)
    cache_store (cache_dir, name, &key, p);
done:
  free (key.data);
  *out = steal_pointer (&p);
  return 0;
}

int
seccomp_program_load (const struct seccomp_program *p, bool no_new_privs, int *listener_fd,
                      berth_error_t *err)
{
  struct sock_fprog prog;
  unsigned long flags;
  long ret;

  if (listener_fd)
    *listener_fd = -1;
  if (p && p->notify && listener_fd == NULL)
    return berth_make_error (err, 0, "seccomp: `SCMP_ACT_NOTIFY` is not supported here");
  if (p && p->n > BPF_MAXINSNS)
    return berth_make_error (err, E2BIG, "seccomp: filter of %zu instructions (kernel limit %d)",
                             p->n, BPF_MAXINSNS);
  if (no_new_privs && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return berth_make_error (err, errno, "prctl `PR_SET_NO_NEW_PRIVS`");
  if (p == NULL)
    return 0;
  prog.len = (unsigned short) p->n;
  prog.filter = p->insns;
  flags = p->flags;
  /* The kernel refuses WAIT_KILLABLE_RECV without a listener; it only
     changes how a listener waits.  */
  if (!p->notify)
    flags &= ~(unsigned long) SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
  if (p->notify)
    /* With TSYNC the kernel would return a thread id, not the listener,
       unless told to report ESRCH instead.  */
    flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER
             | ((flags & SECCOMP_FILTER_FLAG_TSYNC) ? SECCOMP_FILTER_FLAG_TSYNC_ESRCH : 0);
  ret = syscall (__NR_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
  if (ret < 0)
    {
      /* Without no_new_privs the kernel wants CAP_SYS_ADMIN: the filter
         must then be loaded before the capabilities are dropped.  */
      if (errno == EACCES && !no_new_privs)
        return berth_make_error (err, errno,
                                 "seccomp: load the filter without "
                                 "noNewPrivileges (needs CAP_SYS_ADMIN)");
      if (errno == EINVAL && flags)
        return berth_make_error (err, errno, "seccomp: load the filter with flags %#lx", flags);
      return berth_make_error (err, errno, "seccomp: load the filter");
    }
  if (p->notify)
    *listener_fd = (int) ret; /* the kernel made it close-on-exec */
  return 0;
}

int
seccomp_apply_listener (const struct oci_seccomp *s, bool no_new_privs, int *listener_fd,
                        berth_error_t *err)
{
  cleanup_type (seccomp_program_free) struct seccomp_program *p = NULL;

  if (listener_fd)
    *listener_fd = -1;
  if (seccomp_compile (s, NULL, &p, err) < 0)
    return -1;
  return seccomp_program_load (p, no_new_privs, listener_fd, err);
}

int
seccomp_apply (const struct oci_seccomp *s, bool no_new_privs, berth_error_t *err)
{
  return seccomp_apply_listener (s, no_new_privs, NULL, err);
}

bool
seccomp_program_has_notify (const struct seccomp_program *p)
{
  return p && p->notify;
}

/* berth — the content store (blobs by sha256 digest).  See content.h for
   the crash-safety contract.  */
#define _GNU_SOURCE
#include "content.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fs.h"
#include "base/xalloc.h"

#define CHUNK (64 * 1024)
/* An ingest file changed this recently may belong to a writer between its
   open and its flock: store_content_gc_ingest leaves it alone.  */
#define INGEST_GRACE_SECONDS 10

struct store_content
{
  char *root;
  int blobs_fd;  /* <root>/blobs/sha256 */
  int ingest_fd; /* <root>/ingest */
};

struct store_content_writer
{
  struct store_content *cs;
  int fd;
  char name[40]; /* in ingest/ */
  struct digester *d;
  uint64_t written;
  int64_t expected_size;
  char *expected;
};

/* The store holds sha256 blobs only: anything else is refused before it
   becomes a file name.  */
static int
check_digest (const char *digest, berth_error_t *err)
{
  if (digest_validate (digest, err) < 0)
    return -EINVAL;
  if (strncmp (digest, "sha256:", 7) != 0)
    return berth_make_error_msg (err, EINVAL, "unsupported digest algorithm `%s`", digest);
  return 0;
}

static int
not_found (berth_error_t *err, const char *digest)
{
  return berth_make_error_msg (err, ENOENT, "content digest %s: not found", digest);
}

/* mkdir NAME under DIRFD if missing and open it, refusing a symlink.  */
static int
open_subdir (int dirfd, const char *name, const char *root, berth_error_t *err)
{
  int fd;

  if (mkdirat (dirfd, name, 0700) < 0 && errno != EEXIST)
    return berth_make_error (err, errno, "mkdir `%s/%s`", root, name);
  fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return berth_make_error (err, errno, "open `%s/%s`", root, name);
  return fd;
}

struct store_content *
store_content_open_root (const char *root, berth_error_t *err)
{
  cleanup_close int root_fd = -1;
  cleanup_close int blobs_fd = -1;
  struct store_content *cs;

  if (fs_mkdir_p (root, 0700, err) < 0)
    return NULL;
  root_fd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0)
    {
      berth_make_error (err, errno, "open `%s`", root);
      return NULL;
    }
  blobs_fd = open_subdir (root_fd, "blobs", root, err);
  if (blobs_fd < 0)
    return NULL;
  cs = xmalloc0 (sizeof *cs);
  cs->root = xstrdup (root);
  cs->ingest_fd = -1;
  cs->blobs_fd = open_subdir (blobs_fd, "sha256", root, err);
  if (cs->blobs_fd >= 0)
    cs->ingest_fd = open_subdir (root_fd, "ingest", root, err);
  if (cs->ingest_fd < 0)
    {
      store_content_free (cs);
      return NULL;
    }
  return cs;
}

void
store_content_free (struct store_content *cs)
{
  if (cs == NULL)
    return;
  if (cs->blobs_fd >= 0)
    close (cs->blobs_fd);
  if (cs->ingest_fd >= 0)
    close (cs->ingest_fd);
  free (cs->root);
  free (cs);
}

/* A fresh, unguessable name in ingest/, created exclusively and locked so
   that store_content_gc_ingest knows it is in use.  */
static int
create_ingest_file (struct store_content *cs, char name[40], berth_error_t *err)
{
  for (int attempt = 0; attempt < 16; attempt++)
    {
      uint64_t rnd[2];
      int fd;

      if (getrandom (rnd, sizeof rnd, 0) != (ssize_t) sizeof rnd)
        return berth_make_error (err, errno ? errno : EIO, "getrandom");
      snprintf (name, 40, "%016llx%016llx", (unsigned long long) rnd[0],
                (unsigned long long) rnd[1]);
      fd = openat (cs->ingest_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
      if (fd < 0 && errno == EEXIST)
        continue;
      if (fd < 0)
        return berth_make_error (err, errno, "create `%s/ingest/%s`", cs->root, name);
      if (TEMP_FAILURE_RETRY_INT (flock (fd, LOCK_EX)) < 0)
        {
          int e = errno;
          unlinkat (cs->ingest_fd, name, 0);
          close (fd);
          return berth_make_error (err, e, "lock `%s/ingest/%s`", cs->root, name);
        }
      return fd;
    }
  return berth_make_error (err, EEXIST, "create a file in `%s/ingest`", cs->root);
}

struct store_content_writer *
store_content_writer_new (struct store_content *cs, const char *expected, int64_t expected_size,
                          berth_error_t *err)
{
  struct store_content_writer *w;

  if (expected && check_digest (expected, err) < 0)
    return NULL;
  w = xmalloc0 (sizeof *w);
  w->cs = cs;
  w->expected_size = expected_size;
  w->expected = xstrdup (expected);
  w->fd = create_ingest_file (cs, w->name, err);
  if (w->fd < 0)
    {
      free (w->expected);
      free (w);
      return NULL;
    }
  w->d = digester_new ();
  return w;
}

void
store_content_writer_abort (struct store_content_writer *w)
{
  if (w == NULL)
    return;
  if (w->fd >= 0)
    {
      unlinkat (w->cs->ingest_fd, w->name, 0);
      close (w->fd);
    }
  digester_free (w->d);
  free (w->expected);
  free (w);
}

static int
size_mismatch (berth_error_t *err, uint64_t got, int64_t want)
{
  return berth_make_error_msg (err, EBADMSG,
                               "unexpected commit size %llu, expected %lld: failed precondition",
                               (unsigned long long) got, (long long) want);
}

int
store_content_writer_write (struct store_content_writer *w, const void *buf, size_t len,
                            berth_error_t *err)
{
  if (w->expected_size >= 0 && w->written + len > (uint64_t) w->expected_size)
    return size_mismatch (err, w->written + len, w->expected_size);
  if (fs_write_all (w->fd, buf, len) < 0)
    return berth_make_error (err, errno, "write `%s/ingest/%s`", w->cs->root, w->name);
  digester_update (w->d, buf, len);
  w->written += len;
  return 0;
}

/* Check what was written against what was expected.  */
static int
verify (struct store_content_writer *w, const char *got, berth_error_t *err)
{
  if (w->expected_size >= 0 && w->written != (uint64_t) w->expected_size)
    return size_mismatch (err, w->written, w->expected_size);
  if (w->expected && strcmp (got, w->expected) != 0)
    return berth_make_error_msg (err, EBADMSG,
                                 "unexpected commit digest %s, expected %s: failed precondition",
                                 got, w->expected);
  return 0;
}

/* Move the ingest file into place as blobs/sha256/<hex>.  When the blob is
   already there (another writer won), ours is dropped: the contents are
   the same by construction.  */
static int
publish (struct store_content_writer *w, const char *digest, berth_error_t *err)
{
  struct store_content *cs = w->cs;
  const char *hex = digest_hex (digest);

  if (faccessat (cs->blobs_fd, hex, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
    return 0;
  if (TEMP_FAILURE_RETRY_INT (fsync (w->fd)) < 0)
    return berth_make_error (err, errno, "fsync `%s/ingest/%s`", cs->root, w->name);
  if (renameat (cs->ingest_fd, w->name, cs->blobs_fd, hex) < 0)
    return berth_make_error (err, errno, "rename `%s/ingest/%s` to `%s/blobs/sha256/%s`", cs->root,
                             w->name, cs->root, hex);
  /* The name is gone from ingest/: abort must not unlink the blob's new
     name's inode under its old one.  */
  w->name[0] = '\0';
  if (TEMP_FAILURE_RETRY_INT (fsync (cs->blobs_fd)) < 0)
    return berth_make_error (err, errno, "fsync `%s/blobs/sha256`", cs->root);
  return 0;
}

int
store_content_writer_commit (struct store_content_writer *w, char out[DIGEST_SHA256_STRLEN],
                             berth_error_t *err)
{
  char got[DIGEST_SHA256_STRLEN];
  int r;

  digester_finish (w->d, got);
  w->d = NULL;
  r = verify (w, got, err);
  if (r == 0)
    r = publish (w, got, err);
  if (r == 0 && out)
    memcpy (out, got, sizeof got);
  if (w->name[0] == '\0')
    {
      close (w->fd);
      w->fd = -1;
    }
  store_content_writer_abort (w);
  return r;
}

int
store_content_ingest_fd (struct store_content *cs, int fd, const char *expected,
                         int64_t expected_size, char out[DIGEST_SHA256_STRLEN], berth_error_t *err)
{
  cleanup_free char *buf = NULL;
  struct store_content_writer *w = store_content_writer_new (cs, expected, expected_size, err);

  if (w == NULL)
    return -1;
  buf = xmalloc (CHUNK);
  for (;;)
    {
      ssize_t n = read (fd, buf, CHUNK);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int e = errno;
          store_content_writer_abort (w);
          return berth_make_error (err, e, "read content to ingest");
        }
      if (n == 0)
        break;
      if (store_content_writer_write (w, buf, (size_t) n, err) < 0)
        {
          store_content_writer_abort (w);
          return -1;
        }
    }
  return store_content_writer_commit (w, out, err);
}

int
store_content_ingest_buffer (struct store_content *cs, const void *buf, size_t len,
                             const char *expected, char out[DIGEST_SHA256_STRLEN],
                             berth_error_t *err)
{
  struct store_content_writer *w = store_content_writer_new (cs, expected, (int64_t) len, err);

  if (w == NULL)
    return -1;
  if (store_content_writer_write (w, buf, len, err) < 0)
    {
      store_content_writer_abort (w);
      return -1;
    }
  return store_content_writer_commit (w, out, err);
}

int
store_content_exists (struct store_content *cs, const char *digest, berth_error_t *err)
{
  struct stat st;

  if (check_digest (digest, err) < 0)
    return -EINVAL;
  if (fstatat (cs->blobs_fd, digest_hex (digest), &st, AT_SYMLINK_NOFOLLOW) == 0)
    return S_ISREG (st.st_mode) ? 1 : 0;
  if (errno == ENOENT)
    return 0;
  return berth_make_error (err, errno, "stat `%s/blobs/sha256/%s`", cs->root, digest_hex (digest));
}

int
store_content_open (struct store_content *cs, const char *digest, berth_error_t *err)
{
  int fd;

  if (check_digest (digest, err) < 0)
    return -EINVAL;
  fd = openat (cs->blobs_fd, digest_hex (digest), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT)
    return not_found (err, digest);
  if (fd < 0)
    return berth_make_error (err, errno, "open `%s/blobs/sha256/%s`", cs->root,
                             digest_hex (digest));
  return fd;
}

int
store_content_size (struct store_content *cs, const char *digest, uint64_t *size,
                    berth_error_t *err)
{
  struct stat st;

  if (check_digest (digest, err) < 0)
    return -EINVAL;
  if (fstatat (cs->blobs_fd, digest_hex (digest), &st, AT_SYMLINK_NOFOLLOW) < 0)
    {
      if (errno == ENOENT)
        return not_found (err, digest);
      return berth_make_error (err, errno, "stat `%s/blobs/sha256/%s`", cs->root,
                               digest_hex (digest));
    }
  *size = (uint64_t) st.st_size;
  return 0;
}

int
store_content_delete (struct store_content *cs, const char *digest, berth_error_t *err)
{
  if (check_digest (digest, err) < 0)
    return -EINVAL;
  if (unlinkat (cs->blobs_fd, digest_hex (digest), 0) < 0)
    {
      if (errno == ENOENT)
        return not_found (err, digest);
      return berth_make_error (err, errno, "remove `%s/blobs/sha256/%s`", cs->root,
                               digest_hex (digest));
    }
  return 0;
}

char *
store_content_read_all (struct store_content *cs, const char *digest, size_t max, size_t *len,
                        berth_error_t *err)
{
  cleanup_close int fd = store_content_open (cs, digest, err);
  cleanup_free char *buf = NULL;
  char got[DIGEST_SHA256_STRLEN];
  struct stat st;
  ssize_t n;

  if (fd < 0)
    return NULL;
  if (fstat (fd, &st) < 0)
    {
      berth_make_error (err, errno, "stat `%s/blobs/sha256/%s`", cs->root, digest_hex (digest));
      return NULL;
    }
  if ((uint64_t) st.st_size > max)
    {
      berth_make_error_msg (err, EFBIG,
                            "content digest %s: size %lld is over the limit of %zu bytes", digest,
                            (long long) st.st_size, max);
      return NULL;
    }
  buf = xmalloc ((size_t) st.st_size + 1);
  n = fs_read_all (fd, buf, (size_t) st.st_size);
  if (n < 0)
    {
      berth_make_error (err, errno, "read `%s/blobs/sha256/%s`", cs->root, digest_hex (digest));
      return NULL;
    }
  buf[n] = '\0';
  /* Small blobs are cheap to check, and a config's digest is the image ID:
     a blob damaged on disk must not pass for the image.  */
  digest_buffer (buf, (size_t) n, got);
  if (n != st.st_size || strcmp (got, digest) != 0)
    {
      berth_make_error_msg (err, EIO, "content digest %s: content is corrupted (digest %s)", digest,
                            got);
      return NULL;
    }
  if (len)
    *len = (size_t) n;
  return steal_pointer (&buf);
}

/* Remove one leftover unless a writer holds it (see INGEST_GRACE_SECONDS).
   1 when removed, 0 when left, < 0 on error.  */
static int
gc_one (struct store_content *cs, const char *name, time_t now, berth_error_t *err)
{
  cleanup_close int fd = -1;
  struct stat st;

  fd = openat (cs->ingest_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0 && (errno == ENOENT || errno == ELOOP))
    {
      /* Gone already, or a symlink nobody of ours made: unlink the name.  */
      if (errno == ELOOP && unlinkat (cs->ingest_fd, name, 0) == 0)
        return 1;
      return 0;
    }
  if (fd < 0)
    return berth_make_error (err, errno, "open `%s/ingest/%s`", cs->root, name);
  if (flock (fd, LOCK_EX | LOCK_NB) < 0)
    return errno == EWOULDBLOCK
               ? 0
               : berth_make_error (err, errno, "lock `%s/ingest/%s`", cs->root, name);
  if (fstat (fd, &st) < 0)
    return berth_make_error (err, errno, "stat `%s/ingest/%s`", cs->root, name);
  /* Directories are none of ours: left alone.  */
  if (S_ISDIR (st.st_mode))
    return 0;
  if (now - st.st_mtime < INGEST_GRACE_SECONDS && st.st_mtime - now < INGEST_GRACE_SECONDS)
    return 0;
  if (unlinkat (cs->ingest_fd, name, 0) < 0 && errno != ENOENT)
    return berth_make_error (err, errno, "remove `%s/ingest/%s`", cs->root, name);
  return 1;
}

int
store_content_gc_ingest (struct store_content *cs, berth_error_t *err)
{
  cleanup_dir DIR *dir = NULL;
  struct dirent *de;
  int dfd, removed = 0;
  time_t now = time (NULL);

  dfd = openat (cs->ingest_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return berth_make_error (err, errno, "open `%s/ingest`", cs->root);
  dir = fdopendir (dfd);
  if (dir == NULL)
    {
      close (dfd);
      return berth_make_error (err, errno, "open `%s/ingest`", cs->root);
    }
  while ((errno = 0, de = readdir (dir)) != NULL)
    {
      int r;
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      r = gc_one (cs, de->d_name, now, err);
      if (r < 0)
        return r;
      removed += r;
    }
  if (errno != 0)
    return berth_make_error (err, errno, "read `%s/ingest`", cs->root);
  return removed;
}

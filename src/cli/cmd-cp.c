/* berth — `berth cp`: files between a container and the host as tar
   streams over GET/PUT /containers/ID/archive, read and written with
   libarchive.  The copied item keeps its name inside an existing
   directory and takes the destination's name otherwise, as docker's
   archive.CopyTo rebases it.  */
#define _GNU_SOURCE
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "cli/cli.h"

static const struct cli_flag cp_flags[] = {
  { "archive", 'a', CLI_FLAG_BOOL, NULL, "Archive mode (copy all uid/gid information)", NULL, 0 },
  { "follow-link", 'L', CLI_FLAG_BOOL, NULL, "Always follow symbol link in SRC_PATH", NULL, 0 },
  { "quiet", 'q', CLI_FLAG_BOOL, NULL,
    "Suppress progress output during copy. Progress output is automatically suppressed if no "
    "terminal is attached",
    NULL, 0 },
  { NULL },
};

/* "name:path" is a container path unless it starts like a local path
   (docker's splitCpArg: absolute or "./" paths are local).  */
static bool
split_arg (const char *arg, char **container, char **path)
{
  const char *colon = strchr (arg, ':');
  if (arg[0] == '/' || arg[0] == '.' || colon == NULL || colon == arg)
    {
      *container = NULL;
      *path = xstrdup (arg);
      return false;
    }
  *container = xstrndup (arg, (size_t) (colon - arg));
  *path = xstrdup (colon + 1);
  return true;
}

static int
stop_cb (const char *data, size_t len, void *opaque)
{
  (void) data, (void) len, (void) opaque;
  return -1;
}

/* Is PATH an existing directory in the container?  A GET of "PATH/."
   answers 200 only for one; the stream is dropped at its first bytes.  */
static bool
container_is_dir (struct cli *cli, const char *id, const char *path)
{
  cleanup_free char *q = NULL, *p = xasprintf ("%s/.", path);
  cli_query_add (&q, "path", p);
  cleanup_free char *url = cli_path (cli, "/containers/%s/archive%s", id, q);
  struct cli_response r = { 0 };
  if (url)
    cli_stream (cli, "GET", url, NULL, -1, stop_cb, NULL, &r);
  berth_error_release (&cli->err);
  bool dir = r.status == 200;
  cli_response_clear (&r);
  return dir;
}

/* Replace the first component of NAME by NEWTOP (NULL: keep).  */
static char *
rebase (const char *name, const char *newtop)
{
  while (name[0] == '.' && name[1] == '/')
    name += 2;
  if (newtop == NULL)
    return xstrdup (name);
  const char *slash = strchr (name, '/');
  return xasprintf ("%s%s", newtop, slash ? slash : "");
}

static int
extract (int tar_fd, const char *dir, const char *newtop, berth_error_t *err)
{
  struct archive *in = archive_read_new (), *out = archive_write_disk_new ();
  archive_read_support_format_tar (in);
  archive_write_disk_set_options (out, ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM
                                           | ARCHIVE_EXTRACT_OWNER
                                           | ARCHIVE_EXTRACT_SECURE_NODOTDOT);
  int ret = 0;
  struct archive_entry *e;
  if (archive_read_open_fd (in, tar_fd, 65536) != ARCHIVE_OK)
    ret = berth_make_error_msg (err, EIO, "%s", archive_error_string (in));
  while (ret == 0 && archive_read_next_header (in, &e) == ARCHIVE_OK)
    {
      cleanup_free char *name = rebase (archive_entry_pathname (e), newtop);
      cleanup_free char *full = xasprintf ("%s/%s", dir, name);
      archive_entry_set_pathname (e, full);
      const char *link = archive_entry_hardlink (e);
      cleanup_free char *hl = link ? rebase (link, newtop) : NULL;
      cleanup_free char *hlfull = hl ? xasprintf ("%s/%s", dir, hl) : NULL;
      if (hlfull)
        archive_entry_set_hardlink (e, hlfull);
      if (archive_write_header (out, e) < ARCHIVE_WARN)
        ret = berth_make_error_msg (err, EIO, "%s", archive_error_string (out));
      const void *buf;
      size_t len;
      int64_t off;
      while (ret == 0 && archive_read_data_block (in, &buf, &len, &off) == ARCHIVE_OK)
        if (archive_write_data_block (out, buf, len, off) < ARCHIVE_WARN)
          ret = berth_make_error_msg (err, EIO, "%s", archive_error_string (out));
      archive_write_finish_entry (out);
    }
  archive_read_free (in);
  archive_write_free (out);
  return ret;
}

/* Standard base64 (the path-stat header); NULL on bad input.  */
static char *
b64_decode (const char *in)
{
  static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t n = strlen (in), o = 0;
  char *out = xmalloc (n / 4 * 3 + 4);
  unsigned acc = 0, bits = 0;
  for (size_t i = 0; i < n && in[i] != '='; i++)
    {
      const char *p = strchr (alpha, in[i]);
      if (p == NULL || in[i] == '\0')
        return free (out), NULL;
      acc = (acc << 6) | (unsigned) (p - alpha);
      if ((bits += 6) >= 8)
        out[o++] = (char) ((acc >> (bits -= 8)) & 0xff);
    }
  out[o] = '\0';
  return out;
}

/* `cp -L CONTAINER:SRC`: where the symlink SRC points inside the
   container (docker's copyFromContainer: relative targets joined to SRC's
   parent), and the name SRC's entries take back; NULL: not a symlink.  */
static char *
follow_link (struct cli *cli, const char *id, const char *src, char **rebase_name)
{
  cleanup_free char *q = NULL, *stat64 = NULL;
  cli_query_add (&q, "path", src);
  cleanup_free char *url = cli_path (cli, "/containers/%s/archive%s", id, q);
  struct cli_response r = { 0 };
  int ret = url ? cli_head (cli, url, "x-docker-container-path-stat:", &stat64, &r) : -1;
  bool ok = ret == 0 && r.status == 200 && stat64;
  cli_response_clear (&r);
  berth_error_release (&cli->err);
  cleanup_free char *text = ok ? b64_decode (stat64) : NULL;
  json_object *st = text ? json_tokener_parse (text) : NULL;
  json_object *mode = NULL, *target = NULL;
  char *path = NULL;
  if (st && json_object_object_get_ex (st, "mode", &mode)
      && (json_object_get_int64 (mode) & (1LL << 27)) /* os.ModeSymlink */
      && json_object_object_get_ex (st, "linkTarget", &target)
      && json_object_get_string_len (target) > 0)
    {
      const char *t = json_object_get_string (target);
      cleanup_free char *parent = xstrdup (src);
      path = t[0] == '/' ? xstrdup (t) : xasprintf ("%s/%s", dirname (parent), t);
      cleanup_free char *b1 = xstrdup (src), *b2 = xstrdup (path);
      if (strcmp (basename (b1), basename (b2)) != 0)
        *rebase_name = xstrdup (basename (b1));
    }
  json_object_put (st);
  return path;
}

static int
copy_from (struct cli *cli, struct cli_args *a, const char *id, const char *src, const char *dst)
{
  cleanup_free char *q = NULL, *rename = NULL;
  cleanup_free char *linked
      = cli_flag_bool (a, "follow-link") ? follow_link (cli, id, src, &rename) : NULL;
  if (linked)
    src = linked;
  cli_query_add (&q, "path", src);
  cleanup_free char *url = cli_path (cli, "/containers/%s/archive%s", id, q);
  bool raw = strcmp (dst, "-") == 0;
  cleanup_close int fd = raw ? -1 : memfd_create ("berth-cp", MFD_CLOEXEC);
  int target = raw ? STDOUT_FILENO : fd;
  struct cli_response r = { 0 };
  if (url == NULL || cli_stream (cli, "GET", url, NULL, -1, cli_chunk_to_fd, &target, &r) < 0)
    return cli_response_clear (&r), cli_fail (cli, a, 1);
  if (r.status >= 400)
    return cli_fail_response (cli, a, &r, 1), cli_response_clear (&r), 1;
  cli_response_clear (&r);
  if (raw)
    return 0;
  struct stat st;
  cleanup_free char *d1 = xstrdup (dst), *d2 = xstrdup (dst);
  bool into = stat (dst, &st) == 0 && S_ISDIR (st.st_mode);
  const char *dir = into ? dst : dirname (d1);
  const char *top = into ? rename : basename (d2);
  if (!into && stat (dir, &st) < 0)
    return cli_fail_msg (a, 1, "invalid output path: directory \"%s\" does not exist", dir);
  lseek (fd, 0, SEEK_SET);
  berth_error_t err = NULL;
  if (extract (fd, dir, top, &err) < 0)
    {
      fprintf (stderr, "%s\n", err->msg);
      return berth_error_release (&err), 1;
    }
  return 0;
}

/* Write SRC as a tar to FD, its top entry named TOP.  */
static int
pack (const char *src, const char *top, bool follow, int fd, berth_error_t *err)
{
  struct archive *disk = archive_read_disk_new (), *out = archive_write_new ();
  if (follow)
    archive_read_disk_set_symlink_logical (disk);
  else
    archive_read_disk_set_symlink_physical (disk);
  archive_read_disk_set_standard_lookup (disk);
  archive_write_set_format_pax_restricted (out);
  archive_write_open_fd (out, fd);
  int ret = 0;
  if (archive_read_disk_open (disk, src) != ARCHIVE_OK)
    ret = berth_make_error_msg (err, EIO, "%s", archive_error_string (disk));
  struct archive_entry *e = archive_entry_new ();
  size_t srclen = strlen (src);
  while (ret == 0 && archive_read_next_header2 (disk, e) == ARCHIVE_OK)
    {
      const char *p = archive_entry_pathname (e);
      cleanup_free char *name = xasprintf ("%s%s", top, strlen (p) > srclen ? p + srclen : "");
      archive_entry_set_pathname (e, name);
      archive_read_disk_descend (disk);
      if (archive_write_header (out, e) < ARCHIVE_WARN)
        ret = berth_make_error_msg (err, EIO, "%s", archive_error_string (out));
      cleanup_close int in = archive_entry_filetype (e) == AE_IFREG
                                 ? open (archive_entry_sourcepath (e), O_RDONLY | O_CLOEXEC)
                                 : -1;
      char buf[65536];
      ssize_t n;
      while (ret == 0 && in >= 0 && (n = read (in, buf, sizeof buf)) > 0)
        archive_write_data (out, buf, (size_t) n);
      archive_entry_clear (e);
    }
  archive_entry_free (e);
  archive_read_free (disk);
  archive_write_close (out);
  archive_write_free (out);
  return ret;
}

static int
put_archive (struct cli *cli, struct cli_args *a, const char *id, const char *dir, int fd)
{
  cleanup_free char *q = NULL;
  cli_query_add (&q, "path", dir);
  if (cli_flag_bool (a, "archive"))
    cli_query_add (&q, "copyUIDGID", "true");
  cli_query_add (&q, "noOverwriteDirNonDir", "true");
  cleanup_free char *url = cli_path (cli, "/containers/%s/archive%s", id, q);
  struct cli_response r = { 0 };
  if (url == NULL || cli_stream (cli, "PUT", url, "application/x-tar", fd, NULL, NULL, &r) < 0)
    return cli_response_clear (&r), cli_fail (cli, a, 1);
  if (r.status >= 400)
    return cli_fail_response (cli, a, &r, 1), cli_response_clear (&r), 1;
  cli_response_clear (&r);
  return 0;
}

static int
copy_to (struct cli *cli, struct cli_args *a, const char *src, const char *id, const char *dst)
{
  if (strcmp (src, "-") == 0)
    return put_archive (cli, a, id, dst, STDIN_FILENO);
  cleanup_free char *s = xstrdup (src);
  for (size_t n = strlen (s); n > 1 && s[n - 1] == '/'; n--)
    s[n - 1] = '\0';
  struct stat st;
  if ((cli_flag_bool (a, "follow-link") ? stat (s, &st) : lstat (s, &st)) < 0)
    {
      /* docker names the absolute path as its directory + "/" + base.  */
      int e = errno;
      char cwd[4096] = "";
      cleanup_free char *abs = s[0] == '/'
                                   ? xstrdup (s)
                                   : xasprintf ("%s/%s", getcwd (cwd, sizeof cwd) ? cwd : ".", s);
      cleanup_free char *d = xstrdup (abs), *b = xstrdup (abs);
      return cli_fail_msg (a, 1, "%s %s/%s: %s",
                           cli_flag_bool (a, "follow-link") ? "stat" : "lstat", dirname (d),
                           basename (b), e == ENOENT ? "no such file or directory" : strerror (e));
    }
  cleanup_free char *s2 = xstrdup (s), *d1 = xstrdup (dst), *d2 = xstrdup (dst);
  bool into = container_is_dir (cli, id, dst);
  const char *dir = into ? dst : dirname (d1);
  const char *top = into ? basename (s2) : basename (d2);
  cleanup_close int fd = memfd_create ("berth-cp", MFD_CLOEXEC);
  berth_error_t err = NULL;
  if (pack (s, top, cli_flag_bool (a, "follow-link"), fd, &err) < 0)
    {
      fprintf (stderr, "%s\n", err->msg);
      return berth_error_release (&err), 1;
    }
  lseek (fd, 0, SEEK_SET);
  return put_archive (cli, a, id, dir, fd);
}

static int
cmd_cp (struct cli *cli, struct cli_args *a)
{
  cleanup_free char *sc = NULL, *sp = NULL, *dc = NULL, *dp = NULL;
  bool from = split_arg (a->argv[0], &sc, &sp), to = split_arg (a->argv[1], &dc, &dp);
  if (from && to)
    return cli_fail_msg (a, 1, "copying between containers is not supported");
  if (!from && !to)
    return cli_fail_msg (a, 1, "must specify at least one container source");
  if (from && *sp == '\0')
    return cli_fail_msg (a, 1, "source can not be empty");
  if (to && *dp == '\0')
    return cli_fail_msg (a, 1, "destination can not be empty");
  cleanup_free char *id = cli_query_escape (from ? sc : dc);
  return from ? copy_from (cli, a, id, sp, dp) : copy_to (cli, a, sp, id, dp);
}

const struct cli_command cli_cmds_cp[] = {
  { .name = "cp",
    .parent = "container",
    .shortcut = "cp",
    .usage = "[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tberth cp [OPTIONS] SRC_PATH|- "
             "CONTAINER:DEST_PATH",
    .short_help = "Copy files/folders between a container and the local filesystem",
    .flags = cp_flags,
    .args = CLI_ARGS_EXACT,
    .nargs = 2,
    .fn = cmd_cp },
  { NULL },
};

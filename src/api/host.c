/* berth — facts about the host for /version and /info.  */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "api/host.h"
#include "base/base.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

char *
api_host_kernel_version (void)
{
  struct utsname u;
  return xstrdup (uname (&u) == 0 ? u.release : "");
}

char *
api_host_machine (void)
{
  struct utsname u;
  return xstrdup (uname (&u) == 0 ? u.machine : "");
}

/* Go's GOARCH names, which docker prints.  */
const char *
api_host_goarch (void)
{
#if defined(__x86_64__)
  return "amd64";
#elif defined(__aarch64__)
  return "arm64";
#elif defined(__arm__)
  return "arm";
#elif defined(__i386__)
  return "386";
#elif defined(__s390x__)
  return "s390x";
#elif defined(__powerpc64__)
  return "ppc64le";
#elif defined(__riscv)
  return "riscv64";
#else
  return "unknown";
#endif
}

/* KEY's value in os-release text, unquoted; NULL when absent.  */
char *
api_host_os_release_value (const char *text, const char *key)
{
  size_t klen = strlen (key);
  for (const char *line = text; line && *line;
       line = strchr (line, '\n') ? strchr (line, '\n') + 1 : NULL)
    {
      if (strncmp (line, key, klen) != 0 || line[klen] != '=')
        continue;
      const char *v = line + klen + 1;
      size_t n = strcspn (v, "\n");
      if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0])
        return xstrndup (v + 1, n - 2);
      return xstrndup (v, n);
    }
  return NULL;
}

char *
api_host_os_release (const char *key)
{
  cleanup_free char *text = fs_read_file ("/etc/os-release", NULL, NULL);
  if (text == NULL)
    text = fs_read_file ("/usr/lib/os-release", NULL, NULL);
  return text ? api_host_os_release_value (text, key) : NULL;
}

const char *
api_host_cgroup_version (void)
{
  struct statfs st;
  if (statfs ("/sys/fs/cgroup", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
    return "2";
  return "1";
}

/* dockerd's names of backing filesystems (pkg/fsutils, graphdriver).  */
const char *
api_host_fs_name (const char *path)
{
  static const struct
  {
    unsigned long magic;
    const char *name;
  } names[] = {
    { 0xEF53, "extfs" },     { 0x58465342, "xfs" },       { 0x9123683E, "btrfs" },
    { 0x01021994, "tmpfs" }, { 0x794c7630, "overlayfs" }, { 0x2fc12fc1, "zfs" },
    { 0x65735546, "fuse" },  { 0x6969, "nfs" },           { 0xF2F52010, "f2fs" },
  };
  struct statfs st;
  if (statfs (path, &st) < 0)
    return "<unknown>";
  for (size_t i = 0; i < sizeof (names) / sizeof (names[0]); i++)
    if ((unsigned long) st.f_type == names[i].magic)
      return names[i].name;
  return "<unknown>";
}

long
api_host_ncpu (void)
{
  long n = sysconf (_SC_NPROCESSORS_ONLN);
  return n > 0 ? n : 1;
}

int64_t
api_host_mem_total (void)
{
  struct sysinfo si;
  if (sysinfo (&si) < 0)
    return 0;
  return (int64_t) si.totalram * si.mem_unit;
}

char *
api_host_name (void)
{
  char buf[256] = "";
  if (gethostname (buf, sizeof (buf) - 1) < 0)
    buf[0] = '\0';
  return xstrdup (buf);
}

int
api_host_count_fds (void)
{
  cleanup_dir DIR *d = opendir ("/proc/self/fd");
  struct dirent *de;
  int n = 0;
  if (d == NULL)
    return 0;
  while ((de = readdir (d)))
    if (de->d_name[0] != '.')
      n++;
  return n - 1; /* the directory's own fd */
}

int
api_host_count_threads (void)
{
  cleanup_free char *s = fs_read_file ("/proc/self/status", NULL, NULL);
  const char *t = s ? strstr (s, "\nThreads:") : NULL;
  return t ? atoi (t + 9) : 1;
}

bool
api_host_ip_forward (void)
{
  cleanup_free char *s = fs_read_file ("/proc/sys/net/ipv4/ip_forward", NULL, NULL);
  return s && s[0] == '1';
}

/* Go's time.RFC3339Nano: trailing zeros of the fraction dropped, "Z" or a
   numeric zone.  */
char *
api_host_rfc3339_nano (const struct timespec *ts, bool utc)
{
  struct tm tm;
  char date[64], zone[32], frac[32] = "";
  long ns = ts->tv_nsec;

  if (utc)
    gmtime_r (&ts->tv_sec, &tm);
  else
    localtime_r (&ts->tv_sec, &tm);
  strftime (date, sizeof (date), "%Y-%m-%dT%H:%M:%S", &tm);
  if (ns > 0)
    {
      int len;
      snprintf (frac, sizeof (frac), ".%09ld", ns);
      len = (int) strlen (frac);
      while (len > 1 && frac[len - 1] == '0')
        frac[--len] = '\0';
    }
  if (utc || tm.tm_gmtoff == 0)
    strcpy (zone, "Z");
  else
    snprintf (zone, sizeof (zone), "%c%02ld:%02ld", tm.tm_gmtoff < 0 ? '-' : '+',
              labs (tm.tm_gmtoff) / 3600, (labs (tm.tm_gmtoff) % 3600) / 60);
  return xasprintf ("%s%s%s", date, frac, zone);
}

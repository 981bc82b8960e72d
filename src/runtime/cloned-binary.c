/* berth — run from a sealed in-memory copy of ourselves (CVE-2019-5736).
 *
 * A container process can reach the runtime's binary through
 * /proc/<pid>/exe of a runtime process it can see (the init before its
 * execve, an exec'd process before its own), or by making its entrypoint a
 * `#!/proc/self/exe` script, which the kernel resolves against the exe of
 * the process calling execve: ours.  Holding that file, it waits for us to
 * exit and rewrites the host's runtime.  Running from a sealed memfd makes
 * every such handle point at an unwritable copy.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../base/base.h"
#include "runtime.h"

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

static bool
is_sealed (int fd)
{
  int seals = fcntl (fd, F_GET_SEALS);
  return seals >= 0 && (seals & SEALS) == SEALS;
}

int
runtime_ensure_cloned_binary (char **argv, char **envp, berth_error_t *err)
{
  cleanup_close int self = open ("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  cleanup_close int mfd = -1;
  struct stat st;
  off_t off = 0;

  if (self < 0)
    return berth_make_error (err, errno, "open `/proc/self/exe`");
  if (is_sealed (self))
    return 0;
  if (fstat (self, &st) < 0)
    return berth_make_error (err, errno, "stat `/proc/self/exe`");
  mfd = memfd_create ("berth-runtime", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (mfd < 0)
    return berth_make_error (err, errno, "memfd_create");
  while (off < st.st_size)
    {
      ssize_t n = sendfile (mfd, self, &off, (size_t) (st.st_size - off));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return berth_make_error (err, n < 0 ? errno : EIO, "copy the runtime binary");
    }
  if (fcntl (mfd, F_ADD_SEALS, SEALS) < 0)
    return berth_make_error (err, errno, "seal the runtime binary");
  syscall (SYS_execveat, mfd, "", argv, envp, AT_EMPTY_PATH);
  return berth_make_error (err, errno, "re-exec the sealed runtime binary");
}

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
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../base/base.h"
#include "runtime-internal.h"

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

/* Only the bytes the kernel and the loader read are copied: up to the end
   of the last program-header extent.  Debug info and the section headers
   that follow are not needed to run, and skipping them keeps the copy a
   fraction of the file.  Falls back to the whole file.  */
static off_t
loadable_size (int fd, off_t file_size)
{
  Elf64_Ehdr eh;
  off_t end;

  if (pread (fd, &eh, sizeof eh, 0) != (ssize_t) sizeof eh
      || memcmp (eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64
      || eh.e_phentsize != sizeof (Elf64_Phdr) || eh.e_phnum == 0 || eh.e_phnum > 64)
    return file_size;
  end = (off_t) (eh.e_phoff + (Elf64_Off) eh.e_phnum * sizeof (Elf64_Phdr));
  for (unsigned i = 0; i < eh.e_phnum; i++)
    {
      Elf64_Phdr ph;
      if (pread (fd, &ph, sizeof ph, (off_t) (eh.e_phoff + i * sizeof ph)) != (ssize_t) sizeof ph)
        return file_size;
      if ((off_t) (ph.p_offset + ph.p_filesz) > end)
        end = (off_t) (ph.p_offset + ph.p_filesz);
    }
  return end < file_size ? end : file_size;
}

#ifdef BERTH_HAVE_DMZ
extern const unsigned char berth_dmz_blob[];
extern const size_t berth_dmz_blob_size;
#endif

int
runtime_dmz_open (int above, berth_error_t *err)
{
#ifdef BERTH_HAVE_DMZ
  cleanup_close int fd = memfd_create ("berth-dmz", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0)
    return berth_make_error (err, errno, "memfd_create");
  if (fs_write_all (fd, berth_dmz_blob, berth_dmz_blob_size) < 0)
    return berth_make_error (err, errno, "write berth-dmz");
  if (fcntl (fd, F_ADD_SEALS, SEALS) < 0)
    return berth_make_error (err, errno, "seal berth-dmz");
  {
    int nfd = fd_move_above (steal_fd (&fd), above);
    if (nfd < 0)
      return berth_make_error (err, errno, "dup berth-dmz");
    return nfd;
  }
#else
  (void) above;
  return berth_make_error (err, ENOSYS, "berth-dmz is not built for this architecture");
#endif
}

int
runtime_protect_self (char **argv, char **envp, berth_error_t *err)
{
#ifdef BERTH_HAVE_DMZ
  /* Container processes go through berth-dmz; what is left is this process
     itself, seen from a container sharing our pid namespace: make its
     /proc/<pid>/exe unreachable without CAP_SYS_PTRACE.  */
  (void) argv;
  (void) envp;
  if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
    return berth_make_error (err, errno, "prctl PR_SET_DUMPABLE");
  return 0;
#else
  return runtime_ensure_cloned_binary (argv, envp, err);
#endif
}

int
runtime_ensure_cloned_binary (char **argv, char **envp, berth_error_t *err)
{
  cleanup_close int self = open ("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  cleanup_close int mfd = -1;
  struct stat st;
  off_t off = 0, size;

  if (self < 0)
    return berth_make_error (err, errno, "open `/proc/self/exe`");
  if (is_sealed (self))
    return 0;
  if (fstat (self, &st) < 0)
    return berth_make_error (err, errno, "stat `/proc/self/exe`");
  mfd = memfd_create ("berth-runtime", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (mfd < 0)
    return berth_make_error (err, errno, "memfd_create");
  size = loadable_size (self, st.st_size);
  while (off < size)
    {
      ssize_t n = sendfile (mfd, self, &off, (size_t) (size - off));
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

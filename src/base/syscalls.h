/* berth — raw syscalls the C library may lack, as static inline wrappers that
   fail with ENOSYS where the kernel lacks them.  */
#ifndef BERTH_BASE_SYSCALLS_H
#define BERTH_BASE_SYSCALLS_H

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_openat2
#define __NR_openat2 437
#endif
#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef __NR_pidfd_send_signal
#define __NR_pidfd_send_signal 424
#endif
#ifndef __NR_clone3
#define __NR_clone3 435
#endif
#ifndef __NR_open_tree
#define __NR_open_tree 428
#endif
#ifndef __NR_move_mount
#define __NR_move_mount 429
#endif
#ifndef __NR_mount_setattr
#define __NR_mount_setattr 442
#endif
#ifndef __NR_close_range
#define __NR_close_range 436
#endif

#ifndef RESOLVE_NO_XDEV
#define RESOLVE_NO_XDEV 0x01
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_NO_SYMLINKS 0x04
#define RESOLVE_BENEATH 0x08
#define RESOLVE_IN_ROOT 0x10
#endif

struct berth_open_how
{
  uint64_t flags;
  uint64_t mode;
  uint64_t resolve;
};

static inline int
sys_openat2 (int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve)
{
  struct berth_open_how how = { .flags = flags, .mode = mode, .resolve = resolve };
  long r = syscall (__NR_openat2, dirfd, path, &how, sizeof how);
  return (int) r;
}

static inline int
sys_pidfd_open (pid_t pid, unsigned int flags)
{
  return (int) syscall (__NR_pidfd_open, pid, flags);
}

static inline int
sys_pidfd_send_signal (int pidfd, int sig, void *info, unsigned int flags)
{
  return (int) syscall (__NR_pidfd_send_signal, pidfd, sig, info, flags);
}

static inline int
sys_close_range (unsigned int first, unsigned int last, unsigned int flags)
{
  return (int) syscall (__NR_close_range, first, last, flags);
}

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif

static inline int
sys_open_tree (int dirfd, const char *path, unsigned int flags)
{
  return (int) syscall (__NR_open_tree, dirfd, path, flags);
}

static inline int
sys_move_mount (int from_dirfd, const char *from_path, int to_dirfd, const char *to_path,
                unsigned int flags)
{
  return (int) syscall (__NR_move_mount, from_dirfd, from_path, to_dirfd, to_path, flags);
}

#endif

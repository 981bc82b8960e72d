/* berth-dmz — the last step into a container's process (CVE-2019-5736).
 *
 * The container's init (or an exec'd process) execs this tiny program from
 * a sealed memfd, and it execs the container's executable, named by the
 * last environment entry BERTH_DMZ_EXE=<path> (removed before the exec).
 * During that final execve, /proc/self/exe -- which a `#!/proc/self/exe`
 * entrypoint makes the kernel run -- is this sealed copy, never the host's
 * berth-runtime.  No libc: nothing to load, nothing that could be
 * preloaded, and it starts in microseconds.  */

#define PREFIX "BERTH_DMZ_EXE="

static long
sys3 (long n, long a, long b, long c)
{
  long r;
#if defined(__x86_64__)
  __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
#elif defined(__aarch64__)
  register long x8 __asm__("x8") = n;
  register long x0 __asm__("x0") = a;
  register long x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c;
  __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
  r = x0;
#else
#error "berth-dmz: unsupported architecture"
#endif
  return r;
}

#if defined(__x86_64__)
#define NR_write 1
#define NR_execve 59
#define NR_exit 60
#else
#define NR_write 64
#define NR_execve 221
#define NR_exit 93
#endif

static unsigned long
len (const char *s)
{
  unsigned long n = 0;
  while (s[n])
    n++;
  return n;
}

static void
fail (const char *what, const char *path, long err)
{
  static const char head[] = "berth-dmz: ";
  char num[24];
  int i = (int) sizeof num;

  sys3 (NR_write, 2, (long) head, sizeof head - 1);
  sys3 (NR_write, 2, (long) what, (long) len (what));
  if (path)
    {
      sys3 (NR_write, 2, (long) " `", 2);
      sys3 (NR_write, 2, (long) path, (long) len (path));
      sys3 (NR_write, 2, (long) "`", 1);
    }
  num[--i] = '\n';
  for (unsigned long e = (unsigned long) -err; i > 1;)
    {
      num[--i] = (char) ('0' + e % 10);
      e /= 10;
      if (e == 0)
        break;
    }
  num[--i] = ' ';
  num[--i] = ':';
  sys3 (NR_write, 2, (long) (num + i), (long) sizeof num - i);
  sys3 (NR_exit, 127, 0, 0);
}

__attribute__ ((used)) void
dmz_main (long *sp)
{
  long argc = sp[0];
  char **argv = (char **) (sp + 1);
  char **envp = argv + argc + 1;
  char **last = 0;
  const char *exe;

  for (char **e = envp; *e; e++)
    last = e;
  if (last == 0)
    fail ("no executable given", 0, -22);
  for (unsigned i = 0; i < sizeof PREFIX - 1; i++)
    if ((*last)[i] != PREFIX[i])
      fail ("no executable given", 0, -22);
  exe = *last + sizeof PREFIX - 1;
  *last = 0;
  fail ("exec", exe, sys3 (NR_execve, (long) exe, (long) argv, (long) envp));
}

/* The kernel enters here with the stack pointer at argc.  */
#if defined(__x86_64__)
__asm__(".text\n.global _start\n_start:\n xor %rbp, %rbp\n mov %rsp, %rdi\n and $-16, %rsp\n call "
        "dmz_main\n hlt\n");
#elif defined(__aarch64__)
__asm__(".text\n.global _start\n_start:\n mov x29, #0\n mov x30, #0\n mov x0, sp\n bl dmz_main\n");
#endif

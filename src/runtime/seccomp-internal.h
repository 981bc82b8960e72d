/* berth — privates shared by seccomp.c (profile -> BPF through libseccomp)
   and seccomp-program.c (cache, load).  */
#ifndef BERTH_RUNTIME_SECCOMP_INTERNAL_H
#define BERTH_RUNTIME_SECCOMP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

#include "../base/error.h"
#include "../oci/runtime-spec.h"

#ifndef SECCOMP_FILTER_FLAG_TSYNC
#define SECCOMP_FILTER_FLAG_TSYNC (1UL << 0)
#endif
#ifndef SECCOMP_FILTER_FLAG_LOG
#define SECCOMP_FILTER_FLAG_LOG (1UL << 1)
#endif
#ifndef SECCOMP_FILTER_FLAG_SPEC_ALLOW
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1UL << 2)
#endif
#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* Check every name and number of S without building anything.  *uses_notify
   (may be NULL) tells whether SCMP_ACT_NOTIFY appears, *flags (may be NULL)
   gets the SECCOMP_FILTER_FLAG_* bits of S->flags.  */
int seccomp_check (const struct oci_seccomp *s, bool *uses_notify, unsigned *flags,
                   berth_error_t *err);

/* The BPF program of S (already checked): a new array of *n instructions
   in *insns, freed with free().  */
int seccomp_build_bpf (const struct oci_seccomp *s, struct sock_filter **insns, size_t *n,
                       berth_error_t *err);

#endif

/* placeholder: not written yet */
typedef int berth_placeholder_seccomp;

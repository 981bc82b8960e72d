/* placeholder: not written yet */
typedef int berth_placeholder_runtime_spec_linux;

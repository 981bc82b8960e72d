/* berth — OCI documents <-> C structs.  */
#ifndef BERTH_OCI_OCI_H
#define BERTH_OCI_OCI_H

#include "image-spec.h"
#include "runtime-spec.h"

#endif

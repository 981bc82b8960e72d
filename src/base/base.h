/* berth — base layer: everything every other layer may use.  */
#ifndef BERTH_BASE_BASE_H
#define BERTH_BASE_BASE_H

#include "cleanup.h"
#include "error.h"
#include "fs.h"
#include "fs-root.h"
#include "json.h"
#include "log.h"
#include "strv.h"
#include "xalloc.h"

#endif

// The one public header of CRuntimeShim: everything Swift sees of the C side.
// Each concern keeps its declarations in its own crs_*.h, included here.
#ifndef CRUNTIMESHIM_H
#define CRUNTIMESHIM_H

#include "crs_sys.h"
#include "crs_spawn.h"
#include "crs_seccomp.h"
#include "crs_sandbox.h"
#include "crs_daemon.h"

#endif

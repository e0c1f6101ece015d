// Small syscall and macro re-exports Swift cannot reach directly.
#ifndef CRS_SYS_H
#define CRS_SYS_H

#include <sys/types.h>

#endif

// Container spawn: the plain-data description Swift fills, and the C child that acts on it.
#ifndef CRS_SPAWN_H
#define CRS_SPAWN_H

#include <sys/types.h>

#endif

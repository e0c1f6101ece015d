#ifdef __linux__
#include "crs_sys.h"
#endif

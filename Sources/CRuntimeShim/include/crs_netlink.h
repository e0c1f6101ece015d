// rtnetlink through libmnl: veth pairs, bridges, addresses, routes.
#ifndef CRS_NETLINK_H
#define CRS_NETLINK_H

#include <sys/types.h>

#endif

// Internal to CNetlink: a libmnl socket opened in a given network namespace, shared by
// the rtnetlink (netlink.c) and nf_tables (nftables.c) code.
#ifndef CRS_MNL_SOCKET_NS_H
#define CRS_MNL_SOCKET_NS_H

struct mnl_socket;

/// Opens and binds a netlink socket of `protocol`. netns_fd < 0: the caller's namespace;
/// otherwise a short-lived thread joins that namespace to create it (setns CLONE_NEWNET is
/// per thread), so the multithreaded caller never moves. NULL with errno on failure.
struct mnl_socket *crs_mnl_socket_open(int protocol, int netns_fd);

#endif

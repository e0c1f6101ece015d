// Internal to CNetlink: the nf_tables batch being built, shared by the batch and object
// code (nftables.c) and the expression setters (nftables_expr.c).
#ifndef CRS_NFT_BATCH_H
#define CRS_NFT_BATCH_H

#include "crs_nftables.h"

#include <stddef.h>
#include <stdint.h>

struct nftnl_rule;
struct nftnl_set;

/* Each message is built in a scratch page, then appended to the batch buffer. Elements are
 * grouped per message in chunks small enough to fit it. */
enum { SCRATCH = 65536, ELEMS_PER_MSG = 256 };

struct crs_nft_batch {
    int family;
    char *table;
    char *buf;        /* begin marker, messages, (end marker at commit) */
    size_t len, cap;
    uint32_t seq;     /* last sequence number used */
    uint32_t first_seq;
    size_t messages;
    char *scratch;
    struct nftnl_rule *rule;      /* rule being built, or NULL */
    struct nftnl_set *elems;      /* pending elements, or NULL */
    int elems_add;
    size_t elems_count;
};

#endif

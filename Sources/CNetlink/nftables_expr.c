#ifdef __linux__
// The nf_tables constants Swift cannot see (macros and enums, re-exported) and the expression
// setters that append to the rule a batch is building.
#include "crs_nftables.h"
#include "nft_batch.h"

#include <errno.h>
#include <stdio.h> /* libnftnl's headers use FILE */
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/rtnetlink.h>
#include <string.h>

const int crs_nft_family_ipv4 = NFPROTO_IPV4;
const uint32_t crs_nft_reg_verdict = NFT_REG_VERDICT;
const uint32_t crs_nft_reg32_00 = NFT_REG32_00;
const int crs_nft_accept = NF_ACCEPT;
const int crs_nft_drop = NF_DROP;
const int crs_nft_return = NFT_RETURN;
const int crs_nft_jump = NFT_JUMP;
const int crs_nft_goto = NFT_GOTO;
const int crs_nft_hook_prerouting = NF_INET_PRE_ROUTING;
const int crs_nft_hook_input = NF_INET_LOCAL_IN;
const int crs_nft_hook_forward = NF_INET_FORWARD;
const int crs_nft_hook_output = NF_INET_LOCAL_OUT;
const int crs_nft_hook_postrouting = NF_INET_POST_ROUTING;
const uint32_t crs_nft_cmp_eq = NFT_CMP_EQ;
const uint32_t crs_nft_cmp_neq = NFT_CMP_NEQ;
const uint32_t crs_nft_payload_network = NFT_PAYLOAD_NETWORK_HEADER;
const uint32_t crs_nft_payload_transport = NFT_PAYLOAD_TRANSPORT_HEADER;
const uint32_t crs_nft_meta_l4proto = NFT_META_L4PROTO;
const uint32_t crs_nft_meta_mark = NFT_META_MARK;
const uint32_t crs_nft_ct_state = NFT_CT_STATE;
const uint32_t crs_nft_ct_state_new = 8; /* NF_CT_STATE_BIT(IP_CT_NEW) = 1 << (2 + 1) */
const uint32_t crs_nft_fib_daddr_type_flags = NFTA_FIB_F_DADDR;
const uint32_t crs_nft_fib_result_addrtype = NFT_FIB_RESULT_ADDRTYPE;
const uint32_t crs_nft_rtn_local = RTN_LOCAL;
const uint32_t crs_nft_nat_dnat = NFT_NAT_DNAT;
const uint32_t crs_nft_nat_random_fully = NF_NAT_RANGE_PROTO_RANDOM_FULLY;
const uint32_t crs_nft_set_map = NFT_SET_MAP;
const uint32_t crs_nft_set_timeout = NFT_SET_TIMEOUT;
const uint32_t crs_nft_set_eval = NFT_SET_EVAL;
const uint32_t crs_nft_data_verdict = NFT_DATA_VERDICT;
const uint32_t crs_nft_dynset_update = NFT_DYNSET_OP_UPDATE;

/* One attribute of an expression as nftnl_expr_set takes it: libnftnl's id and its bytes (what
 * nftnl_expr_set_u32/_u8/_u64/_str pass). An optional attribute not given has data NULL and stays
 * unset. */
struct expr_attr {
    uint16_t type;
    const void *data;
    uint32_t len;
};

/* Attribute makers for add_expr. A value lives in a compound literal of the calling function's
 * block, so it outlasts the call; the _IF forms set the attribute only when `cond` holds. */
#define VALUE(type, ctype, v) {(type), &(ctype){(v)}, sizeof(ctype)}
#define VALUE_IF(cond, type, ctype, v) {(type), (cond) ? &(ctype){(v)} : NULL, sizeof(ctype)}
#define U32(type, v) VALUE(type, uint32_t, v)
#define U32_IF(cond, type, v) VALUE_IF(cond, type, uint32_t, v)
#define STR(type, s) {(type), (s), (s) ? (uint32_t)strlen(s) + 1 : 0} /* NULL: unset */
#define BYTES(type, p, n) {(type), (p), (n)}

/* Appends an expression of `name` with attrs[0..n) to the rule being built. -1 with errno. */
static int add_expr_attrs(crs_nft_batch *b, const char *name, const struct expr_attr *attrs, size_t n) {
    if (b->rule == NULL) {
        errno = EINVAL;
        return -1;
    }
    struct nftnl_expr *e = nftnl_expr_alloc(name);
    if (e == NULL) return -1;
    nftnl_rule_add_expr(b->rule, e);
    for (size_t i = 0; i < n; i++)
        if (attrs[i].data != NULL) nftnl_expr_set(e, attrs[i].type, attrs[i].data, attrs[i].len);
    return 0;
}

/* add_expr(b, name, attribute...): add_expr_attrs with the attributes listed in place. */
#define add_expr(b, name, ...)                                                                  \
    add_expr_attrs((b), (name), (const struct expr_attr[]){__VA_ARGS__},                        \
                   sizeof((const struct expr_attr[]){__VA_ARGS__}) / sizeof(struct expr_attr))

int crs_nft_expr_payload(crs_nft_batch *b, uint32_t base, uint32_t offset, uint32_t len, uint32_t dreg) {
    return add_expr(b, "payload", U32(NFTNL_EXPR_PAYLOAD_BASE, base), U32(NFTNL_EXPR_PAYLOAD_OFFSET, offset),
                    U32(NFTNL_EXPR_PAYLOAD_LEN, len), U32(NFTNL_EXPR_PAYLOAD_DREG, dreg));
}

int crs_nft_expr_meta_load(crs_nft_batch *b, uint32_t key, uint32_t dreg) {
    return add_expr(b, "meta", U32(NFTNL_EXPR_META_KEY, key), U32(NFTNL_EXPR_META_DREG, dreg));
}

int crs_nft_expr_meta_set(crs_nft_batch *b, uint32_t key, uint32_t sreg) {
    return add_expr(b, "meta", U32(NFTNL_EXPR_META_KEY, key), U32(NFTNL_EXPR_META_SREG, sreg));
}

int crs_nft_expr_ct_load(crs_nft_batch *b, uint32_t key, uint32_t dreg) {
    return add_expr(b, "ct", U32(NFTNL_EXPR_CT_KEY, key), U32(NFTNL_EXPR_CT_DREG, dreg));
}

int crs_nft_expr_fib(crs_nft_batch *b, uint32_t flags, uint32_t result, uint32_t dreg) {
    return add_expr(b, "fib", U32(NFTNL_EXPR_FIB_FLAGS, flags), U32(NFTNL_EXPR_FIB_RESULT, result),
                    U32(NFTNL_EXPR_FIB_DREG, dreg));
}

int crs_nft_expr_cmp(crs_nft_batch *b, uint32_t sreg, uint32_t op, const void *data, uint32_t len) {
    return add_expr(b, "cmp", U32(NFTNL_EXPR_CMP_SREG, sreg), U32(NFTNL_EXPR_CMP_OP, op),
                    BYTES(NFTNL_EXPR_CMP_DATA, data, len));
}

int crs_nft_expr_bitwise(crs_nft_batch *b, uint32_t sreg, uint32_t dreg, uint32_t len,
                         const void *mask, const void *xor_) {
    return add_expr(b, "bitwise", U32(NFTNL_EXPR_BITWISE_SREG, sreg), U32(NFTNL_EXPR_BITWISE_DREG, dreg),
                    U32(NFTNL_EXPR_BITWISE_LEN, len), BYTES(NFTNL_EXPR_BITWISE_MASK, mask, len),
                    BYTES(NFTNL_EXPR_BITWISE_XOR, xor_, len));
}

int crs_nft_expr_numgen_random(crs_nft_batch *b, uint32_t dreg, uint32_t modulus) {
    return add_expr(b, "numgen", U32(NFTNL_EXPR_NG_DREG, dreg), U32(NFTNL_EXPR_NG_MODULUS, modulus),
                    U32(NFTNL_EXPR_NG_TYPE, NFT_NG_RANDOM));
}

int crs_nft_expr_immediate(crs_nft_batch *b, uint32_t dreg, const void *data, uint32_t len) {
    return add_expr(b, "immediate", U32(NFTNL_EXPR_IMM_DREG, dreg), BYTES(NFTNL_EXPR_IMM_DATA, data, len));
}

int crs_nft_expr_verdict(crs_nft_batch *b, int verdict, const char *chain) {
    return add_expr(b, "immediate", U32(NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT),
                    U32(NFTNL_EXPR_IMM_VERDICT, (uint32_t)verdict), STR(NFTNL_EXPR_IMM_CHAIN, chain));
}

int crs_nft_expr_nat(crs_nft_batch *b, uint32_t type, uint32_t reg_addr, uint32_t reg_proto, uint32_t flags) {
    return add_expr(b, "nat", U32(NFTNL_EXPR_NAT_TYPE, type), U32(NFTNL_EXPR_NAT_FAMILY, (uint32_t)b->family),
                    U32(NFTNL_EXPR_NAT_REG_ADDR_MIN, reg_addr),
                    U32_IF(reg_proto != 0, NFTNL_EXPR_NAT_REG_PROTO_MIN, reg_proto),
                    U32_IF(flags != 0, NFTNL_EXPR_NAT_FLAGS, flags));
}

int crs_nft_expr_masq(crs_nft_batch *b, uint32_t flags) {
    return add_expr(b, "masq", U32_IF(flags != 0, NFTNL_EXPR_MASQ_FLAGS, flags));
}

int crs_nft_expr_reject(crs_nft_batch *b) {
    return add_expr(b, "reject", U32(NFTNL_EXPR_REJECT_TYPE, NFT_REJECT_ICMP_UNREACH),
                    VALUE(NFTNL_EXPR_REJECT_CODE, uint8_t, 3 /* ICMP_PORT_UNREACH */));
}

int crs_nft_expr_lookup(crs_nft_batch *b, const char *set, uint32_t sreg, int dreg) {
    return add_expr(b, "lookup", STR(NFTNL_EXPR_LOOKUP_SET, set), U32(NFTNL_EXPR_LOOKUP_SREG, sreg),
                    U32_IF(dreg >= 0, NFTNL_EXPR_LOOKUP_DREG, (uint32_t)dreg));
}

int crs_nft_expr_dynset(crs_nft_batch *b, const char *set, uint32_t sreg, uint32_t op, uint64_t timeout_ms) {
    return add_expr(b, "dynset", STR(NFTNL_EXPR_DYNSET_SET_NAME, set), U32(NFTNL_EXPR_DYNSET_SREG_KEY, sreg),
                    U32(NFTNL_EXPR_DYNSET_OP, op),
                    VALUE_IF(timeout_ms != 0, NFTNL_EXPR_DYNSET_TIMEOUT, uint64_t, timeout_ms));
}
#endif

// nf_tables over netlink (libnftnl + libmnl): one transaction ("batch") built in memory from
// small calls, then sent with a single sendmsg and checked. The proxy's nftables backend
// builds its whole table this way, never dumping the kernel's ruleset.
#ifndef CRS_NFTABLES_H
#define CRS_NFTABLES_H

#include <stdint.h>
#include <stddef.h>

/// One nf_tables transaction being built, for tables of one family.
typedef struct crs_nft_batch crs_nft_batch;

/// NFPROTO_IPV4, the `ip` family.
extern const int crs_nft_family_ipv4;
/// Registers as nf_tables numbers them: the verdict register and the 32-bit ones.
extern const uint32_t crs_nft_reg_verdict;
extern const uint32_t crs_nft_reg32_00;
/// Verdicts for crs_nft_verdict / crs_nft_set_elem (NF_ACCEPT, NFT_RETURN, NFT_JUMP, NFT_GOTO…).
extern const int crs_nft_accept;
extern const int crs_nft_drop;
extern const int crs_nft_return;
extern const int crs_nft_jump;
extern const int crs_nft_goto;
/// Hooks for crs_nft_chain_add (NF_INET_*); -1 makes a regular chain.
extern const int crs_nft_hook_prerouting;
extern const int crs_nft_hook_input;
extern const int crs_nft_hook_forward;
extern const int crs_nft_hook_output;
extern const int crs_nft_hook_postrouting;
/// cmp operators.
extern const uint32_t crs_nft_cmp_eq;
extern const uint32_t crs_nft_cmp_neq;
/// payload bases.
extern const uint32_t crs_nft_payload_network;
extern const uint32_t crs_nft_payload_transport;
/// meta keys.
extern const uint32_t crs_nft_meta_l4proto;
extern const uint32_t crs_nft_meta_mark;
/// ct state key and the "new" state bit.
extern const uint32_t crs_nft_ct_state;
extern const uint32_t crs_nft_ct_state_new;
/// fib: `fib daddr type` flags and result, and the local address type.
extern const uint32_t crs_nft_fib_daddr_type_flags;
extern const uint32_t crs_nft_fib_result_addrtype;
extern const uint32_t crs_nft_rtn_local;
/// nat type dnat; masquerade/nat flag "fully-random"; set flags.
extern const uint32_t crs_nft_nat_dnat;
extern const uint32_t crs_nft_nat_random_fully;
extern const uint32_t crs_nft_set_map;
extern const uint32_t crs_nft_set_timeout;
extern const uint32_t crs_nft_set_eval;
/// The verdict data type of a verdict map.
extern const uint32_t crs_nft_data_verdict;
/// dynset update operation.
extern const uint32_t crs_nft_dynset_update;

/// Starts a batch for table `table` of `family` (NFPROTO_IPV4 = 2). NULL with errno.
crs_nft_batch *crs_nft_batch_new(int family, const char *table);
void crs_nft_batch_free(crs_nft_batch *b);
/// Later messages go to table `table` (one transaction can change several tables).
int crs_nft_batch_use_table(crs_nft_batch *b, const char *table);
/// Messages queued so far (excluding the batch begin/end markers).
size_t crs_nft_batch_messages(const crs_nft_batch *b);

/// Table: create (no error if present), delete (ENOENT if absent).
int crs_nft_table_add(crs_nft_batch *b);
int crs_nft_table_delete(crs_nft_batch *b);
/// Chain: hook < 0 makes a regular chain; else a base chain of `type` ("nat", "filter") at
/// `priority` with policy accept.
int crs_nft_chain_add(crs_nft_batch *b, const char *name, int hook, int priority, const char *type);
int crs_nft_chain_flush(crs_nft_batch *b, const char *name);
int crs_nft_chain_delete(crs_nft_batch *b, const char *name);
/// Set or map. key_type is nft's (concatenated) datatype id, used by `nft list` to print it;
/// data_type 0 makes a plain set. timeout_ms 0: none.
int crs_nft_set_add(crs_nft_batch *b, const char *name, uint32_t flags, uint32_t key_type,
                    uint32_t key_len, uint32_t data_type, uint32_t data_len, uint64_t timeout_ms);
int crs_nft_set_delete(crs_nft_batch *b, const char *name);
/// Adds (add=1) or deletes a map element `key` -> verdict (chain for jump/goto, else NULL).
/// Consecutive elements of one set and operation share a message.
int crs_nft_set_elem(crs_nft_batch *b, const char *set, int add, const void *key, uint32_t key_len,
                     int verdict, const char *chain);

/// Rule building: begin, expressions, end (appends the rule to `chain`).
int crs_nft_rule_begin(crs_nft_batch *b, const char *chain);
int crs_nft_expr_payload(crs_nft_batch *b, uint32_t base, uint32_t offset, uint32_t len, uint32_t dreg);
int crs_nft_expr_meta_load(crs_nft_batch *b, uint32_t key, uint32_t dreg);
int crs_nft_expr_meta_set(crs_nft_batch *b, uint32_t key, uint32_t sreg);
int crs_nft_expr_ct_load(crs_nft_batch *b, uint32_t key, uint32_t dreg);
int crs_nft_expr_fib(crs_nft_batch *b, uint32_t flags, uint32_t result, uint32_t dreg);
int crs_nft_expr_cmp(crs_nft_batch *b, uint32_t sreg, uint32_t op, const void *data, uint32_t len);
/// dreg = (sreg & mask) ^ xor over len bytes.
int crs_nft_expr_bitwise(crs_nft_batch *b, uint32_t sreg, uint32_t dreg, uint32_t len,
                         const void *mask, const void *xor_);
int crs_nft_expr_numgen_random(crs_nft_batch *b, uint32_t dreg, uint32_t modulus);
int crs_nft_expr_immediate(crs_nft_batch *b, uint32_t dreg, const void *data, uint32_t len);
int crs_nft_expr_verdict(crs_nft_batch *b, int verdict, const char *chain);
/// dnat to the address in reg_addr and (reg_proto != 0) the port in reg_proto.
int crs_nft_expr_nat(crs_nft_batch *b, uint32_t type, uint32_t reg_addr, uint32_t reg_proto, uint32_t flags);
int crs_nft_expr_masq(crs_nft_batch *b, uint32_t flags);
/// reject with an ICMP port unreachable (TCP gets a reset with `reject` in nft's inet sense;
/// here the ip family's default: icmp port-unreachable).
int crs_nft_expr_reject(crs_nft_batch *b);
/// Looks reg sreg up in `set`: dreg = crs_nft_reg_verdict for a verdict map; dreg < 0 for a
/// plain membership match.
int crs_nft_expr_lookup(crs_nft_batch *b, const char *set, uint32_t sreg, int dreg);
/// Adds or refreshes (op update) the key in sreg in `set`, with the set's timeout.
int crs_nft_expr_dynset(crs_nft_batch *b, const char *set, uint32_t sreg, uint32_t op, uint64_t timeout_ms);
int crs_nft_rule_end(crs_nft_batch *b);

/// Sends the batch as one transaction in the network namespace `netns_fd` (< 0: the
/// caller's). 0 on success; -1 with errno and `err` (size errlen) naming the first failing
/// message and its error. The batch can be committed again.
int crs_nft_batch_commit(crs_nft_batch *b, int netns_fd, char *err, size_t errlen);

#endif

/* The VM inventory: which VM held which IP address, when. Loaded from
 * DESIGN.md's --inventory JSON lines
 *
 *   {"vm": ID, "ip": ADDR, "from": TIME, "to": TIME|null}
 *
 * (TIME: RFC 3339 text or epoch seconds; to null or absent: still held;
 * the file plain or gzip). It answers the two questions of the network
 * layer's seed rule: which VM held this IP at time t, and did one VM hold
 * it for the whole of [from, to) (a clock hour).
 *
 * Ownership: the index owns its strings; returned VM ids stay valid until
 * inventory_free. */
#ifndef VIGIL_INVENTORY_H
#define VIGIL_INVENTORY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util/buf.h"
#include "util/ip.h"
#include "util/str.h"

struct inventory;

struct inventory *inventory_new(void);
void inventory_free(struct inventory *inv);
/* Returns 0, or -1 with one line in err (unreadable file, no valid line).
 * Malformed lines are counted with their line numbers (inventory_report)
 * and skipped. */
int inventory_load(struct inventory *inv, const char *path, char *err, size_t errlen);
/* The same for lines already in memory; name stands for the file in the
 * report. */
int inventory_load_mem(struct inventory *inv, const char *name, const char *data, size_t len, char *err,
                       size_t errlen);
/* The VM that held ip at t_us, or an empty vstr: none did, or two VMs
 * claimed it then (a data error, counted in inventory_report). */
vstr inventory_vm_at(const struct inventory *inv, const struct ipaddr *ip, int64_t t_us);
/* The VM that held ip during the whole of [from_us, to_us) without a
 * break or a change of holder (intervals of one VM that touch or overlap
 * are joined), or an empty vstr. */
vstr inventory_vm_whole(const struct inventory *inv, const struct ipaddr *ip, int64_t from_us, int64_t to_us);
/* Whether ip belongs to any VM at any time (an own address, not the
 * internet). */
bool inventory_knows(const struct inventory *inv, const struct ipaddr *ip);

/* The question of inventory_vm_at answered with numbers, for callers that
 * ask it per flow record. A VM's number is stable for the life of the
 * inventory (one number per id string, dense from 0), so a table keyed by
 * it needs no string hashing; inventory_vm_id names it. A span is one
 * stretch of time over which one VM held one address, numbered densely
 * from 0 to below inventory_spans: the same span means the same address
 * and the same VM. The answer holds for the same address at any time in
 * [from, to), so a caller may keep it for the next record of that
 * address. */
#define INVENTORY_NONE UINT32_MAX
struct inventory_answer {
    uint32_t vm;                             /* INVENTORY_NONE: no single holder at t */
    uint32_t span;                           /* the rest only when vm is not NONE */
    int64_t from, to;
};
/* Returns a->vm. */
uint32_t inventory_lookup(const struct inventory *inv, const struct ipaddr *ip, int64_t t_us,
                          struct inventory_answer *a);
size_t inventory_spans(const struct inventory *inv);
vstr inventory_vm_id(const struct inventory *inv, uint32_t vm);
size_t inventory_size(const struct inventory *inv);  /* intervals */
void inventory_report(const struct inventory *inv, buf *out);
#endif

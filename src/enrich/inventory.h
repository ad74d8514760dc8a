/* The VM inventory: which VM held which IP address, when. Loaded from
 * DESIGN.md's --inventory JSON lines
 *
 *   {"vm": ID, "ip": ADDR, "from": TIME, "to": TIME|null}
 *
 * (to null or absent: still held). It answers the two questions of the
 * network layer's seed rule: which VM held this IP at time t, and did one
 * VM hold it for the whole of [from, to) (a clock hour).
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
/* The VM that held ip at t_us, or an empty vstr. */
vstr inventory_vm_at(const struct inventory *inv, const struct ipaddr *ip, int64_t t_us);
/* The VM that held ip during the whole of [from_us, to_us) without a
 * break or a change of holder (intervals of one VM that touch or overlap
 * are joined), or an empty vstr. */
vstr inventory_vm_whole(const struct inventory *inv, const struct ipaddr *ip, int64_t from_us, int64_t to_us);
/* Whether ip belongs to any VM at any time (an own address, not the
 * internet). */
bool inventory_knows(const struct inventory *inv, const struct ipaddr *ip);
size_t inventory_size(const struct inventory *inv);  /* intervals */
void inventory_report(const struct inventory *inv, buf *out);
#endif

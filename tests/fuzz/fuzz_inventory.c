/* libFuzzer target: the VM inventory loader on arbitrary bytes, then
 * questions about addresses and times taken from the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/inventory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct inventory *inv = inventory_new();
    char err[256];
    inventory_load_mem(inv, "fuzz", (const char *)data, size, err, sizeof err);
    /* again: a second file joins the first */
    inventory_load_mem(inv, "fuzz2", (const char *)data, size, err, sizeof err);
    for (size_t off = 0; off + 32 <= size && off < 32 * 64; off += 32) {
        struct ipaddr a;
        int64_t t1, t2;
        memcpy(a.b, data + off, 16);
        memcpy(&t1, data + off + 16, 8);
        memcpy(&t2, data + off + 24, 8);
        vstr v = inventory_vm_at(inv, &a, t1);
        volatile size_t sink = v.n + inventory_vm_whole(inv, &a, t1, t2).n + inventory_knows(inv, &a);
        (void)sink;
    }
    buf b;
    buf_init(&b);
    inventory_report(inv, &b);
    buf_free(&b);
    inventory_free(inv);
    return 0;
}

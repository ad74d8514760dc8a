/* NetFlow v9 export packets (RFC 3954): the 20-byte header, FlowSets,
 * template and options template records. Data FlowSets are walked by
 * flow.c with the compiled template, the same way as IPFIX data sets.
 *
 * Differences from IPFIX that matter here: no message length (the packet
 * is the whole datagram), the header carries sysUptime and the Unix time
 * (so uptime-based flow times resolve exactly), sequence numbers count
 * packets, FlowSets are padded to 32 bits, options templates give their
 * scope and option lengths in bytes, and scope fields have their own
 * numbering (1 System, 2 Interface, 3 Line Card, 4 Cache, 5 Template),
 * which must not be read as information elements. */
#include <inttypes.h>

#include "decode/flow_internal.h"

#define NF9_HEADER   20
#define FS_TEMPLATE  0
#define FS_OPTIONS   1

static const char R_SHORT[] = "NetFlow v9 packet shorter than its header";
static const char R_FS_LENGTH[] = "NetFlow v9 FlowSet length below 4";
static const char R_FS_PAST[] = "NetFlow v9 FlowSet runs past the end of the packet";
static const char R_FS_ALIGN[] = "NetFlow v9 FlowSet length not a multiple of 4";
static const char R_FS_ID[] = "NetFlow v9 FlowSet with a reserved id";
static const char R_TAIL[] = "NetFlow v9 packet ends inside a FlowSet header";
static const char R_TPL_ID[] = "NetFlow v9 template id below 256";
static const char R_TPL_EMPTY[] = "NetFlow v9 template without fields";
static const char R_TPL_TRUNC[] = "NetFlow v9 template runs past the end of its FlowSet";
static const char R_OPT_LEN[] = "NetFlow v9 options template with bad scope or option lengths";

bool nf9_begin_message(struct flowdec *d) {
    const uint8_t *p = d->rec_p;
    size_t avail = (size_t)(d->rec_end - p);
    if (avail < NF9_HEADER) {
        flowdec_reject(d, p, R_SHORT, "%zu bytes", avail);
        d->rec_p = d->rec_end;
        return false;
    }
    d->version = 9;
    d->msg = p;
    d->msg_end = d->rec_end;            /* no length field: the datagram */
    d->p = p + NF9_HEADER;
    d->rec_p = d->rec_end;
    uint32_t uptime = flow_be32(p + 4), secs = flow_be32(p + 8);
    d->export_ms = (int64_t)secs * 1000;
    d->boot_ms = d->export_ms - uptime;
    d->seq = flow_be32(p + 12);
    d->st.messages_v9++;
    flowdec_open_session(d, flow_be32(p + 16));
    return true;
}

static void template_flowset(struct flowdec *d, const uint8_t *q, const uint8_t *end) {
    while (end - q >= 4) {
        uint16_t id = flow_be16(q), count = flow_be16(q + 2);
        if (id == 0 && count == 0) return;               /* padding */
        if (id < 256) {
            flowdec_reject(d, q, R_TPL_ID, "template id %u", id);
            return;
        }
        if (count == 0) {
            flowdec_reject(d, q, R_TPL_EMPTY, "template %u", id);
            return;
        }
        if ((size_t)(end - q - 4) / 4 < count) {
            flowdec_reject(d, q, R_TPL_TRUNC, "template %u declares %u fields", id, count);
            return;
        }
        const uint8_t *r = q + 4;
        for (uint32_t i = 0; i < count && i < FLOW_MAX_FIELDS; i++)
            d->specs[i] = (struct flow_field_spec){ .ie = flow_be16(r + 4 * i), .len = flow_be16(r + 4 * i + 2) };
        enum flow_tpl_result res = flow_template_define(d->table, d->sess, id, false, d->specs, count, 0);
        flowdec_template_result(d, res, false, q, id, count);
        q = r + 4u * count;
    }
}

static void options_flowset(struct flowdec *d, const uint8_t *q, const uint8_t *end) {
    /* smallest options template: 6 bytes of header and one scope field */
    while (end - q >= 10) {
        uint16_t id = flow_be16(q), scope_len = flow_be16(q + 2), opt_len = flow_be16(q + 4);
        if (id < 256) {
            flowdec_reject(d, q, R_TPL_ID, "options template id %u", id);
            return;
        }
        if (scope_len == 0 || scope_len % 4 || opt_len % 4 || (size_t)(end - q - 6) < (size_t)scope_len + opt_len) {
            flowdec_reject(d, q, R_OPT_LEN, "template %u: scope %u bytes, options %u bytes", id, scope_len, opt_len);
            return;
        }
        uint32_t n_scope = scope_len / 4u, count = n_scope + opt_len / 4u;
        const uint8_t *r = q + 6;
        for (uint32_t i = 0; i < count && i < FLOW_MAX_FIELDS; i++)
            d->specs[i] = (struct flow_field_spec){
                .ie = flow_be16(r + 4 * i), .len = flow_be16(r + 4 * i + 2), .v9_scope = i < n_scope };
        enum flow_tpl_result res = flow_template_define(d->table, d->sess, id, true, d->specs, count, (uint16_t)n_scope);
        flowdec_template_result(d, res, true, q, id, count);
        q = r + 4u * count;
    }
}

int nf9_next_set(struct flowdec *d) {
    while (d->p < d->msg_end) {
        const uint8_t *p = d->p;
        size_t remain = (size_t)(d->msg_end - p);
        if (remain < 4) {
            bool padding = true;                         /* some exporters pad the datagram */
            for (size_t i = 0; i < remain; i++) padding &= p[i] == 0;
            if (!padding) flowdec_reject(d, p, R_TAIL, "%zu bytes", remain);
            d->p = d->msg_end;
            break;
        }
        uint16_t id = flow_be16(p), len = flow_be16(p + 2);
        if (len < 4) {
            flowdec_reject(d, p, R_FS_LENGTH, "FlowSet %u, length %u", id, len);
            d->p = d->msg_end;
            d->n_unknown = true;
            break;
        }
        if (len > remain) {
            flowdec_reject(d, p, R_FS_PAST, "FlowSet %u, length %u, %zu bytes left", id, len, remain);
            d->p = d->msg_end;
            d->n_unknown = true;
            break;
        }
        d->p = p + len;
        if (len % 4) {
            /* RFC 3954 pads every FlowSet to 32 bits: an odd length means
             * the exporter (or the packet) is broken, so its content is
             * not trusted; the FlowSets after it are still read. */
            flowdec_reject(d, p, R_FS_ALIGN, "FlowSet %u, length %u", id, len);
            if (id >= 256) d->n_unknown = true;
            continue;
        }
        if (id == FS_TEMPLATE) template_flowset(d, p + 4, p + len);
        else if (id == FS_OPTIONS) options_flowset(d, p + 4, p + len);
        else if (id >= 256) {
            if (flowdec_enter_data_set(d, id, p + 4, p + len)) return 1;
        } else {
            flowdec_reject(d, p, R_FS_ID, "FlowSet id %u", id);
        }
    }
    return 0;
}

/* IPFIX messages (RFC 7011): the 16-byte header, the set walk, template
 * and options template records (with withdrawals). Data sets are walked
 * by flow.c with the compiled template. */
#include <inttypes.h>

#include "decode/flow_internal.h"

#define IPFIX_HEADER 16
#define SET_TEMPLATE 2
#define SET_OPTIONS  3

static const char R_SHORT[] = "IPFIX message shorter than its header";
static const char R_LENGTH[] = "IPFIX message length does not fit the record";
static const char R_SET_LENGTH[] = "IPFIX set length below 4";
static const char R_SET_PAST[] = "IPFIX set runs past the end of its message";
static const char R_SET_ID[] = "IPFIX set with a reserved set id";
static const char R_TAIL[] = "IPFIX message ends inside a set header";
static const char R_TPL_ID[] = "IPFIX template id below 256";
static const char R_TPL_TRUNC[] = "IPFIX template runs past the end of its set";
static const char R_SCOPE[] = "IPFIX options template with a bad scope field count";
static const char R_WITHDRAW[] = "IPFIX withdrawal of a reserved template id";

bool ipfix_begin_message(struct flowdec *d) {
    const uint8_t *p = d->rec_p;
    size_t avail = (size_t)(d->rec_end - p);
    if (avail < IPFIX_HEADER) {
        flowdec_reject(d, p, R_SHORT, "%zu bytes", avail);
        d->rec_p = d->rec_end;
        return false;
    }
    uint16_t len = flow_be16(p + 2);
    if (len < IPFIX_HEADER || len > avail) {
        flowdec_reject(d, p, R_LENGTH, "length %u, %zu bytes left", len, avail);
        d->rec_p = d->rec_end;
        return false;
    }
    d->version = 10;
    d->msg = p;
    d->msg_end = p + len;
    d->p = p + IPFIX_HEADER;
    d->rec_p = d->msg_end;
    d->export_ms = (int64_t)flow_be32(p + 4) * 1000;
    d->seq = flow_be32(p + 8);
    d->boot_ms = INT64_MIN;
    d->st.messages_ipfix++;
    flowdec_open_session(d, flow_be32(p + 12));
    return true;
}

static bool zeros(const uint8_t *p, const uint8_t *end) {
    for (; p < end; p++)
        if (*p) return false;
    return true;
}

/* A field count 0 withdraws: one template, or with the set's own id as
 * template id all templates of the set's kind (RFC 7011 §8.1). */
static void withdraw(struct flowdec *d, const uint8_t *q, uint16_t id, bool options) {
    if (id == (options ? SET_OPTIONS : SET_TEMPLATE))
        d->st.templates_withdrawn += flow_template_withdraw_all(d->table, d->sess, options);
    else if (id >= 256)
        d->st.templates_withdrawn += (uint64_t)flow_template_withdraw(d->table, d->sess, id);
    else
        flowdec_reject(d, q, R_WITHDRAW, "template id %u", id);
}

/* Parse the field specifiers of one template record; returns its end, or
 * NULL when they run past the set. */
static const uint8_t *parse_fields(struct flowdec *d, const uint8_t *r, const uint8_t *end, uint16_t count) {
    for (uint32_t i = 0; i < count; i++) {
        if (end - r < 4) return NULL;
        uint16_t ie = flow_be16(r), len = flow_be16(r + 2);
        uint32_t pen = 0;
        r += 4;
        if (ie & 0x8000) {
            if (end - r < 4) return NULL;
            pen = flow_be32(r);
            r += 4;
            ie &= 0x7fff;
        }
        if (i < FLOW_MAX_FIELDS) d->specs[i] = (struct flow_field_spec){ .ie = ie, .len = len, .pen = pen };
    }
    return r;
}

static void template_set(struct flowdec *d, const uint8_t *q, const uint8_t *end, bool options) {
    while (end - q >= 4) {
        uint16_t id = flow_be16(q), count = flow_be16(q + 2);
        if (count == 0) {
            if (id == 0 && zeros(q, end)) return;        /* padding */
            withdraw(d, q, id, options);
            q += 4;
            continue;
        }
        if (id < 256) {
            flowdec_reject(d, q, R_TPL_ID, "template id %u", id);
            return;                                       /* the rest of the set cannot be trusted */
        }
        size_t head = options ? 6 : 4;
        if ((size_t)(end - q) < head) {
            flowdec_reject(d, q, R_TPL_TRUNC, "template %u", id);
            return;
        }
        uint16_t scope = options ? flow_be16(q + 4) : 0;
        const uint8_t *r = parse_fields(d, q + head, end, count);
        if (!r) {
            flowdec_reject(d, q, R_TPL_TRUNC, "template %u declares %u fields", id, count);
            return;
        }
        if (options && (scope == 0 || scope > count)) {
            flowdec_reject(d, q, R_SCOPE, "template %u: %u scope fields of %u", id, scope, count);
        } else {
            enum flow_tpl_result res = flow_template_define(d->table, d->sess, id, options, d->specs, count, scope);
            flowdec_template_result(d, res, options, q, id, count);
        }
        q = r;
    }
}

int ipfix_next_set(struct flowdec *d) {
    while (d->p < d->msg_end) {
        const uint8_t *p = d->p;
        size_t remain = (size_t)(d->msg_end - p);
        if (remain < 4) {
            flowdec_reject(d, p, R_TAIL, "%zu bytes", remain);
            d->p = d->msg_end;
            break;
        }
        uint16_t id = flow_be16(p), len = flow_be16(p + 2);
        if (len < 4) {
            flowdec_reject(d, p, R_SET_LENGTH, "set %u, length %u", id, len);
            d->p = d->msg_end;                           /* no way to find the next set */
            d->n_unknown = true;
            break;
        }
        if (len > remain) {
            flowdec_reject(d, p, R_SET_PAST, "set %u, length %u, %zu bytes left", id, len, remain);
            d->p = d->msg_end;
            d->n_unknown = true;
            break;
        }
        d->p = p + len;
        if (id == SET_TEMPLATE || id == SET_OPTIONS) template_set(d, p + 4, p + len, id == SET_OPTIONS);
        else if (id >= 256) {
            if (flowdec_enter_data_set(d, id, p + 4, p + len)) return 1;
        } else {
            flowdec_reject(d, p, R_SET_ID, "set id %u", id);
        }
    }
    return 0;
}

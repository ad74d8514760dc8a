/* Shared state of the flow decoder (flow.c) and its three wire formats
 * (ipfix.c, netflow9.c, netflow5.c). Not for use outside src/decode/. */
#ifndef VIGIL_FLOW_INTERNAL_H
#define VIGIL_FLOW_INTERNAL_H
#include <stdbool.h>
#include <stdint.h>
#include "decode/flow.h"
#include "decode/flow_template.h"

#define MAX_LOSS_LINES 16           /* exporters listed by name in the loss report */

struct loss_entry {
    struct flow_exporter exporter;
    uint64_t lost;
};

struct flowdec {
    const char *input;
    struct rejects *rj;
    uint64_t id;                    /* this instance, for sequence ownership */
    bool capture;                   /* records are a capture's UDP datagrams */
    struct flow_sessions *table;

    /* the record (datagram, or message of a file) and the message in it */
    struct record rec;
    const uint8_t *rec_p, *rec_end; /* next message of the record */
    const uint8_t *msg, *msg_end;   /* the current message */
    const uint8_t *p;               /* next set (IPFIX/v9) or record (v5) */
    bool in_message;
    uint8_t version;
    uint32_t seq;
    int64_t export_ms;              /* header export time */
    int64_t boot_ms;                /* v5/v9: unix time - sysUptime; INT64_MIN for IPFIX */
    uint32_t n_all, n_flow;         /* data records in the message so far */
    bool n_unknown;                 /* a data set could not be counted */
    uint32_t v5_left;

    /* the data set being walked */
    struct flow_session *sess;      /* pinned while in_message */
    struct flow_template *tpl;      /* held while in a data set */
    const uint8_t *rp, *set_end;    /* next record of the set, its end */
    uint32_t item;

    struct flow_values vals;
    struct flow flow;
    struct flow_exporter exporter;
    struct flow_field_spec specs[FLOW_MAX_FIELDS];

    struct flow_decoder_stats st;
    uint64_t unknown_set_offset;    /* first data set skipped for its template */
    uint16_t unknown_set_template;
    uint64_t lost_late;             /* late messages that filled a gap */
    uint64_t seq_resyncs;
    uint64_t not_export, not_export_first;   /* capture datagrams of other protocols */
    struct loss_entry losses[MAX_LOSS_LINES];
    uint32_t n_losses;
    uint64_t losses_other;
};

/* Reject something at byte where of the current record. */
void flowdec_reject(struct flowdec *d, const uint8_t *where, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Enter a message of the given version: pins its session. */
void flowdec_open_session(struct flowdec *d, uint32_t odid);

/* Start walking a data set of set_id, body [p, end). false when its
 * template is unknown (counted). */
bool flowdec_enter_data_set(struct flowdec *d, uint16_t set_id, const uint8_t *p, const uint8_t *end);

/* Record a template definition result for the counts and rejects. */
void flowdec_template_result(struct flowdec *d, enum flow_tpl_result r, bool options, const uint8_t *where,
                             uint16_t id, uint32_t fields);

/* An absolute time (ms) from a sysUpTime value and a boot time, modulo
 * the 32-bit wrap (see flow.c). */
int64_t flowdec_uptime_ms(const struct flowdec *d, int64_t boot_ms, uint32_t uptime);

/* Per version: parse the header of the message at d->rec_p (returns false
 * after rejecting it), and advance to the next data set (1) or the end of
 * the message (0). */
bool ipfix_begin_message(struct flowdec *d);
int ipfix_next_set(struct flowdec *d);
bool nf9_begin_message(struct flowdec *d);
int nf9_next_set(struct flowdec *d);
bool nf5_begin_message(struct flowdec *d);
/* v5 has no templates: 1 with d->flow filled, 0 at the end. */
int nf5_next_flow(struct flowdec *d);
#endif

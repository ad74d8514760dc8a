/* The envelopes Azure resource logs arrive in, shared by the decoders of
 * the Azure formats (azure_activity.c, keyvault.c):
 *
 *   - one record per line (storage blobs since 2018), or per document;
 *   - {"records":[...]} (an Event Hubs message, an older blob);
 *   - a bare JSON array of records (the CLI, Managed HSM);
 *   - a shipper's wrapper whose "message" (or "input.message") holds a
 *     record, a batch or an array as a JSON string.
 *
 * The envelope walker hands each record object to the format, which
 * decodes the fields it knows as they are walked (simdjson On-Demand is
 * forward-only), and asks it to finish the record into an event. A record
 * the format rejects, and a document that is not JSON, are reported with
 * the input, the offset of the line or document, and the item number in a
 * batch; the walk goes on with the next record.
 *
 * Ownership: the walker owns its parsers and the padded copy of a wrapped
 * document; slices into them stay valid until the next azlog_begin. */
#ifndef VIGIL_AZLOG_H
#define VIGIL_AZLOG_H
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "decode/decoder.h"
#include "decode/json.h"
#include "util/buf.h"

struct azlog;

struct azlog_format {
    /* A new record starts: forget the previous one's fields. */
    void (*reset)(void *fmt);
    /* One field of a record (also of an envelope's top level, which may be
     * a record itself). false: not a key of this format. */
    bool (*field)(void *fmt, vstr key, jval *value);
    /* The record is walked: 1 and *out filled, or 0 after azlog_reject. */
    int (*finish)(void *fmt, struct azlog *L, struct event *out);
};

enum azlog_state { AZLOG_DONE, AZLOG_SINGLE, AZLOG_LIST, AZLOG_EMBEDDED };

struct azlog {
    const char *input;
    struct rejects *rj;
    const struct azlog_format *fmt;
    void *fmt_self;
    jparser *outer, *inner;             /* the record as framed; a wrapped document */
    buf embedded;                       /* padded copy of a wrapped document */
    buf detail;
    struct record rec;
    enum azlog_state state;
    jparser *cur;                       /* parser of the document being walked */
    bool wrapped;                       /* the document came out of a wrapper */
    const char *span_p;                 /* where that document lives, so a raw slice */
    size_t span_cap;                    /* into it can be parsed again in place */
    bool list_is_records;               /* AZLOG_LIST: a {"records":[...]} batch, else a bare array */
    jiter list;
    uint32_t item;
    vstr embedded_src;
    uint64_t records, batches, arrays, wrapped_docs;
};

void azlog_init(struct azlog *L, const char *input, struct rejects *rj, const struct azlog_format *fmt,
                void *fmt_self);
void azlog_free(struct azlog *L);
void azlog_begin(struct azlog *L, const struct record *rec);
int azlog_next(struct azlog *L, struct event *out);
/* Reject the record being decoded, with its position (and batch item). */
void azlog_reject(struct azlog *L, const char *reason, vstr detail);
/* The error of the document being walked (0 = none), its message. */
int azlog_json_error(const struct azlog *L);
const char *azlog_json_errmsg(const struct azlog *L);
/* Bytes readable from p (inside the document being walked) to the end of
 * its buffer, padding included: the cap to parse a raw slice in place. */
size_t azlog_cap_after(const struct azlog *L, const char *p);
/* Where the record being finished came from. */
void azlog_position(const struct azlog *L, struct source_pos *pos);
/* "  envelopes: ..." when any envelope was seen. */
void azlog_report(const struct azlog *L, buf *out);

/* ---- helpers both Azure formats use ------------------------------------ */

/* ASCII case-insensitive equality with a literal. Inline, so the length
 * test (strlen of a literal folds to a constant) rejects most keys before
 * any byte is compared: every key of every record passes through here. */
static inline bool azlog_key_is(vstr k, const char *lit) {
    size_t n = strlen(lit);
    if (k.n != n) return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char a = (unsigned char)k.p[i], b = (unsigned char)lit[i];
        if (a != b && ((a | 0x20) != (b | 0x20) || (unsigned char)((a | 0x20) - 'a') > 'z' - 'a')) return false;
    }
    return true;
}

vstr azlog_trim(vstr s);
/* Copy JSON text held in a string into a padded buffer and parse it. */
bool azlog_parse_copy(jparser *p, buf *doc, vstr text, jval *root);
/* An address as producers write it: bare, IPv4 with :port, [IPv6]:port. */
bool azlog_parse_ip(vstr s, struct ipaddr *out);
/* The subscription and resource group named in a resource id (only those
 * still empty are set): the segments after "subscriptions" (or the
 * malformed singular some records carry) and "resourceGroups". */
void azlog_ids_from_resource(vstr id, vstr *sub, vstr *rg);
#endif

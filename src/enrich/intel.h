/* Threat-intel IP sets: labelled addresses and prefixes with
 * longest-prefix matching (IPv4 and IPv6), loaded from the files of
 * DESIGN.md's --intel:
 *
 *   plain lists   one IP, CIDR or first-last range per line; '#' and ';'
 *                 comments, blank lines, a UTF-8 BOM and trailing blanks
 *                 ignored (the TOR bulk exit list is such a file)
 *   CSV           a header naming an ip / indicator / dst_ip / ip_address
 *                 column (quoted or not); '#' banner lines ignored
 *   STIX 2.1      a bundle, a bare object or a bare array; indicators with
 *                 ipv4-addr / ipv6-addr values in their pattern (also OR
 *                 lists mixing types; other types are counted and skipped);
 *                 valid_from / valid_until / revoked honoured at event time;
 *                 ipv4-addr / ipv6-addr observables as plain entries
 *
 * A label is "tor", "anonymizer" or "malicious" ("--intel tor=FILE"); a
 * file without a label is "malicious". The format is told by content.
 *
 * Ownership: the set owns everything loaded into it; hits point into it
 * and stay valid until intel_free. */
#ifndef VIGIL_INTEL_H
#define VIGIL_INTEL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util/buf.h"
#include "util/ip.h"

enum intel_label {
    INTEL_TOR        = 1u << 0,
    INTEL_ANONYMIZER = 1u << 1,
    INTEL_MALICIOUS  = 1u << 2,
};
#define INTEL_ANY (INTEL_TOR | INTEL_ANONYMIZER | INTEL_MALICIOUS)

/* What matched: the most specific entry valid at the asked time. */
struct intel_hit {
    enum intel_label label;
    struct ipaddr prefix;
    unsigned plen;                      /* 128-bit space (IPv4 /32 is 128) */
    const char *source;                 /* the file it came from */
    uint64_t line;                      /* 1-based line in it; 0 for STIX */
    const char *indicator;              /* STIX indicator id, or NULL */
    const char *name;                   /* STIX name / CSV malware column, or NULL */
    int64_t valid_from_us, valid_until_us;   /* INT64_MIN / INT64_MAX when open */
    int confidence;                     /* STIX confidence, -1 when absent */
};

struct intel;

struct intel *intel_new(void);
void intel_free(struct intel *t);
/* spec is "FILE" or "LABEL=FILE". Returns 0, or -1 with one line in err
 * (unreadable file, unknown label, no usable entry at all). Lines that are
 * not entries are counted per file (intel_report), never fatal. */
int intel_load(struct intel *t, const char *spec, char *err, size_t errlen);
/* The same for a text already in memory (a daemon's config, a fuzzer);
 * name stands for the file in the report and in hits (copied). */
int intel_load_mem(struct intel *t, enum intel_label label, const char *name, const char *data, size_t len, char *err,
                   size_t errlen);
/* The longest prefix containing ip among entries whose label is in
 * label_mask and that are valid at t_us (not revoked, valid_from <= t <
 * valid_until). NULL when none. */
const struct intel_hit *intel_lookup(const struct intel *t, const struct ipaddr *ip, unsigned label_mask,
                                     int64_t t_us);
size_t intel_size(const struct intel *t);            /* entries */
/* Per file: entries by label, skipped lines and why (for the summary). */
void intel_report(const struct intel *t, buf *out);
const char *intel_label_name(enum intel_label l);
#endif

/* The alert catalog: every alert type of CATALOG.md with its title,
 * severity, MITRE ATT&CK tactics and techniques, description template and
 * remediation steps. Detectors name a type; everything a person reads
 * comes from here, so texts live in one place and in our own words.
 *
 * Description templates use {placeholders}. `vars` lists every placeholder
 * the template uses: the detector of that type must set each of them with
 * alert_var(). Rendering a template with a var missing prints "(unknown)". */
#ifndef VIGIL_CATALOG_H
#define VIGIL_CATALOG_H
#include <stddef.h>
#include "util/buf.h"
#include "util/str.h"

enum severity { SEV_INFORMATIONAL = 0, SEV_LOW, SEV_MEDIUM, SEV_HIGH };

#define CATALOG_MAX_TACTICS 4
#define CATALOG_MAX_TECHNIQUES 4
#define CATALOG_MAX_VARS 12
#define CATALOG_MAX_STEPS 6

struct catalog_entry {
    const char *type;                              /* "k8s.container.privileged" */
    const char *layer;                             /* "network" "management" "keyvault" "appservice" "k8s" "host" */
    const char *title;
    enum severity severity;
    const char *tactics[CATALOG_MAX_TACTICS];      /* NULL-terminated, e.g. "PrivilegeEscalation" */
    const char *techniques[CATALOG_MAX_TECHNIQUES];/* NULL-terminated, e.g. "T1610" */
    const char *description;                       /* template with {vars} */
    const char *vars[CATALOG_MAX_VARS];            /* NULL-terminated */
    const char *remediation[CATALOG_MAX_STEPS];    /* NULL-terminated steps */
};

struct template_var { const char *name; vstr value; };

const struct catalog_entry *catalog_find(vstr type);        /* NULL if unknown */
const struct catalog_entry *catalog_entries(size_t *count); /* all, in CATALOG.md order */
const char *severity_name(enum severity s);                 /* "high", ... */
/* Render tmpl into out, replacing {name} with the matching var's value. */
void catalog_render(const char *tmpl, const struct template_var *vars, size_t n_vars, buf *out);
#endif

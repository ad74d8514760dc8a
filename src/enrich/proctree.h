/* The process tree: which process started which, per host, learnt from the
 * process-start events as they pass (EV_PROC_EXEC), so a detector can ask
 * "does this command descend from the web server?" or "from which
 * container's shim?" even when the source (auditd) logs only a ppid.
 *
 * The pipeline owns it and records every process event before the
 * detectors see it; detectors only read it (detect_ctx.procs).
 *
 * Keyed by (host, pid). An exec replaces the entry of its pid (execve keeps
 * the pid). Memory is bounded: at max_procs entries the least recently
 * started quarter is evicted, and evictions are counted for the summary.
 * Strings are copied in (the event's slices die with its record), each cut
 * at a bound so a hostile log cannot make one entry huge: a command line
 * longer than PROCTREE_MAX_COMMAND_LINE bytes keeps its first bytes and
 * ends in PROCTREE_CUT_MARK; other strings are cut the same way at
 * PROCTREE_MAX_FIELD.
 *
 * The tree learns from execs only: a process that forked without exec'ing
 * (a php-fpm or apache worker) is not in it, so a walk from its children
 * stops there. Detectors should read the event's own parent_* fields too. */
#ifndef VIGIL_PROCTREE_H
#define VIGIL_PROCTREE_H
#include <stdint.h>
#include "event.h"
#include "util/buf.h"

#define PROCTREE_MAX_COMMAND_LINE 1024
#define PROCTREE_MAX_FIELD 512
#define PROCTREE_CUT_MARK "[...]"

struct proctree;

/* What the tree remembers of one process. Pointers stay valid until the
 * next proctree_observe (which may evict). */
struct proc_node {
    int64_t pid, ppid;
    int64_t time_us;                    /* when it was exec'd; for a parent known only
                                         * from its child's ECS fields, the child's time */
    vstr exe, name, command_line, user, container_id;
};

struct proctree *proctree_new(uint32_t max_procs);
void proctree_free(struct proctree *t);

/* Remember the process of an EV_PROC_EXEC event (other kinds are ignored).
 * When the event names its parent (ECS process.parent.*) and the parent is
 * not known yet, the parent is remembered too, with what the event says. */
void proctree_observe(struct proctree *t, const struct event *ev);

/* The known ancestors of a process: its parent first, up to max of them,
 * stopping at the first pid not in the tree, at pid 0/1 (not written: every
 * process descends from init), or at a loop. A step to an entry exec'd after
 * the process it would be the parent of also stops the walk: that pid was
 * reused by a later process. host may be empty (a single-host source).
 * Returns how many were written. */
unsigned proctree_ancestors(const struct proctree *t, vstr host, int64_t ppid,
                            const struct proc_node **out, unsigned max);

/* The entry of one process, or NULL. */
const struct proc_node *proctree_find(const struct proctree *t, vstr host, int64_t pid);

/* Summary lines: processes tracked, evicted. */
void proctree_report(const struct proctree *t, buf *out);
#endif

#include "events.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decoder.h"
#include "input/framer.h"
#include "input/reader.h"

#define REJECTS_SHOWN 5

static const char *kind_name(enum event_kind k) {
    switch (k) {
    case EV_K8S_AUDIT: return "k8s_audit";
    case EV_FLOW: return "flow";
    case EV_MGMT_OP: return "mgmt_op";
    case EV_KV_OP: return "kv_op";
    case EV_HTTP_REQ: return "http_req";
    case EV_FTP_CMD: return "ftp_cmd";
    case EV_PROC_EXEC: return "proc_exec";
    case EV_CONTAINER: return "container";
    }
    return "unknown";
}

static void put_str(buf *b, const char *key, vstr v) {
    buf_printf(b, ",\"%s\":", key);
    buf_json_str(b, v);
}

static void put_num(buf *b, const char *key, int64_t v) { buf_printf(b, ",\"%s\":%" PRId64, key, v); }

static void format_proc(buf *b, const struct proc_exec *p) {
    static const char *const os[] = { "unknown", "linux", "windows", "macos" };
    put_str(b, "host", p->host);
    buf_printf(b, ",\"os\":\"%s\"", p->os <= PROC_OS_MACOS ? os[p->os] : "unknown");
    put_num(b, "pid", p->pid);
    put_num(b, "ppid", p->ppid);
    put_str(b, "exe", p->exe);
    put_str(b, "name", p->name);
    buf_puts(b, ",\"argv\":[");
    for (uint32_t i = 0; i < p->argc; i++) {
        if (i) buf_putc(b, ',');
        buf_json_str(b, p->argv[i]);
    }
    buf_putc(b, ']');
    put_str(b, "command_line", p->command_line);
    put_str(b, "cwd", p->cwd);
    put_str(b, "user", p->user);
    put_num(b, "uid", p->uid);
    put_num(b, "euid", p->euid);
    put_num(b, "auid", p->auid);
    put_str(b, "parent_exe", p->parent_exe);
    put_str(b, "parent_name", p->parent_name);
    put_str(b, "parent_command_line", p->parent_command_line);
    put_num(b, "parent_pid_ecs", p->parent_pid_ecs);
    put_str(b, "container_id", p->container_id);
    put_str(b, "container_image", p->container_image);
    put_str(b, "container_name", p->container_name);
    put_str(b, "key", p->audit_key);
    put_str(b, "tty", p->tty);
    put_num(b, "success", p->success);
    buf_printf(b, ",\"serial\":%" PRIu64, p->serial);
    if (p->fork) buf_puts(b, ",\"fork\":true");
}

static void put_strs(buf *b, const char *key, const vstr *v, uint32_t n) {
    buf_printf(b, ",\"%s\":[", key);
    for (uint32_t i = 0; i < n; i++) {
        if (i) buf_putc(b, ',');
        buf_json_str(b, v[i]);
    }
    buf_putc(b, ']');
}

static void format_container(buf *b, const struct container_event *c) {
    buf_printf(b, ",\"source\":\"%s\"", c->source == CONTAINER_SRC_INSPECT ? "inspect" : "events");
    put_str(b, "host", c->host);
    put_str(b, "type", c->type);
    put_str(b, "action", c->action);
    put_str(b, "exec_command", c->exec_command);
    put_str(b, "id", c->id);
    put_str(b, "image", c->image);
    put_str(b, "name", c->name);
    put_str(b, "exec_id", c->exec_id);
    put_num(b, "exit_code", c->exit_code);
    buf_puts(b, ",\"attributes\":{");
    for (uint32_t i = 0; i < c->n_attributes; i++) {
        if (i) buf_putc(b, ',');
        buf_json_str(b, c->attributes[i].key);
        buf_putc(b, ':');
        buf_json_str(b, c->attributes[i].value);
    }
    buf_putc(b, '}');
    put_str(b, "pod_name", c->pod_name);
    put_str(b, "pod_namespace", c->pod_namespace);
    put_str(b, "k8s_container", c->k8s_container);
    put_str(b, "scope", c->scope);
    put_num(b, "privileged", c->privileged);
    put_strs(b, "cap_add", c->cap_add, c->n_cap_add);
    put_str(b, "pid_mode", c->pid_mode);
    put_str(b, "network_mode", c->network_mode);
    put_str(b, "ipc_mode", c->ipc_mode);
    put_str(b, "userns_mode", c->userns_mode);
    put_strs(b, "security_opt", c->security_opt, c->n_security_opt);
    buf_puts(b, ",\"mounts\":[");
    for (uint32_t i = 0; i < c->n_mounts; i++) {
        if (i) buf_putc(b, ',');
        buf_puts(b, "{\"source\":");
        buf_json_str(b, c->mounts[i].source);
        buf_puts(b, ",\"destination\":");
        buf_json_str(b, c->mounts[i].destination);
        buf_printf(b, ",\"read_only\":%s}", c->mounts[i].read_only ? "true" : "false");
    }
    buf_putc(b, ']');
    put_strs(b, "devices", c->devices, c->n_devices);
    put_strs(b, "cmd", c->cmd, c->n_cmd);
    put_str(b, "user", c->user);
    put_num(b, "pid", c->pid);
}

void events_format(buf *b, const struct event *ev) {
    buf_puts(b, "{\"time\":");
    buf_json_time(b, ev->time_us);
    buf_printf(b, ",\"kind\":\"%s\",\"input\":", kind_name(ev->kind));
    buf_json_cstr(b, ev->pos.input ? ev->pos.input : "");
    buf_printf(b, ",\"offset\":%" PRIu64, ev->pos.offset);
    if (ev->pos.item) buf_printf(b, ",\"item\":%" PRIu32, ev->pos.item);
    if (ev->kind == EV_PROC_EXEC) format_proc(b, ev->u.proc);
    else if (ev->kind == EV_CONTAINER) format_container(b, ev->u.container);
    buf_puts(b, "}\n");
}

static void drain(const struct decoder_ops *fmt, void *dec, buf *out) {
    struct event ev;
    while (fmt->next(dec, &ev)) {
        events_format(out, &ev);
        if (out->n > 64 * 1024) {
            fwrite(out->p, 1, out->n, stdout);
            buf_clear(out);
        }
    }
}

/* One input, start to end; 2 when it cannot be opened or its format told. */
static int one_input(const char *name, const struct decoder_ops *forced, struct rejects *rj, buf *out, buf *summary) {
    char err[256];
    struct reader *r = reader_open(name, err, sizeof err);
    if (!r) {
        fprintf(stderr, "vigil events: %s\n", err);
        return 2;
    }
    struct framer *f = framer_new(r);
    vstr head = framer_head(f);
    const struct decoder_ops *fmt = head.n == 0 ? NULL : forced ? forced : format_detect(head);
    int rc = 0;
    if (head.n && !fmt) {
        fprintf(stderr, "vigil events: cannot tell the format of %s; name it with --format (one of: %s)\n", name,
                format_names());
        rc = 2;
    } else if (fmt) {
        framer_set_mode(f, format_frame_mode(fmt, f));
        /* the reject log keeps the name past this input: the argument lives on */
        void *dec = fmt->create(strcmp(name, "-") == 0 ? "(stdin)" : name, rj);
        struct record rec;
        uint64_t records = 0;
        int got;
        while ((got = framer_next(f, &rec)) == 1) {
            records++;
            fmt->begin(dec, &rec);
            drain(fmt, dec, out);
        }
        if (got < 0) fprintf(stderr, "vigil events: read error in %s: %s\n", name, framer_error(f));
        if (fmt->flush) {
            fmt->flush(dec);
            drain(fmt, dec, out);
        }
        buf_printf(summary, "  %s: %s, %" PRIu64 " records, %" PRIu64 " events\n", name, fmt->name, records,
                   fmt->events(dec));
        framer_report(f, summary);
        if (fmt->report) fmt->report(dec, summary);
        fmt->destroy(dec);
    }
    framer_free(f);
    reader_close(r);
    return rc;
}

int events_run(const struct events_options *o) {
    if (o->n_inputs == 0) {
        fprintf(stderr, "vigil events: no input given (use - to read stdin)\n");
        return 2;
    }
    const struct decoder_ops *forced = NULL;
    if (o->format && !(forced = format_find(o->format))) {
        fprintf(stderr, "vigil events: unknown format '%s' (known: %s)\n", o->format, format_names());
        return 2;
    }
    struct rejects *rj = rejects_new(REJECTS_SHOWN, stderr);
    buf out, summary;
    buf_init(&out);
    buf_init(&summary);
    int rc = 0;
    for (int i = 0; i < o->n_inputs && !rc; i++) rc = one_input(o->inputs[i], forced, rj, &out, &summary);
    if (out.n) fwrite(out.p, 1, out.n, stdout);
    fflush(stdout);
    rejects_summary(rj, &summary);
    if (!rejects_total(rj)) buf_puts(&summary, "  no records rejected\n");
    fputs(buf_cstr(&summary), stderr);
    buf_free(&out);
    buf_free(&summary);
    rejects_free(rj);
    return rc;
}

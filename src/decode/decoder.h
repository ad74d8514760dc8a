/* The decoder interface: one file per format in src/decode/, each
 * exporting one const struct decoder_ops; format.c lists them and picks one
 * by sniffing the head of an input (or by --format NAME).
 *
 * A decoder receives records (a line, or one JSON document) and yields
 * zero or more typed events per record. It never stops on bad input: it
 * reports the record (input, offset, reason) to the reject log and moves
 * on to the next one. */
#ifndef VIGIL_DECODER_H
#define VIGIL_DECODER_H
#include <stdint.h>
#include <stdio.h>
#include "event.h"
#include "input/framer.h"
#include "util/buf.h"

struct rejects;

struct decoder_ops {
    const char *name;                   /* --format NAME */
    const char *description;
    enum layer layer;
    /* 0..100: how sure the decoder is that head is its format. */
    int (*sniff)(vstr head);
    void *(*create)(const char *input_name, struct rejects *rj);
    void (*destroy)(void *self);
    /* Hand the decoder the next record; it stays valid until the next
     * call of begin. */
    void (*begin)(void *self, const struct record *rec);
    /* 1: *ev holds an event, valid until the next call of next or begin;
     * 0: the record is exhausted. */
    int (*next)(void *self, struct event *ev);
    /* Optional (NULL for most): the input has ended. A decoder that holds
     * records back until their event is complete (auditd reassembles
     * events from several lines) finishes what it holds; the caller then
     * drains next() as after begin. Whoever drives begin/next calls it
     * once per input, after the last record (also after a read error). */
    void (*flush)(void *self);
    /* Summary lines about this input (counts, what was skipped and why). */
    void (*report)(void *self, buf *out);
    uint64_t (*events)(void *self);     /* events produced so far */
};

const struct decoder_ops *format_find(const char *name);
/* Best decoder for this head, or NULL if none is confident. */
const struct decoder_ops *format_detect(vstr head);
/* Comma-separated names, for usage text. */
const char *format_names(void);
/* How records of this format are cut from the input: the binary formats
 * need their own framing whatever the input looks like; text formats
 * follow the input (framer_guess_mode). */
enum frame_mode format_frame_mode(const struct decoder_ops *fmt, struct framer *f);

/* ---- rejected records ------------------------------------------------- */
struct rejects *rejects_new(unsigned print_first, FILE *out);
void rejects_free(struct rejects *rj);
/* reason must be a static string: counts are kept per reason pointer. */
void rejects_add(struct rejects *rj, const char *input, uint64_t offset, const char *reason, vstr detail);
uint64_t rejects_total(const struct rejects *rj);
void rejects_summary(const struct rejects *rj, buf *out);
#endif

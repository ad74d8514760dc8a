#include <string.h>

#include "decode/decoder.h"

extern const struct decoder_ops k8s_audit_decoder;
extern const struct decoder_ops azure_activity_decoder;
extern const struct decoder_ops ipfix_decoder;
extern const struct decoder_ops pcap_decoder;
extern const struct decoder_ops keyvault_decoder;
extern const struct decoder_ops w3c_decoder;
extern const struct decoder_ops appservice_decoder;
extern const struct decoder_ops clf_decoder;
extern const struct decoder_ops auditd_decoder;
extern const struct decoder_ops docker_events_decoder;
extern const struct decoder_ops docker_inspect_decoder;
extern const struct decoder_ops ecs_decoder;

/* Every format vigil reads. Order matters only for equal sniff scores. */
static const struct decoder_ops *const formats[] = {
    &k8s_audit_decoder,
    &azure_activity_decoder,
    &keyvault_decoder,
    &appservice_decoder,
    &w3c_decoder,
    &clf_decoder,
    &auditd_decoder,
    &docker_events_decoder,
    &docker_inspect_decoder,
    &ecs_decoder,
    &ipfix_decoder,
    &pcap_decoder,
};
#define N_FORMATS (sizeof formats / sizeof formats[0])

const struct decoder_ops *format_find(const char *name) {
    for (size_t i = 0; i < N_FORMATS; i++)
        if (strcmp(formats[i]->name, name) == 0) return formats[i];
    return NULL;
}

const struct decoder_ops *format_detect(vstr head) {
    const struct decoder_ops *best = NULL;
    int best_score = 0;
    for (size_t i = 0; i < N_FORMATS; i++) {
        int s = formats[i]->sniff(head);
        if (s > best_score) { best = formats[i]; best_score = s; }
    }
    return best_score >= 50 ? best : NULL;
}

const char *format_names(void) {
    static char names[256];
    if (!names[0]) {
        for (size_t i = 0; i < N_FORMATS; i++) {
            if (i) strncat(names, ", ", sizeof names - strlen(names) - 1);
            strncat(names, formats[i]->name, sizeof names - strlen(names) - 1);
        }
    }
    return names;
}

enum frame_mode format_frame_mode(const struct decoder_ops *fmt, struct framer *f) {
    if (fmt == &ipfix_decoder) return FRAME_MESSAGES;
    if (fmt == &pcap_decoder) return FRAME_PCAP;
    enum frame_mode m = framer_guess_mode(f);
    /* a text format named on a binary input still reads text */
    return m == FRAME_MESSAGES || m == FRAME_PCAP ? FRAME_LINES : m;
}

/* The fixture the flow decoder tests share: one `ipfix` decoder (it takes
 * every export version) with its reject log, fresh for each test. */
#ifndef VIGIL_TEST_FLOWFIXTURE_H
#define VIGIL_TEST_FLOWFIXTURE_H
#include "flowbuild.h"

static struct rejects *rj;
static void *dec;

static int setup(void **state) {
    (void)state;
    rj = rejects_new(0, NULL);
    dec = ipfix_decoder.create("test", rj);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    ipfix_decoder.destroy(dec);
    rejects_free(rj);
    return 0;
}

static const struct flow_decoder_stats *stats(void) { return flow_decoder_stats(dec); }
#endif

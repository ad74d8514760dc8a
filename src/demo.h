/* vigil demo: generate the bundled demo estate and scan it end to end. */
#ifndef VIGIL_DEMO_H
#define VIGIL_DEMO_H
/* dir: where telemetry, state and alerts go (NULL: a new /tmp directory). */
int demo_run(const char *dir);
#endif

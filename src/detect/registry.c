#include "detect/detector.h"

extern const struct detector k8s_detector;
extern const struct detector network_detector;
extern const struct detector arm_detector;
extern const struct detector keyvault_detector;
extern const struct detector appservice_detector;
extern const struct detector host_detector;

/* Every detector, in pipeline order. Adding an analytic: one file in
 * src/detect/ and one line here. */
const struct detector *const detector_registry[] = {
    &k8s_detector,
    &network_detector,
    &arm_detector,
    &keyvault_detector,
    &appservice_detector,
    &host_detector,
};
const unsigned detector_registry_count = sizeof detector_registry / sizeof detector_registry[0];

bool detector_enabled(const struct detector *d, const struct vigil_config *cfg) {
    if (d == &k8s_detector) return cfg->k8s.enabled;
    if (d == &network_detector) return cfg->network.enabled;
    if (d == &arm_detector) return cfg->arm.enabled;
    if (d == &keyvault_detector) return cfg->keyvault.enabled;
    if (d == &appservice_detector) return cfg->appservice.enabled;
    if (d == &host_detector) return cfg->host.enabled;
    return true;
}

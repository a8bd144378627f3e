/*
 * fuzz_scenario — libFuzzer harness for the scenario loader
 * (scenario_load_string: libyaml, ytree, the loader and every model's
 * parse).  `make fuzz` builds and runs it; docs/robustness.md.
 *
 * Property checked besides the sanitizers: a load fails exactly when it
 * reported a problem (bad input never passes silently, and never fails
 * without a message).  Relative paths in the input (`extends`, empirical
 * CSV files, `prices`, demand traces) resolve against the working
 * directory, which tests/fuzz/run.sh sets to scenarios/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "diag.h"
#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    diag_list diag;
    diag_init(&diag);
    scenario sc;
    int rc = scenario_load_string(&sc, "fuzz.yaml", (const char *)data, size, &diag);
    if ((rc == 0) != (diag_error_count(&diag) == 0))
        abort(); /* a verdict without a message, or a message without a verdict */
    if (rc == 0) {
        double events = scenario_expected_events(&sc, sc.horizon_s);
        if (events != events)
            abort(); /* NaN: an estimate run and validate would misjudge */
    }
    scenario_free(&sc);
    diag_free(&diag);
    return 0;
}

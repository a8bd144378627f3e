/*
 * model — what each model module (a file in models/) provides, as a typed table.
 *
 *   parse   reads the model's top-level scenario key into the scenario;
 *           reports problems through the yctx and returns -1 on any
 *   init    builds the model's part of a worker's trial_world (streams,
 *           arrays) once; -1 when out of memory
 *   start   at t = 0 of each trial: resets that state and schedules the
 *           model's first events
 *
 * Models never print and never exit.  sim/loader.c calls `parse` for the
 * keys in the order of model_table; sim/trial.c calls `init` and `start`.
 */
#ifndef DRSIM_MODEL_H
#define DRSIM_MODEL_H

#include "scenario.h"
#include "trial.h"
#include "ytree.h"

typedef struct model_ops {
    const char *key;   /* the top-level scenario key the model owns */
    int (*parse)(scenario *sc, yctx *c, const ynode *node, const ypath *path);
    int (*init)(trial_world *w);
    void (*start)(trial_world *w);
} model_ops;

/* In dependency order: domains before the components placed in them,
 * components before the service expression over them. */
extern const model_ops model_table[];
extern const size_t model_table_size;

/* The modules' own entry points (models/domain.c, component.c, service.c). */
int domain_parse(scenario *sc, yctx *c, const ynode *node, const ypath *path);
int domain_init(trial_world *w);
void domain_start(trial_world *w);

int component_parse(scenario *sc, yctx *c, const ynode *node, const ypath *path);
int component_init(trial_world *w);
void component_start(trial_world *w);

int service_parse(scenario *sc, yctx *c, const ynode *node, const ypath *path);
int service_init(trial_world *w);
void service_start(trial_world *w);
/* A copy's effective state flipped: propagate through the gates. */
void service_copy_changed(trial_world *w, int copy, bool effective_up);
void service_node_free(service_node *node);

/* Names of components, zones and regions: letters, digits, '-', '_', '.',
 * ':'; at most 63 characters.  Reports and returns false otherwise. */
bool model_check_name(yctx *c, const ynode *node, const ypath *path, const char *name);

#endif

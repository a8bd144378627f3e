/*
 * tags — key/value tags on scenario resources, as AWS resources carry them,
 * so that an experiment's targets can select resources by `resourceTags`.
 *
 * Scenario (on components, Auto Scaling groups, load balancers, databases,
 * buckets, regions and zones):
 *   tags: {Environment: production, Tier: web}
 * or the CloudFormation list form the seed uses:
 *   tags:
 *     - {Key: Environment, Value: production}
 * Keys are 1 to 128 characters, values 0 to 256 (the AWS limits), at most
 * 50 tags per resource, no key twice.  Values are compared as text.
 *
 * Ownership: tags_free() releases what tags_parse() allocated.
 */
#ifndef DRSIM_TAGS_H
#define DRSIM_TAGS_H

#include <stdbool.h>
#include <stddef.h>

#include "ytree.h"

#define TAGS_MAX_PER_RESOURCE 50   /* AWS: 50 user tags per resource */
#define TAGS_MAX_KEY_CHARS 128
#define TAGS_MAX_VALUE_CHARS 256

typedef struct tag_set {
    char **keys;
    char **values;
    size_t n;
} tag_set;

/* Reads `node` (either form above) into *out, which must be empty.
 * Reports problems through c and returns false on any. */
bool tags_parse(yctx *c, const ynode *node, const ypath *path, tag_set *out);

/* The value of `key`, or NULL when the resource has no such tag. */
const char *tags_get(const tag_set *tags, const char *key);

/* Every (key, value) of `wanted` is on `tags`. */
bool tags_match(const tag_set *tags, const tag_set *wanted);

/* Adds or replaces one tag (copies both); false when out of memory. */
bool tags_set(tag_set *tags, const char *key, const char *value);

void tags_free(tag_set *tags);

#endif

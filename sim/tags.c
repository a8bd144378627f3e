/* tags — see include/tags.h. */
#include "tags.h"

#include <stdlib.h>
#include <string.h>

const char *tags_get(const tag_set *tags, const char *key)
{
    for (size_t i = 0; i < tags->n; i++)
        if (strcmp(tags->keys[i], key) == 0)
            return tags->values[i];
    return NULL;
}

bool tags_match(const tag_set *tags, const tag_set *wanted)
{
    for (size_t i = 0; i < wanted->n; i++) {
        const char *have = tags_get(tags, wanted->keys[i]);
        if (have == NULL || strcmp(have, wanted->values[i]) != 0)
            return false;
    }
    return true;
}

bool tags_set(tag_set *tags, const char *key, const char *value)
{
    for (size_t i = 0; i < tags->n; i++) {
        if (strcmp(tags->keys[i], key) == 0) {
            char *copy = strdup(value);
            if (copy == NULL)
                return false;
            free(tags->values[i]);
            tags->values[i] = copy;
            return true;
        }
    }
    char **keys = realloc(tags->keys, (tags->n + 1) * sizeof *keys);
    if (keys == NULL)
        return false;
    tags->keys = keys;
    char **values = realloc(tags->values, (tags->n + 1) * sizeof *values);
    if (values == NULL)
        return false;
    tags->values = values;
    char *k = strdup(key), *v = strdup(value);
    if (k == NULL || v == NULL) {
        free(k);
        free(v);
        return false;
    }
    tags->keys[tags->n] = k;
    tags->values[tags->n] = v;
    tags->n++;
    return true;
}

void tags_free(tag_set *tags)
{
    for (size_t i = 0; i < tags->n; i++) {
        free(tags->keys[i]);
        free(tags->values[i]);
    }
    free(tags->keys);
    free(tags->values);
    memset(tags, 0, sizeof *tags);
}

/* One tag from a key node and a value node, checked against the AWS limits. */
static bool add_one(yctx *c, const ynode *key, const ynode *value, const ypath *path, tag_set *out)
{
    if (key == NULL || key->kind != YNODE_SCALAR || key->text[0] == '\0') {
        yerror(c, key, path, "a tag key must be a non-empty string");
        return false;
    }
    if (value == NULL || value->kind != YNODE_SCALAR) {
        yerror(c, value ? value : key, path, "the value of tag '%.60s' must be a string",
               key->text);
        return false;
    }
    if (strlen(key->text) > TAGS_MAX_KEY_CHARS) {
        yerror(c, key, path, "a tag key is at most %d characters", TAGS_MAX_KEY_CHARS);
        return false;
    }
    if (strlen(value->text) > TAGS_MAX_VALUE_CHARS) {
        yerror(c, value, path, "a tag value is at most %d characters", TAGS_MAX_VALUE_CHARS);
        return false;
    }
    if (tags_get(out, key->text) != NULL) {
        yerror(c, key, path, "tag '%.60s' is given twice", key->text);
        return false;
    }
    if (out->n >= TAGS_MAX_PER_RESOURCE) {
        yerror(c, key, path, "more than %d tags on one resource", TAGS_MAX_PER_RESOURCE);
        return false;
    }
    if (!tags_set(out, key->text, value->text)) {
        yerror(c, key, path, "out of memory");
        return false;
    }
    return true;
}

static const char *const list_item_keys[] = {"Key", "Value", "PropagateAtLaunch", NULL};

bool tags_parse(yctx *c, const ynode *node, const ypath *path, tag_set *out)
{
    bool ok = true;
    if (node->kind == YNODE_MAPPING) {
        for (size_t i = 0; i < node->n; i++) {
            ypath p = YPATH_KEY(path, node->pairs[i].key->kind == YNODE_SCALAR
                                          ? node->pairs[i].key->text
                                          : "?");
            ok = add_one(c, node->pairs[i].key, node->pairs[i].value, &p, out) && ok;
        }
        return ok;
    }
    if (node->kind == YNODE_SEQUENCE) {
        for (size_t i = 0; i < node->n; i++) {
            ypath p = YPATH_INDEX(path, i);
            const ynode *item = node->items[i];
            if (!ymap_check(c, item, &p, list_item_keys)) {
                ok = false;
                continue;
            }
            const ynode *key = ymap_require(c, item, &p, "Key");
            const ynode *value = ymap_require(c, item, &p, "Value");
            if (key == NULL || value == NULL) {
                ok = false;
                continue;
            }
            ypath kp = YPATH_KEY(&p, "Key");
            ok = add_one(c, key, value, &kp, out) && ok;
        }
        return ok;
    }
    yerror(c, node, path, "expected tags as a mapping ({Environment: production}) or a list of "
                          "{Key, Value}, not %s", ynode_describe(node));
    return false;
}

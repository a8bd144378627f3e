/*
 * ytree — a YAML file as a small tree with positions, and the typed getters
 * every scenario parser uses, so that all input errors read alike.
 *
 * Loading.  libyaml parses the file (its document API); ytree copies the
 * result into ynodes that keep each node's 0-based line and column.  Three
 * things are settled here, once, for every parser:
 *   - A plain scalar in a flow collection that YAML split at a comma inside
 *     parentheses is joined again from the source text, so the SPEC's
 *     `{fail: exp(mean=20y), repair: lognormal(median=6h, sigma=1)}` reads as
 *     two keys, not three.
 *   - Aliases are expanded, but the whole tree is capped at YTREE_MAX_NODES
 *     nodes and YTREE_MAX_DEPTH levels, so "billion laughs" is an error,
 *     not a hang.
 *   - Local tags (CloudFormation's `!Ref`, `!GetAtt`, `!Sub`) are kept on
 *     their node for the parsers that give them meaning; others ignore them.
 *   - Only one document per file; files over YTREE_MAX_FILE_BYTES are refused.
 *   - A top-level `extends: PATH` is resolved (see below), so a parser sees
 *     one merged tree and never the key itself.
 *
 * Extends.  `extends: PATH` (relative to the directory of the file that
 * says it) loads PATH as a base, recursively, at most YTREE_MAX_EXTENDS
 * levels deep and without cycles, and overlays the extending file on it:
 *   - a mapping over a mapping merges key by key, recursively;
 *   - a non-empty list whose items are all mappings with a `name` key, over
 *     such a list (or an empty one), merges item by item by name: a new
 *     name is appended, a known name merges into the base item, and
 *     `{name: X, remove: true}` deletes X;
 *   - anything else replaces the base's value (a list of named items
 *     over a null value too).
 * Every ynode remembers the file it was written in, so a diagnostic points
 * to the file and line of the value at fault, and an empirical CSV is found
 * relative to that file's directory.  Problems with the extends themselves
 * (a missing base, a cycle, a bad `remove`, a list of named items over a
 * non-list) are reported at the offending value and fail the load.  Key
 * paths in later diagnostics are paths in the merged tree.
 *
 * Getters.  Each getter takes the node, its key path (a chain of ypath on
 * the caller's stack) and a yctx; on bad input it records one diagnostic at
 * the node ("FILE:LINE:COL: error: components[0].count: ...") and returns
 * false, leaving *out untouched.  Parsers keep going after a false, so one
 * run reports every problem.
 *
 * Ownership: a ydoc owns all its nodes and the names of all the files they
 * came from; strings returned by yget_string are the caller's to free.
 */
#ifndef DRSIM_YTREE_H
#define DRSIM_YTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "dist.h"

#define YTREE_MAX_NODES 200000
#define YTREE_MAX_DEPTH 200
#define YTREE_MAX_FILE_BYTES (16L * 1024 * 1024)
#define YTREE_MAX_EXTENDS 8   /* levels of `extends`: a file and up to 8 bases */

typedef enum ynode_kind { YNODE_SCALAR, YNODE_SEQUENCE, YNODE_MAPPING } ynode_kind;

typedef struct ynode ynode;
typedef struct ypair {
    ynode *key;
    ynode *value;
} ypair;

struct ynode {
    ynode_kind kind;
    const char *file;  /* the file it was written in; owned by the ydoc */
    long line0, col0;  /* 0-based, as libyaml marks them */
    bool plain;        /* an unquoted scalar (so `~` and `` are null, "~" is text) */
    char *tag;         /* a local tag as written ("!Ref", "!GetAtt", "!Sub"), or NULL */
    char *text;        /* SCALAR */
    size_t n;          /* SEQUENCE items or MAPPING pairs */
    ynode **items;     /* SEQUENCE */
    ypair *pairs;      /* MAPPING */
};

/* A base file loaded through `extends`. */
typedef struct ybase {
    char *file;        /* its path as resolved from the `extends` value */
    char *dir;         /* its directory */
} ybase;

typedef struct ydoc {
    ynode *root;       /* NULL for an empty file */
    char *file;        /* the path as given, used in diagnostics */
    char *dir;         /* its directory, for relative paths inside it */
    ybase *bases;      /* every base file loaded, in the order they were read */
    size_t n_bases;
    size_t node_count; /* over all the files */
    int extends_choice;      /* ydoc_load_choosing: which of `extends: {one_of}`; -1 none */
    size_t extends_options;  /* how many bases `extends: {one_of}` lists (0: not open) */
    char *extends_chosen;    /* the chosen base's path as written, or NULL */
} ydoc;

/* Loads path and the bases it extends.  0 on success; -1 with diagnostics
 * in diag (a file cannot be read, YAML syntax, too large, a bad `extends`).
 * On -1 the ydoc is empty but valid. */
int ydoc_load(ydoc *doc, const char *path, diag_list *diag);

/* The same from memory; `name` stands for the file in diagnostics and
 * relative paths (an `extends` base, an empirical CSV) are taken from `dir`
 * (may be NULL for "."). */
int ydoc_load_string(ydoc *doc, const char *name, const char *dir, const char *text,
                     size_t length, diag_list *diag);

/* The same, for a file whose top-level `extends` may be open, as
 * `drsim plan` writes it: `extends: {one_of: [a.yaml, b.yaml]}` loads with
 * base number `extends_choice` (from 0) and sets doc->extends_options.
 * ydoc_load refuses such a file. */
int ydoc_load_choosing(ydoc *doc, const char *path, int extends_choice, diag_list *diag);

/* Replaces `node` (and everything under it) with a move of `item`, a node
 * somewhere inside it (a planner's chosen value); item's own slot keeps an
 * empty scalar.  false when item is not under node or out of memory. */
bool ynode_replace_with_descendant(ynode *node, ynode *item);

/* parent's pair number pair_index is `choose: {one_of: [mapping, ...]}`:
 * replaces it with the pairs of mapping number `item` (overwriting keys
 * parent already has).  false when the shape is not that. */
bool ynode_merge_choice(ynode *parent, size_t pair_index, size_t item);

/* Makes `node` the plain scalar `text` (its position is kept). */
bool ynode_set_scalar(ynode *node, const char *text);

void ydoc_free(ydoc *doc);

/* A key path, built on the stack as parsers descend. */
typedef struct ypath {
    const struct ypath *parent;
    const char *key;   /* a mapping key, or NULL for a list index */
    size_t index;
} ypath;

#define YPATH_KEY(parent_path, key_name) ((ypath){(parent_path), (key_name), 0})
#define YPATH_INDEX(parent_path, i) ((ypath){(parent_path), NULL, (i)})

/* "components[2].repair" into buf; "" for the root.  Returns buf. */
char *ypath_format(const ypath *path, char *buf, size_t buf_size);

typedef struct yctx {
    const ydoc *doc;
    diag_list *diag;
} yctx;

/* The directory of the file `node` was written in (the document's or a
 * base's), for paths written in it. */
const char *ydoc_directory_of(const ydoc *doc, const ynode *node);

/* One diagnostic at node, in the file it was written in (or at the top of
 * the document's own file when node is NULL). */
void yerror(yctx *c, const ynode *node, const ypath *path, const char *fmt, ...)
    DIAG_PRINTF(4, 5);

/* "a mapping", "a list", "a string", "nothing" (for null) — for messages. */
const char *ynode_describe(const ynode *node);
bool ynode_is_null(const ynode *node);

/* How a key as written matches a key a parser knows. */
typedef enum ykey_match {
    YKEY_EXACT,             /* byte for byte */
    YKEY_FIRST_EITHER_CASE, /* also with its first letter in the other (ASCII) case, and
                               nothing else: `Targets` and `targets` match each other,
                               `TARGETS` neither (CloudFormation spells FIS's keys so) */
} ykey_match;

/* Whether `written` matches `key` under `match`. */
bool ykey_matches(const char *written, const char *key, ykey_match match);

/* The first pair of a mapping whose key matches `key` under `match`, or
 * NULL (also when map is NULL or not a mapping).  Its key node is the key
 * as written, for messages. */
const ypair *ymap_find(const ynode *map, const char *key, ykey_match match);

/* The value under key in a mapping (matched byte for byte), or NULL. */
const ynode *ymap_get(const ynode *map, const char *key);

/* node is a mapping whose keys are all plain strings from `allowed`
 * (NULL-terminated) and none repeats.  An unknown key gets a "did you mean"
 * when one allowed key is close ("unknown key 'horizn' (did you mean
 * 'horizon'?)"), else the list of allowed keys ("unknown key 'x' (expected
 * one of: a, b)"); a repeat is "duplicate key 'a' (first at line 3)", or
 * "(first at base.yaml:3)" for a key an `extends` base wrote.  Keys match
 * byte for byte.  Returns false after reporting. */
bool ymap_check(yctx *c, const ynode *map, const ypath *path, const char *const allowed[]);

/* ymap_check with keys matched under `match` (ymap_check is YKEY_EXACT).
 * Under YKEY_FIRST_EITHER_CASE two keys that match each other repeat
 * ("duplicate key 'Targets' (first as 'targets' at line 2)"), and the
 * "did you mean" compares with each allowed key given the first letter's
 * case as written, and suggests that spelling: 'Descripton' gets
 * 'Description', 'descripton' gets 'description'.  The list of allowed
 * keys is printed as given. */
bool ymap_check_match(yctx *c, const ynode *map, const ypath *path, const char *const allowed[],
                      ykey_match match);

/* A required key: reports "missing required key 'name'" at the mapping. */
const ynode *ymap_require(yctx *c, const ynode *map, const ypath *path, const char *key);

bool yexpect_sequence(yctx *c, const ynode *node, const ypath *path);

/* Scalars.  yget_string refuses control characters other than tab and
 * line feed ("contains the control character U+001B (character 1)"). */
bool yget_string(yctx *c, const ynode *node, const ypath *path, char **out);
bool yget_integer(yctx *c, const ynode *node, const ypath *path, long long min,
                  long long max, long long *out);
bool yget_uint64(yctx *c, const ynode *node, const ypath *path, uint64_t *out);
bool yget_duration(yctx *c, const ynode *node, const ypath *path, double *seconds);
/* An availability-like level: "99.99%" or a fraction 0.9999, in (0, 1]. */
bool yget_fraction(yctx *c, const ynode *node, const ypath *path, double *out);
/* A distribution (dist.h); an empirical one is loaded relative to the
 * directory of the file the node was written in. */
bool yget_dist(yctx *c, const ynode *node, const ypath *path, dist *out);

#endif

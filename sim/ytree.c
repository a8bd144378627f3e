/* ytree — see include/ytree.h. */
#include "ytree.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "duration.h"

/* ---- building the tree from libyaml's document ---------------------------------------- */

typedef struct builder {
    yaml_document_t *document;
    const char *source;      /* the file's bytes, for re-joining split scalars */
    size_t source_length;
    ydoc *doc;               /* counts the nodes */
    const char *file;        /* the file being read, owned by doc: every node records it */
    diag_list *diag;
    bool *building;          /* per libyaml node: on the current path (an alias cycle if seen again) */
    bool failed;             /* a limit was hit: stop building */
} builder;

static void ynode_free(ynode *node)
{
    if (node == NULL)
        return;
    free(node->text);
    free(node->tag);
    for (size_t i = 0; node->items != NULL && i < node->n; i++)
        ynode_free(node->items[i]);
    for (size_t i = 0; node->pairs != NULL && i < node->n; i++) {
        ynode_free(node->pairs[i].key);
        ynode_free(node->pairs[i].value);
    }
    free(node->items);
    free(node->pairs);
    free(node);
}

static void build_error(builder *b, const yaml_mark_t *mark, const char *message)
{
    if (!b->failed)
        diag_error(b->diag, b->file, (long)mark->line, (long)mark->column, "", "%s", message);
    b->failed = true;
}

/* libyaml counts marks in characters; the source is UTF-8 bytes. */
static size_t char_index_to_byte(const char *source, size_t length, size_t char_index)
{
    size_t byte = 0;
    if (length >= 3 && memcmp(source, "\xEF\xBB\xBF", 3) == 0)
        byte = 3; /* the reader drops a byte-order mark before counting */
    for (size_t chars = 0; byte < length; byte++) {
        if (((unsigned char)source[byte] & 0xC0u) != 0x80u) { /* a character starts here */
            if (chars == char_index)
                return byte;
            chars++;
        }
    }
    return length;
}

static int paren_balance(const char *text)
{
    int depth = 0;
    for (; *text; text++)
        depth += (*text == '(') - (*text == ')');
    return depth;
}

/* A plain scalar in a flow collection with an unclosed '(' was cut by YAML
 * at a comma.  Finds the ')' that closes it in the source and returns the
 * whole text (malloc'd) and, in *end_char, the character index just past it;
 * NULL when the source does not close it before the collection ends. */
static char *rejoin_from_source(const builder *b, const yaml_node_t *scalar, size_t *end_char)
{
    size_t start = char_index_to_byte(b->source, b->source_length, scalar->start_mark.index);
    size_t text_length = scalar->data.scalar.length;
    if (start + text_length > b->source_length ||
        memcmp(b->source + start, scalar->data.scalar.value, text_length) != 0)
        return NULL;
    int depth = 0;
    size_t chars = scalar->start_mark.index;
    for (size_t i = start; i < b->source_length; i++) {
        char ch = b->source[i];
        if (((unsigned char)ch & 0xC0u) != 0x80u && i > start)
            chars++;
        if (ch == '(')
            depth++;
        else if (ch == ')' && --depth == 0) {
            size_t length = i + 1 - start;
            char *text = malloc(length + 1);
            if (text == NULL)
                return NULL;
            /* a line break and the indentation around it fold into one
             * space, as YAML folds a plain scalar */
            size_t out = 0;
            for (size_t k = start; k <= i; k++) {
                char c = b->source[k];
                if (c == '\r' || c == '\n') {
                    while (out > 0 && (text[out - 1] == ' ' || text[out - 1] == '\t'))
                        out--;
                    while (k + 1 <= i && (b->source[k + 1] == ' ' || b->source[k + 1] == '\t' ||
                                          b->source[k + 1] == '\r' || b->source[k + 1] == '\n'))
                        k++;
                    text[out++] = ' ';
                } else {
                    text[out++] = c;
                }
            }
            text[out] = '\0';
            *end_char = chars + 1;
            return text;
        } else if ((ch == '}' || ch == ']') && depth > 0)
            return NULL;
    }
    return NULL;
}

static ynode *build_node(builder *b, yaml_node_t *node, int depth);

static ynode *new_ynode(builder *b, const yaml_node_t *node, ynode_kind kind)
{
    if (++b->doc->node_count > YTREE_MAX_NODES) {
        char message[160];
        snprintf(message, sizeof message,
                 "too many YAML nodes (more than %d, counting expanded aliases)", YTREE_MAX_NODES);
        build_error(b, &node->start_mark, message);
        return NULL;
    }
    ynode *y = calloc(1, sizeof *y);
    if (y == NULL) {
        build_error(b, &node->start_mark, "out of memory");
        return NULL;
    }
    y->kind = kind;
    y->file = b->file;
    y->line0 = (long)node->start_mark.line;
    y->col0 = (long)node->start_mark.column;
    /* a local tag such as CloudFormation's !Ref; libyaml gives untagged
     * nodes the standard tag:yaml.org,2002 ones, which say nothing */
    const char *tag = (const char *)node->tag;
    if (tag != NULL && tag[0] == '!' && tag[1] != '\0') {
        y->tag = strdup(tag);
        if (y->tag == NULL) {
            build_error(b, &node->start_mark, "out of memory");
            free(y);
            return NULL;
        }
    }
    return y;
}

static ynode *build_scalar(builder *b, yaml_node_t *node, const char *joined)
{
    ynode *y = new_ynode(b, node, YNODE_SCALAR);
    if (y == NULL)
        return NULL;
    const char *value = (const char *)node->data.scalar.value;
    size_t length = node->data.scalar.length;
    if (joined != NULL) {
        value = joined;
        length = strlen(joined);
    }
    if (memchr(value, '\0', length) != NULL) {
        build_error(b, &node->start_mark, "a NUL character in a scalar");
        free(y);
        return NULL;
    }
    y->text = malloc(length + 1);
    if (y->text == NULL) {
        build_error(b, &node->start_mark, "out of memory");
        free(y);
        return NULL;
    }
    memcpy(y->text, value, length);
    y->text[length] = '\0';
    y->plain = node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    return y;
}

/* In a flow collection, a plain scalar that opens a parenthesis YAML cut at
 * a comma: returns the re-joined text and the character index where the
 * swallowed entries end, or NULL. */
static char *flow_rejoin(builder *b, yaml_node_t *node, bool in_flow, size_t *end_char)
{
    if (!in_flow || node->type != YAML_SCALAR_NODE ||
        node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return NULL;
    if (paren_balance((const char *)node->data.scalar.value) <= 0)
        return NULL;
    return rejoin_from_source(b, node, end_char);
}

static ynode *build_sequence(builder *b, yaml_node_t *node, int depth)
{
    ynode *y = new_ynode(b, node, YNODE_SEQUENCE);
    if (y == NULL)
        return NULL;
    bool in_flow = node->data.sequence.style == YAML_FLOW_SEQUENCE_STYLE;
    size_t count = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
    y->items = calloc(count ? count : 1, sizeof *y->items);
    if (y->items == NULL) {
        build_error(b, &node->start_mark, "out of memory");
        ynode_free(y);
        return NULL;
    }
    for (size_t i = 0; i < count && !b->failed; i++) {
        yaml_node_t *item = yaml_document_get_node(b->document, node->data.sequence.items.start[i]);
        size_t end_char = 0;
        char *joined = flow_rejoin(b, item, in_flow, &end_char);
        ynode *child = joined ? build_scalar(b, item, joined) : build_node(b, item, depth + 1);
        free(joined);
        if (child == NULL)
            break;
        y->items[y->n++] = child;
        if (end_char > 0) { /* skip the items YAML cut off this one */
            while (i + 1 < count) {
                yaml_node_t *next =
                    yaml_document_get_node(b->document, node->data.sequence.items.start[i + 1]);
                if (next->start_mark.index >= end_char)
                    break;
                i++;
            }
        }
    }
    if (b->failed) {
        ynode_free(y);
        return NULL;
    }
    return y;
}

static ynode *build_mapping(builder *b, yaml_node_t *node, int depth)
{
    ynode *y = new_ynode(b, node, YNODE_MAPPING);
    if (y == NULL)
        return NULL;
    bool in_flow = node->data.mapping.style == YAML_FLOW_MAPPING_STYLE;
    size_t count = (size_t)(node->data.mapping.pairs.top - node->data.mapping.pairs.start);
    y->pairs = calloc(count ? count : 1, sizeof *y->pairs);
    if (y->pairs == NULL) {
        build_error(b, &node->start_mark, "out of memory");
        ynode_free(y);
        return NULL;
    }
    for (size_t i = 0; i < count && !b->failed; i++) {
        yaml_node_pair_t *pair = &node->data.mapping.pairs.start[i];
        yaml_node_t *key = yaml_document_get_node(b->document, pair->key);
        yaml_node_t *value = yaml_document_get_node(b->document, pair->value);
        ynode *key_node = build_node(b, key, depth + 1);
        if (key_node == NULL)
            break;
        size_t end_char = 0;
        char *joined = flow_rejoin(b, value, in_flow, &end_char);
        ynode *value_node = joined ? build_scalar(b, value, joined) : build_node(b, value, depth + 1);
        free(joined);
        if (value_node == NULL) {
            ynode_free(key_node);
            break;
        }
        y->pairs[y->n].key = key_node;
        y->pairs[y->n].value = value_node;
        y->n++;
        if (end_char > 0) {
            while (i + 1 < count) {
                yaml_node_t *next_key =
                    yaml_document_get_node(b->document, node->data.mapping.pairs.start[i + 1].key);
                if (next_key->start_mark.index >= end_char)
                    break;
                i++;
            }
        }
    }
    if (b->failed) {
        ynode_free(y);
        return NULL;
    }
    return y;
}

static ynode *build_node(builder *b, yaml_node_t *node, int depth)
{
    if (b->failed)
        return NULL;
    if (depth > YTREE_MAX_DEPTH) {
        char message[128];
        snprintf(message, sizeof message, "nested too deeply (more than %d levels)", YTREE_MAX_DEPTH);
        build_error(b, &node->start_mark, message);
        return NULL;
    }
    if (node->type == YAML_SCALAR_NODE)
        return build_scalar(b, node, NULL);
    size_t index = (size_t)(node - b->document->nodes.start);
    if (b->building[index]) {
        build_error(b, &node->start_mark, "an alias refers to a node that contains it");
        return NULL;
    }
    b->building[index] = true;
    ynode *built = NULL;
    if (node->type == YAML_SEQUENCE_NODE)
        built = build_sequence(b, node, depth);
    else if (node->type == YAML_MAPPING_NODE)
        built = build_mapping(b, node, depth);
    else
        build_error(b, &node->start_mark, "empty YAML node");
    b->building[index] = false;
    return built;
}

static char *directory_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    size_t length = (size_t)(slash - path);
    char *dir = malloc(length + 1);
    if (dir != NULL) {
        memcpy(dir, path, length);
        dir[length] = '\0';
    }
    return dir;
}

/* path relative to dir (absolute paths as they are; "." adds nothing, so a
 * base beside a file named without a directory is named without one too).
 * NULL when out of memory. */
static char *path_in_dir(const char *dir, const char *path)
{
    if (path[0] == '/' || dir == NULL || dir[0] == '\0' || strcmp(dir, ".") == 0)
        return strdup(path);
    size_t dir_length = strlen(dir), path_length = strlen(path);
    bool slash = dir[dir_length - 1] != '/';
    char *joined = malloc(dir_length + slash + path_length + 1);
    if (joined == NULL)
        return NULL;
    memcpy(joined, dir, dir_length);
    if (slash)
        joined[dir_length] = '/';
    memcpy(joined + dir_length + slash, path, path_length + 1);
    return joined;
}

/* libyaml's reader (bad UTF-8, control characters) gives a byte offset
 * and no line; the scanner and parser give marks, and a context mark
 * saying where the construct they were reading began. */
static void report_parser_error(const char *file, const yaml_parser_t *parser, const char *text,
                                size_t length, diag_list *diag)
{
    const char *problem = parser->problem ? parser->problem : "error";
    if (parser->error == YAML_READER_ERROR) {
        size_t offset = parser->problem_offset < length ? parser->problem_offset : length;
        long line = 0, column = 0;
        for (size_t i = 0; i < offset; i++) {
            if (text[i] == '\n') {
                line++;
                column = 0;
            } else if (((unsigned char)text[i] & 0xC0u) != 0x80u) {
                column++;
            }
        }
        diag_error(diag, file, line, column, "", "unreadable text: %s", problem);
        return;
    }
    const yaml_mark_t *mark = &parser->problem_mark;
    if (parser->context != NULL)
        diag_error(diag, file, (long)mark->line, (long)mark->column, "",
                   "YAML syntax: %s %s that starts at %zu:%zu", problem, parser->context,
                   parser->context_mark.line + 1, parser->context_mark.column + 1);
    else
        diag_error(diag, file, (long)mark->line, (long)mark->column, "", "YAML syntax: %s",
                   problem);
}

/* libyaml's document loader builds the whole document before ytree can
 * count its nodes or levels, and its scanner checks every open flow level
 * at every token: 8 million nodes in a 16 MB file took 1.3 GB, and flow
 * brackets nested 100,000 deep took minutes.  So the events are read first,
 * stopping at the first node past YTREE_MAX_DEPTH levels or past
 * YTREE_MAX_NODES nodes as written (which bounds libyaml's time and memory
 * to the limits); the full load follows only for text within them, and
 * still counts expanded aliases.  true when the text is within the limits
 * or has a YAML error, which the full load then reports. */
static bool within_limits(const char *file, const char *text, size_t length, diag_list *diag)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return true; /* the full load reports it */
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, length);
    long depth = 0, nodes = 0;
    bool ok = true, done = false;
    while (ok && !done) {
        yaml_event_t event;
        if (!yaml_parser_parse(&parser, &event))
            break;
        const char *message = NULL;
        char buf[160];
        switch (event.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            depth--;
            break;
        case YAML_SCALAR_EVENT:
        case YAML_ALIAS_EVENT:
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            if (depth > YTREE_MAX_DEPTH) {
                snprintf(buf, sizeof buf, "nested too deeply (more than %d levels)",
                         YTREE_MAX_DEPTH);
                message = buf;
            } else if (++nodes > YTREE_MAX_NODES) {
                snprintf(buf, sizeof buf,
                         "too many YAML nodes (more than %d, counting expanded aliases)",
                         YTREE_MAX_NODES);
                message = buf;
            }
            if (event.type == YAML_SEQUENCE_START_EVENT || event.type == YAML_MAPPING_START_EVENT)
                depth++;
            break;
        default:
            break;
        }
        if (message != NULL) {
            diag_error(diag, file, (long)event.start_mark.line, (long)event.start_mark.column, "",
                       "%s", message);
            ok = false;
        }
        yaml_event_delete(&event);
    }
    yaml_parser_delete(&parser);
    return ok;
}

/* Parses one file's text into *root (NULL for an empty file), every node
 * marked with `file` (owned by doc).  0, or -1 after reporting. */
static int parse_text(ydoc *doc, const char *file, const char *text, size_t length,
                      diag_list *diag, ynode **root_out)
{
    *root_out = NULL;
    if (!within_limits(file, text, length, diag))
        return -1;
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        diag_error(diag, file, -1, -1, "", "out of memory");
        return -1;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, length);

    yaml_document_t document;
    int result = 0;
    if (!yaml_parser_load(&parser, &document)) {
        report_parser_error(file, &parser, text, length, diag);
        yaml_parser_delete(&parser);
        return -1;
    }

    ynode *root = NULL;
    yaml_node_t *yaml_root = yaml_document_get_root_node(&document);
    if (yaml_root != NULL) {
        size_t n_nodes = (size_t)(document.nodes.top - document.nodes.start);
        builder b = {&document, text, length, doc, file, diag, calloc(n_nodes + 1, sizeof(bool)),
                     false};
        root = b.building ? build_node(&b, yaml_root, 0) : NULL;
        if (b.building == NULL)
            diag_error(diag, file, -1, -1, "", "out of memory");
        free(b.building);
        if (root == NULL)
            result = -1;
        else {
            /* a second document is a mistake worth naming, not something to ignore */
            yaml_document_t next;
            if (!yaml_parser_load(&parser, &next)) {
                report_parser_error(file, &parser, text, length, diag);
                result = -1;
            } else {
                yaml_node_t *next_root = yaml_document_get_root_node(&next);
                if (next_root != NULL) {
                    diag_error(diag, file, (long)next_root->start_mark.line,
                               (long)next_root->start_mark.column, "",
                               "a second YAML document; a scenario file holds one");
                    result = -1;
                }
                yaml_document_delete(&next);
            }
        }
    }
    yaml_document_delete(&document);
    yaml_parser_delete(&parser);
    if (result != 0) {
        ynode_free(root);
        root = NULL;
    }
    *root_out = root;
    return result;
}

/* A whole file, NUL-terminated, in *text (malloc'd; the caller frees it).
 * 0, or -1 with the problem in `why` and, when the file could not be
 * opened at all, its errno in *open_errno (otherwise 0). */
static int read_source(const char *path, char **text_out, size_t *length_out, struct stat *st,
                       char *why, size_t why_size, int *open_errno)
{
    *open_errno = 0;
    if (stat(path, st) != 0) {
        *open_errno = errno;
        snprintf(why, why_size, "cannot open: %s", strerror(errno));
        return -1;
    }
    if (!S_ISREG(st->st_mode)) {
        snprintf(why, why_size, "not a regular file");
        return -1;
    }
    if (st->st_size > YTREE_MAX_FILE_BYTES) {
        snprintf(why, why_size, "file too large (%lld bytes; at most %ld)",
                 (long long)st->st_size, YTREE_MAX_FILE_BYTES);
        return -1;
    }
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        *open_errno = errno;
        snprintf(why, why_size, "cannot open: %s", strerror(errno));
        return -1;
    }
    size_t capacity = (size_t)st->st_size + 1;
    char *text = malloc(capacity);
    if (text == NULL) {
        fclose(fp);
        snprintf(why, why_size, "out of memory");
        return -1;
    }
    size_t length = fread(text, 1, capacity - 1, fp);
    bool read_error = ferror(fp) != 0;
    fclose(fp);
    if (read_error) {
        free(text);
        snprintf(why, why_size, "read error");
        return -1;
    }
    text[length] = '\0';
    *text_out = text;
    *length_out = length;
    return 0;
}

/* ---- extends: loading the bases and overlaying a file on its base ------------------------ */

/* The files on the way from the top file to the one being read, for cycles. */
typedef struct extends_chain {
    const struct extends_chain *parent;
    const char *file;
    bool has_identity;       /* a file on disk (not text handed to ydoc_load_string) */
    dev_t device;
    ino_t inode;
} extends_chain;

typedef struct merger {
    yctx c;
    bool failed;
} merger;

static bool keys_equal(const ynode *a, const ynode *b)
{
    return a->kind == YNODE_SCALAR && b->kind == YNODE_SCALAR && strcmp(a->text, b->text) == 0;
}

/* The item's `name` when it is a mapping with a scalar name, else NULL. */
static const ynode *item_name(const ynode *item)
{
    const ynode *name = ymap_get(item, "name");
    return name != NULL && name->kind == YNODE_SCALAR && !ynode_is_null(name) ? name : NULL;
}

/* A non-empty list whose items are all mappings with a `name`. */
static bool is_named_list(const ynode *node)
{
    if (node == NULL || node->kind != YNODE_SEQUENCE || node->n == 0)
        return false;
    for (size_t i = 0; i < node->n; i++)
        if (item_name(node->items[i]) == NULL)
            return false;
    return true;
}

static ynode *merge_node(merger *m, ynode *base, ynode *over, const ypath *path);

/* A value the extending file adds where the base has none: a `remove`
 * inside it has nothing to remove. */
static void check_no_removes(merger *m, const ynode *node, const ypath *path)
{
    if (node->kind == YNODE_MAPPING) {
        for (size_t i = 0; i < node->n; i++) {
            if (node->pairs[i].key->kind != YNODE_SCALAR)
                continue;
            ypath p = YPATH_KEY(path, node->pairs[i].key->text);
            check_no_removes(m, node->pairs[i].value, &p);
        }
    } else if (is_named_list(node)) {
        for (size_t i = 0; i < node->n; i++) {
            ypath p = YPATH_INDEX(path, i);
            const ynode *name = item_name(node->items[i]);
            if (ymap_get(node->items[i], "remove") != NULL) {
                yerror(&m->c, name, &p, "'%s' is not in the base, so it cannot be removed",
                       name->text);
                m->failed = true;
            } else {
                check_no_removes(m, node->items[i], &p);
            }
        }
    }
}

static void merge_out_of_memory(merger *m, const ynode *at, const ypath *path)
{
    yerror(&m->c, at, path, "out of memory");
    m->failed = true;
}

/* over's keys into base, recursively; the result is base, at over's position. */
static ynode *merge_mapping(merger *m, ynode *base, ynode *over, const ypath *path)
{
    size_t base_n = base->n;
    ypair *pairs = realloc(base->pairs, (base_n + over->n + 1) * sizeof *pairs);
    bool *merged = calloc(base_n + 1, sizeof *merged);
    if (pairs != NULL)
        base->pairs = pairs;
    if (pairs == NULL || merged == NULL) {
        free(merged);
        merge_out_of_memory(m, over, path);
        ynode_free(over);
        return base;
    }
    for (size_t i = 0; i < over->n; i++) {
        ypair pair = over->pairs[i];
        size_t k = 0;
        /* a key the extending file repeats is left repeated, for ymap_check to report */
        while (k < base_n && (merged[k] || !keys_equal(base->pairs[k].key, pair.key)))
            k++;
        if (k < base_n) {
            ypath p = YPATH_KEY(path, pair.key->text);
            base->pairs[k].value = merge_node(m, base->pairs[k].value, pair.value, &p);
            ynode_free(base->pairs[k].key);
            base->pairs[k].key = pair.key; /* the extending file said it last */
            merged[k] = true;
        } else {
            if (pair.key->kind == YNODE_SCALAR) {
                ypath p = YPATH_KEY(path, pair.key->text);
                check_no_removes(m, pair.value, &p);
            }
            base->pairs[base->n++] = pair;
        }
    }
    free(merged);
    base->file = over->file;
    base->line0 = over->line0;
    base->col0 = over->col0;
    over->n = 0; /* its pairs now belong to base */
    ynode_free(over);
    return base;
}

/* A list of named items over another (or an empty list): by name. */
static ynode *merge_named_list(merger *m, ynode *base, ynode *over, const ypath *path)
{
    ynode **items = realloc(base->items, (base->n + over->n + 1) * sizeof *items);
    bool *touched = calloc(base->n + over->n + 1, sizeof *touched);
    if (items != NULL)
        base->items = items;
    if (items == NULL || touched == NULL) {
        free(touched);
        merge_out_of_memory(m, over, path);
        ynode_free(over);
        return base;
    }
    for (size_t i = 0; i < over->n; i++) {
        ynode *item = over->items[i];
        over->items[i] = NULL;
        ypath item_path = YPATH_INDEX(path, i);
        const ynode *name = item_name(item);
        /* an item the extending file names twice is left twice, for its parser to report */
        size_t k = 0;
        while (k < base->n &&
               (touched[k] || item_name(base->items[k]) == NULL ||
                strcmp(item_name(base->items[k])->text, name->text) != 0))
            k++;
        const ynode *remove = ymap_get(item, "remove");
        if (remove == NULL) {
            if (k < base->n) {
                base->items[k] = merge_node(m, base->items[k], item, &item_path);
            } else {
                check_no_removes(m, item, &item_path);
                k = base->n++;
                base->items[k] = item;
            }
            touched[k] = true;
            continue;
        }
        ypath remove_path = YPATH_KEY(&item_path, "remove");
        const ynode *other_key = NULL;
        for (size_t j = 0; j < item->n && other_key == NULL; j++) {
            const ynode *key = item->pairs[j].key;
            if (key->kind != YNODE_SCALAR ||
                (strcmp(key->text, "name") != 0 && strcmp(key->text, "remove") != 0))
                other_key = key;
        }
        if (remove->kind != YNODE_SCALAR || ynode_is_null(remove) ||
            strcmp(remove->text, "true") != 0) {
            if (remove->kind == YNODE_SCALAR && !ynode_is_null(remove))
                yerror(&m->c, remove, &remove_path, "expected true, found '%s'", remove->text);
            else
                yerror(&m->c, remove, &remove_path, "expected true, found %s",
                       ynode_describe(remove));
            m->failed = true;
        } else if (other_key != NULL) {
            if (other_key->kind == YNODE_SCALAR)
                yerror(&m->c, other_key, &item_path,
                       "an item with 'remove: true' has only 'name' and 'remove', found '%s'",
                       other_key->text);
            else
                yerror(&m->c, other_key, &item_path,
                       "an item with 'remove: true' has only 'name' and 'remove'");
            m->failed = true;
        } else if (k == base->n) {
            yerror(&m->c, name, &item_path, "'%s' is not in the base, so it cannot be removed",
                   name->text);
            m->failed = true;
        } else {
            ynode_free(base->items[k]);
            memmove(&base->items[k], &base->items[k + 1], (base->n - k - 1) * sizeof *base->items);
            memmove(&touched[k], &touched[k + 1], (base->n - k - 1) * sizeof *touched);
            base->n--;
        }
        ynode_free(item);
    }
    free(touched);
    base->file = over->file;
    base->line0 = over->line0;
    base->col0 = over->col0;
    ynode_free(over); /* its items were taken or freed one by one */
    return base;
}

/* Overlays over on base; consumes both and returns the result. */
static ynode *merge_node(merger *m, ynode *base, ynode *over, const ypath *path)
{
    if (base->kind == YNODE_MAPPING && over->kind == YNODE_MAPPING)
        return merge_mapping(m, base, over, path);
    if (is_named_list(over)) {
        if (base->kind == YNODE_SEQUENCE && (base->n == 0 || is_named_list(base)))
            return merge_named_list(m, base, over, path);
        if (!ynode_is_null(base)) {
            yerror(&m->c, over, path,
                   "a list of named items cannot be merged with %s from %s:%ld:%ld",
                   base->kind == YNODE_SEQUENCE ? "a list of items without names"
                                                : ynode_describe(base),
                   base->file, base->line0 + 1, base->col0 + 1);
            m->failed = true;
        } else {
            check_no_removes(m, over, path);
        }
    }
    ynode_free(base);
    return over;
}

/* "a.yaml extends b.yaml extends c.yaml" for the chain, then `last`. */
static void format_chain(const extends_chain *chain, const char *last, char *buf, size_t size)
{
    const char *files[YTREE_MAX_EXTENDS + 2];
    size_t n = 0;
    for (const extends_chain *link = chain; link != NULL && n < YTREE_MAX_EXTENDS + 1;
         link = link->parent)
        files[n++] = link->file;
    size_t used = 0;
    buf[0] = '\0';
    while (n > 0 && used < size) {
        int written = snprintf(buf + used, size - used, "%s extends ", files[--n]);
        used += written > 0 ? (size_t)written : 0;
    }
    if (used < size)
        snprintf(buf + used, size - used, "%s", last);
}

/* Records a base file in doc; returns its entry, or NULL when out of memory. */
static const ybase *add_base(ydoc *doc, const char *path)
{
    ybase *bases = realloc(doc->bases, (doc->n_bases + 1) * sizeof *bases);
    if (bases == NULL)
        return NULL;
    doc->bases = bases;
    ybase *base = &bases[doc->n_bases];
    base->file = strdup(path);
    base->dir = directory_of(path);
    if (base->file == NULL || base->dir == NULL) {
        free(base->file);
        free(base->dir);
        return NULL;
    }
    doc->n_bases++;
    return base;
}

static int load_layer(ydoc *doc, const char *file, const char *dir, const char *text,
                      size_t length, const extends_chain *chain, int depth, diag_list *diag,
                      ynode **out);

/* Loads the base that root's `extends` pair at index `at` names.  0 with
 * the base's (merged) tree in *base_out, or -1 after reporting. */
static int load_base(ydoc *doc, const ynode *root, size_t at, const char *dir,
                     const extends_chain *chain, int depth, diag_list *diag, ynode **base_out)
{
    yctx c = {doc, diag};
    ypath path = YPATH_KEY(NULL, "extends");
    const ynode *value = root->pairs[at].value;
    *base_out = NULL;
    /* `extends: {one_of: [a.yaml, b.yaml]}`: the bases a plan chooses among */
    const ynode *options = value->kind == YNODE_MAPPING && value->n == 1
                               ? ymap_get(value, "one_of")
                               : NULL;
    if (options != NULL) {
        ypath one_of_path = YPATH_KEY(&path, "one_of");
        if (depth > 0 || doc->extends_choice < 0) {
            yerror(&c, value, &path,
                   depth > 0 ? "only the planned file itself may choose among bases"
                             : "extends: {one_of: [...]} lists bases for `drsim plan` to choose "
                               "among; other commands need one file");
            return -1;
        }
        if (options->kind != YNODE_SEQUENCE || options->n == 0) {
            yerror(&c, options, &one_of_path, "expected a non-empty list of base files");
            return -1;
        }
        doc->extends_options = options->n;
        if ((size_t)doc->extends_choice >= options->n) {
            yerror(&c, options, &one_of_path, "no base number %d (the list has %zu)",
                   doc->extends_choice, options->n);
            return -1;
        }
        value = options->items[doc->extends_choice];
        if (value->kind == YNODE_SCALAR && doc->extends_chosen == NULL)
            doc->extends_chosen = strdup(value->text);
        path = YPATH_INDEX(&one_of_path, (size_t)doc->extends_choice);
    }
    if (value->kind != YNODE_SCALAR || ynode_is_null(value) || value->text[0] == '\0') {
        yerror(&c, value, &path, "expected the path of a base scenario file, found %s",
               value->kind == YNODE_SCALAR && !ynode_is_null(value) ? "''"
                                                                   : ynode_describe(value));
        return -1;
    }
    char *base_path = path_in_dir(dir, value->text);
    if (base_path == NULL) {
        yerror(&c, value, &path, "out of memory");
        return -1;
    }
    char *text = NULL;
    size_t length = 0;
    struct stat st;
    char why[256];
    int open_errno;
    if (read_source(base_path, &text, &length, &st, why, sizeof why, &open_errno) != 0) {
        if (open_errno != 0)
            yerror(&c, value, &path, "cannot open '%s': %s", base_path, strerror(open_errno));
        else
            yerror(&c, value, &path, "'%s': %s", base_path, why);
        free(base_path);
        return -1;
    }
    char files[3072];
    for (const extends_chain *link = chain; link != NULL; link = link->parent) {
        if (link->has_identity && link->device == st.st_dev && link->inode == st.st_ino) {
            format_chain(chain, base_path, files, sizeof files);
            yerror(&c, value, &path, "a cycle: %s", files);
            free(text);
            free(base_path);
            return -1;
        }
    }
    if (depth >= YTREE_MAX_EXTENDS) {
        format_chain(chain, base_path, files, sizeof files);
        yerror(&c, value, &path, "more than %d levels of extends: %s", YTREE_MAX_EXTENDS, files);
        free(text);
        free(base_path);
        return -1;
    }
    const ybase *base = add_base(doc, base_path);
    free(base_path);
    if (base == NULL) {
        yerror(&c, value, &path, "out of memory");
        free(text);
        return -1;
    }
    /* doc->bases may move while the base loads its own bases; the strings do not */
    const char *base_file = base->file, *base_dir = base->dir;
    extends_chain link = {chain, base_file, true, st.st_dev, st.st_ino};
    ynode *base_root = NULL;
    int result = load_layer(doc, base_file, base_dir, text, length, &link, depth + 1, diag,
                            &base_root);
    free(text);
    if (result != 0)
        return -1;
    if (base_root == NULL || base_root->kind != YNODE_MAPPING) {
        yerror(&c, value, &path, "'%s' holds %s, not a scenario mapping", base_file,
               ynode_describe(base_root));
        ynode_free(base_root);
        return -1;
    }
    *base_out = base_root;
    return 0;
}

/* Parses one file and, when it says `extends`, loads its base and overlays
 * the file on it.  0 with the tree in *out, or -1 after reporting. */
static int load_layer(ydoc *doc, const char *file, const char *dir, const char *text,
                      size_t length, const extends_chain *chain, int depth, diag_list *diag,
                      ynode **out)
{
    *out = NULL;
    ynode *root = NULL;
    if (parse_text(doc, file, text, length, diag, &root) != 0)
        return -1;
    size_t at = 0;
    while (root != NULL && root->kind == YNODE_MAPPING && at < root->n &&
           !(root->pairs[at].key->kind == YNODE_SCALAR &&
             strcmp(root->pairs[at].key->text, "extends") == 0))
        at++;
    if (root == NULL || root->kind != YNODE_MAPPING || at == root->n) {
        *out = root;
        return 0;
    }
    yctx c = {doc, diag};
    for (size_t j = at + 1; j < root->n; j++) {
        const ynode *key = root->pairs[j].key;
        if (key->kind == YNODE_SCALAR && strcmp(key->text, "extends") == 0) {
            yerror(&c, key, NULL, "duplicate key 'extends' (first at line %ld)",
                   root->pairs[at].key->line0 + 1);
            ynode_free(root);
            return -1;
        }
    }
    ynode *base_root = NULL;
    if (load_base(doc, root, at, dir, chain, depth, diag, &base_root) != 0) {
        ynode_free(root);
        return -1;
    }
    /* `extends` is not part of the result */
    ynode_free(root->pairs[at].key);
    ynode_free(root->pairs[at].value);
    memmove(&root->pairs[at], &root->pairs[at + 1], (root->n - at - 1) * sizeof *root->pairs);
    root->n--;
    merger m = {{doc, diag}, false};
    ynode *merged = merge_node(&m, base_root, root, NULL);
    if (m.failed) {
        ynode_free(merged);
        return -1;
    }
    *out = merged;
    return 0;
}

static int load_top(ydoc *doc, const char *name, const char *dir, const char *text,
                    size_t length, const struct stat *identity, diag_list *diag, int choice)
{
    memset(doc, 0, sizeof *doc);
    doc->extends_choice = choice;
    doc->file = strdup(name);
    doc->dir = strdup(dir ? dir : ".");
    if (doc->file == NULL || doc->dir == NULL) {
        diag_error(diag, NULL, -1, -1, "", "out of memory");
        return -1;
    }
    extends_chain top = {NULL, doc->file, identity != NULL, identity ? identity->st_dev : 0,
                         identity ? identity->st_ino : 0};
    return load_layer(doc, doc->file, doc->dir, text, length, &top, 0, diag, &doc->root);
}

int ydoc_load_string(ydoc *doc, const char *name, const char *dir, const char *text,
                     size_t length, diag_list *diag)
{
    return load_top(doc, name, dir, text, length, NULL, diag, -1);
}

static int load_file(ydoc *doc, const char *path, diag_list *diag, int choice);

int ydoc_load(ydoc *doc, const char *path, diag_list *diag)
{
    return load_file(doc, path, diag, -1);
}

int ydoc_load_choosing(ydoc *doc, const char *path, int extends_choice, diag_list *diag)
{
    return load_file(doc, path, diag, extends_choice < 0 ? 0 : extends_choice);
}

static int load_file(ydoc *doc, const char *path, diag_list *diag, int choice)
{
    memset(doc, 0, sizeof *doc);
    char *text = NULL;
    size_t length = 0;
    struct stat st;
    char why[256];
    int open_errno;
    if (read_source(path, &text, &length, &st, why, sizeof why, &open_errno) != 0) {
        diag_error(diag, path, -1, -1, "", "%s", why);
        return -1;
    }
    char *dir = directory_of(path);
    int result = dir ? load_top(doc, path, dir, text, length, &st, diag, choice) : -1;
    if (dir == NULL)
        diag_error(diag, NULL, -1, -1, "", "out of memory");
    free(dir);
    free(text);
    return result;
}

void ydoc_free(ydoc *doc)
{
    ynode_free(doc->root);
    free(doc->extends_chosen);
    free(doc->file);
    free(doc->dir);
    for (size_t i = 0; i < doc->n_bases; i++) {
        free(doc->bases[i].file);
        free(doc->bases[i].dir);
    }
    free(doc->bases);
    memset(doc, 0, sizeof *doc);
}

/* ---- paths and errors -------------------------------------------------------------------- */

static size_t ypath_append(const ypath *path, char *buf, size_t size, size_t used)
{
    if (path == NULL)
        return used;
    used = ypath_append(path->parent, buf, size, used);
    int written;
    if (path->key != NULL)
        written = snprintf(buf + used, used < size ? size - used : 0, "%s%s",
                           used > 0 ? "." : "", path->key);
    else
        written = snprintf(buf + used, used < size ? size - used : 0, "[%zu]", path->index);
    used += written > 0 ? (size_t)written : 0;
    return used < size ? used : size - 1;
}

char *ypath_format(const ypath *path, char *buf, size_t buf_size)
{
    if (buf_size == 0)
        return buf;
    buf[0] = '\0';
    ypath_append(path, buf, buf_size, 0);
    return buf;
}

void yerror(yctx *c, const ynode *node, const ypath *path, const char *fmt, ...)
{
    char where[512];
    ypath_format(path, where, sizeof where);
    char message[4096]; /* room for a chain of extends */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    const char *file = node != NULL && node->file != NULL ? node->file : c->doc->file;
    diag_error(c->diag, file, node ? node->line0 : 0, node ? node->col0 : 0, where, "%s", message);
}

bool ynode_is_null(const ynode *node)
{
    if (node == NULL)
        return true;
    if (node->kind != YNODE_SCALAR || !node->plain)
        return false;
    const char *t = node->text;
    return t[0] == '\0' || strcmp(t, "~") == 0 || strcmp(t, "null") == 0 ||
           strcmp(t, "Null") == 0 || strcmp(t, "NULL") == 0;
}

const char *ynode_describe(const ynode *node)
{
    if (ynode_is_null(node))
        return "nothing";
    switch (node->kind) {
    case YNODE_SCALAR:
        return "a scalar";
    case YNODE_SEQUENCE:
        return "a list";
    case YNODE_MAPPING:
        return "a mapping";
    }
    return "?";
}

/* ---- mappings ---------------------------------------------------------------------------- */

const ypair *ymap_find(const ynode *map, const char *key, ykey_match match)
{
    if (map == NULL || map->kind != YNODE_MAPPING)
        return NULL;
    for (size_t i = 0; i < map->n; i++) {
        const ynode *k = map->pairs[i].key;
        if (k->kind == YNODE_SCALAR && ykey_matches(k->text, key, match))
            return &map->pairs[i];
    }
    return NULL;
}

const ynode *ymap_get(const ynode *map, const char *key)
{
    const ypair *pair = ymap_find(map, key, YKEY_EXACT);
    return pair != NULL ? pair->value : NULL;
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return 99;
    size_t row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t above = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = diagonal + cost;
            if (above + 1 < best)
                best = above + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diagonal = above;
        }
    }
    return row[lb];
}

static char ascii_lower(char ch)
{
    return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

bool ykey_matches(const char *written, const char *key, ykey_match match)
{
    if (strcmp(written, key) == 0)
        return true;
    return match == YKEY_FIRST_EITHER_CASE && written[0] != '\0' &&
           ascii_lower(written[0]) == ascii_lower(key[0]) && strcmp(written + 1, key + 1) == 0;
}

/* `key` spelt as `written` spells a key under `match`: under
 * YKEY_FIRST_EITHER_CASE, with its first letter in the case of written's
 * (`Description` for `Descripton`).  NULL when too long to compare. */
static const char *spelt_as(const char *key, const char *written, ykey_match match,
                            char buf[65])
{
    if (match != YKEY_FIRST_EITHER_CASE)
        return key;
    size_t n = strlen(key);
    if (n > 64)
        return NULL;
    memcpy(buf, key, n + 1);
    if (ascii_lower(buf[0]) == ascii_lower(written[0]))
        buf[0] = written[0];
    return buf;
}

static void unknown_key_error(yctx *c, const ynode *key, const ypath *path,
                              const char *const allowed[], ykey_match match)
{
    char closest[65] = "";
    /* suggest only near misses: one edit for short keys, two for longer */
    size_t best = strlen(key->text) <= 4 ? 2 : 3;
    for (size_t i = 0; allowed[i] != NULL; i++) {
        char buf[65];
        const char *candidate = spelt_as(allowed[i], key->text, match, buf);
        if (candidate == NULL)
            continue;
        size_t d = edit_distance(key->text, candidate);
        if (d < best) {
            best = d;
            snprintf(closest, sizeof closest, "%s", candidate);
        }
    }
    if (closest[0] != '\0') {
        yerror(c, key, path, "unknown key '%s' (did you mean '%s'?)", key->text, closest);
        return;
    }
    char list[512] = "";
    size_t used = 0;
    for (size_t i = 0; allowed[i] != NULL && used < sizeof list; i++) {
        int n = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", allowed[i]);
        if (n > 0)
            used += (size_t)n;
    }
    yerror(c, key, path, "unknown key '%s' (expected one of: %s)", key->text, list);
}

bool ymap_check(yctx *c, const ynode *map, const ypath *path, const char *const allowed[])
{
    return ymap_check_match(c, map, path, allowed, YKEY_EXACT);
}

bool ymap_check_match(yctx *c, const ynode *map, const ypath *path, const char *const allowed[],
                      ykey_match match)
{
    if (map == NULL || map->kind != YNODE_MAPPING) {
        yerror(c, map, path, "expected a mapping, found %s", ynode_describe(map));
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < map->n; i++) {
        const ynode *key = map->pairs[i].key;
        if (key->kind != YNODE_SCALAR) {
            yerror(c, key, path, "a key must be a plain name, found %s", ynode_describe(key));
            ok = false;
            continue;
        }
        bool known = false;
        for (size_t k = 0; allowed[k] != NULL; k++)
            known = known || ykey_matches(key->text, allowed[k], match);
        if (!known && key->plain && strcmp(key->text, "<<") == 0) {
            yerror(c, key, path, "YAML merge keys ('<<') are not supported: write the keys out");
            ok = false;
        } else if (!known) {
            unknown_key_error(c, key, path, allowed, match);
            ok = false;
        }
        for (size_t j = 0; j < i; j++) {
            const ynode *earlier = map->pairs[j].key;
            if (earlier->kind == YNODE_SCALAR && ykey_matches(earlier->text, key->text, match)) {
                /* " as 'Targets'" when the first letter's case tells them apart */
                char as[80] = "";
                if (strcmp(earlier->text, key->text) != 0)
                    snprintf(as, sizeof as, " as '%.60s'", earlier->text);
                if (earlier->file != key->file && earlier->file != NULL) /* a base's key */
                    yerror(c, key, path, "duplicate key '%s' (first%s at %s:%ld)", key->text, as,
                           earlier->file, earlier->line0 + 1);
                else
                    yerror(c, key, path, "duplicate key '%s' (first%s at line %ld)", key->text,
                           as, earlier->line0 + 1);
                ok = false;
                break;
            }
        }
    }
    return ok;
}

const ynode *ymap_require(yctx *c, const ynode *map, const ypath *path, const char *key)
{
    const ynode *value = ymap_get(map, key);
    if (value == NULL)
        yerror(c, map, path, "missing required key '%s'", key);
    return value;
}

bool yexpect_sequence(yctx *c, const ynode *node, const ypath *path)
{
    if (node == NULL || node->kind != YNODE_SEQUENCE) {
        yerror(c, node, path, "expected a list, found %s", ynode_describe(node));
        return false;
    }
    return true;
}

/* ---- scalars ----------------------------------------------------------------------------- */

static bool expect_scalar(yctx *c, const ynode *node, const ypath *path, const char *what)
{
    if (node == NULL || node->kind != YNODE_SCALAR || ynode_is_null(node)) {
        yerror(c, node, path, "expected %s, found %s", what, ynode_describe(node));
        return false;
    }
    return true;
}

bool yget_string(yctx *c, const ynode *node, const ypath *path, char **out)
{
    if (!expect_scalar(c, node, path, "a string"))
        return false;
    /* Names and descriptions end up on terminals, in narration and in
     * reports: a YAML escape ("\e[2J") must not reach them as a control
     * sequence.  Tabs and line breaks (block scalars) are text. */
    for (const unsigned char *p = (const unsigned char *)node->text; *p != '\0'; p++) {
        if ((*p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7f) {
            yerror(c, node, path, "contains the control character U+%04X (character %zu)",
                   (unsigned)*p, (size_t)(p - (const unsigned char *)node->text) + 1);
            return false;
        }
    }
    char *copy = strdup(node->text);
    if (copy == NULL) {
        yerror(c, node, path, "out of memory");
        return false;
    }
    *out = copy;
    return true;
}

bool yget_integer(yctx *c, const ynode *node, const ypath *path, long long min, long long max,
                  long long *out)
{
    if (!expect_scalar(c, node, path, "a whole number"))
        return false;
    const char *text = node->text;
    char *end = NULL;
    errno = 0;
    long long value = strtoll(text, &end, 10);
    bool digits_only = end != text && *end == '\0' && errno != ERANGE;
    if (!digits_only) {
        /* 1e3 is a whole number too; 2.5, "two" and 1e400 are not */
        double real;
        if (duration_parse_number(text, &real) != 0 || real != floor(real)) {
            yerror(c, node, path, "'%s' is not a whole number", text);
            return false;
        }
        if (real < (double)min || real > (double)max) {
            yerror(c, node, path, "%s is out of range (%lld to %lld)", text, min, max);
            return false;
        }
        value = (long long)real;
    }
    if (value < min || value > max) {
        yerror(c, node, path, "%s is out of range (%lld to %lld)", text, min, max);
        return false;
    }
    *out = value;
    return true;
}

bool yget_uint64(yctx *c, const ynode *node, const ypath *path, uint64_t *out)
{
    if (!expect_scalar(c, node, path, "a whole number"))
        return false;
    const char *text = node->text;
    char *end = NULL;
    errno = 0;
    if (text[0] == '-' || text[0] == '+') {
        yerror(c, node, path, "'%s' is not a whole number from 0 to %llu", text,
               (unsigned long long)UINT64_MAX);
        return false;
    }
    unsigned long long value = strtoull(text, &end, 10);
    if (end == text || *end != '\0' || errno == ERANGE) {
        yerror(c, node, path, "'%s' is not a whole number from 0 to %llu", text,
               (unsigned long long)UINT64_MAX);
        return false;
    }
    *out = (uint64_t)value;
    return true;
}

bool yget_duration(yctx *c, const ynode *node, const ypath *path, double *seconds)
{
    if (!expect_scalar(c, node, path, "a duration"))
        return false;
    char err[256];
    double value;
    if (duration_parse(node->text, &value, err, sizeof err) != 0) {
        yerror(c, node, path, "%s", err);
        return false;
    }
    *seconds = value;
    return true;
}

bool yget_fraction(yctx *c, const ynode *node, const ypath *path, double *out)
{
    if (!expect_scalar(c, node, path, "a fraction or a percentage"))
        return false;
    const char *text = node->text;
    double value;
    if (duration_parse_fraction(text, &value) != 0) {
        yerror(c, node, path, "'%.60s' is not a fraction (0.9999) or a percentage (99.99%%)", text);
        return false;
    }
    if (!(value > 0.0 && value <= 1.0)) {
        yerror(c, node, path, "'%s' is outside (0, 1] (write 99.99%% or 0.9999)", text);
        return false;
    }
    *out = value;
    return true;
}

/* The directory of the file node was written in: the document's own, or a base's. */
const char *ydoc_directory_of(const ydoc *doc, const ynode *node)
{
    for (size_t i = 0; i < doc->n_bases; i++)
        if (node->file == doc->bases[i].file)
            return doc->bases[i].dir;
    return doc->dir;
}

bool yget_dist(yctx *c, const ynode *node, const ypath *path, dist *out)
{
    if (!expect_scalar(c, node, path, "a distribution such as exp(mean=10h)"))
        return false;
    char err[512];
    dist parsed;
    memset(&parsed, 0, sizeof parsed);
    if (dist_parse(node->text, &parsed, err, sizeof err) != 0) {
        yerror(c, node, path, "%s", err);
        return false;
    }
    if (dist_load_empirical(&parsed, ydoc_directory_of(c->doc, node), err, sizeof err) != 0) {
        yerror(c, node, path, "%s", err);
        dist_free(&parsed);
        return false;
    }
    *out = parsed;
    return true;
}

/* ---- planner edits ------------------------------------------------------------------------- */

/* The slot (a parent's pointer) that holds `item` under `node`, or NULL. */
static ynode **slot_of(ynode *node, const ynode *item)
{
    for (size_t i = 0; node->items != NULL && i < node->n; i++) {
        if (node->items[i] == item)
            return &node->items[i];
        ynode **found = slot_of(node->items[i], item);
        if (found != NULL)
            return found;
    }
    for (size_t i = 0; node->pairs != NULL && i < node->n; i++) {
        if (node->pairs[i].value == item)
            return &node->pairs[i].value;
        ynode **found = slot_of(node->pairs[i].value, item);
        if (found != NULL)
            return found;
    }
    return NULL;
}

bool ynode_replace_with_descendant(ynode *node, ynode *item)
{
    ynode **slot = slot_of(node, item);
    ynode *placeholder = calloc(1, sizeof *placeholder);
    if (slot == NULL || placeholder == NULL) {
        free(placeholder);
        return false;
    }
    placeholder->kind = YNODE_SCALAR;
    placeholder->file = item->file;
    placeholder->text = calloc(1, 1);
    if (placeholder->text == NULL) {
        free(placeholder);
        return false;
    }
    *slot = placeholder;
    ynode old = *node; /* the open mapping, now without item */
    *node = *item;
    free(item);
    ynode *old_copy = malloc(sizeof *old_copy);
    if (old_copy == NULL)
        return true; /* leaks the old subtree rather than lose the choice */
    *old_copy = old;
    ynode_free(old_copy);
    return true;
}

bool ynode_set_scalar(ynode *node, const char *text)
{
    char *copy = strdup(text);
    if (copy == NULL)
        return false;
    ynode old = *node;
    memset(node, 0, sizeof *node);
    node->kind = YNODE_SCALAR;
    node->file = old.file;
    node->line0 = old.line0;
    node->col0 = old.col0;
    node->plain = true;
    node->text = copy;
    ynode *old_copy = malloc(sizeof *old_copy);
    if (old_copy != NULL) {
        *old_copy = old;
        ynode_free(old_copy);
    }
    return true;
}

bool ynode_merge_choice(ynode *parent, size_t pair_index, size_t item)
{
    if (parent->kind != YNODE_MAPPING || pair_index >= parent->n)
        return false;
    ynode *open = parent->pairs[pair_index].value;
    ynode *list = (ynode *)ymap_get(open, "one_of");
    if (list == NULL || list->kind != YNODE_SEQUENCE || item >= list->n ||
        list->items[item]->kind != YNODE_MAPPING)
        return false;
    ynode *chosen = list->items[item];
    ynode *placeholder = calloc(1, sizeof *placeholder);
    if (placeholder == NULL || (placeholder->text = calloc(1, 1)) == NULL) {
        free(placeholder);
        return false;
    }
    placeholder->kind = YNODE_SCALAR;
    placeholder->file = chosen->file;
    list->items[item] = placeholder;
    /* the open pair goes; the chosen mapping's pairs take its place */
    ynode_free(parent->pairs[pair_index].key);
    ynode_free(open);
    memmove(&parent->pairs[pair_index], &parent->pairs[pair_index + 1],
            (parent->n - pair_index - 1) * sizeof *parent->pairs);
    parent->n--;
    ypair *grown = realloc(parent->pairs, (parent->n + chosen->n + 1) * sizeof *grown);
    if (grown == NULL) {
        ynode_free(chosen);
        return false;
    }
    parent->pairs = grown;
    for (size_t i = 0; i < chosen->n; i++) {
        ypair pair = chosen->pairs[i];
        size_t at = parent->n;
        for (size_t k = 0; k < parent->n; k++)
            if (pair.key->kind == YNODE_SCALAR && parent->pairs[k].key->kind == YNODE_SCALAR &&
                strcmp(pair.key->text, parent->pairs[k].key->text) == 0)
                at = k;
        if (at < parent->n) {
            ynode_free(parent->pairs[at].value);
            ynode_free(pair.key);
            parent->pairs[at].value = pair.value;
        } else {
            parent->pairs[parent->n++] = pair;
        }
    }
    free(chosen->pairs);
    free(chosen->text);
    free(chosen->tag);
    free(chosen);
    return true;
}

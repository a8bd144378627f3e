/* model — the table of models and what they share (include/model.h). */
#include <ctype.h>
#include <string.h>

#include "model.h"

const model_ops model_table[] = {
    {"regions", domain_parse, domain_init, domain_start},
    {"components", component_parse, component_init, component_start},
    {"service", service_parse, service_init, service_start},
};
const size_t model_table_size = sizeof model_table / sizeof model_table[0];

bool model_check_name(yctx *c, const ynode *node, const ypath *path, const char *name)
{
    size_t length = strlen(name);
    if (length == 0 || length > 63) {
        yerror(c, node, path, "a name must have 1 to 63 characters");
        return false;
    }
    for (size_t i = 0; i < length; i++) {
        unsigned char ch = (unsigned char)name[i];
        if (!isalnum(ch) && ch != '-' && ch != '_' && ch != '.' && ch != ':') {
            yerror(c, node, path,
                   "name '%s' may hold only letters, digits, '-', '_', '.' and ':'", name);
            return false;
        }
    }
    return true;
}

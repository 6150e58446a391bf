/*
 * clipsums: the clip manifest, CLIP_DIR/SHA256SUMS, in sha256sum's format
 * ("<64 lowercase hex>  <name>", or " *<name>" for binary mode), one clip
 * per line, names as alert.h's clip names (no '/', no leading dot).  A pure
 * parser: the node's clip check (controller/clipcheck.c) and the hub's
 * catalogue (hub/signer.c) read the file themselves and hand the text here.
 */
#ifndef CX_CLIPSUMS_H
#define CX_CLIPSUMS_H

#include "common/alert.h"

#define CLIPSUMS_FILE "SHA256SUMS"
#define CLIPSUMS_MAX_FILES 1024
#define CLIPSUMS_MAX (256 * 1024)          /* bytes of a manifest */

/* One line (NUL-terminated, no newline) -> name, digest; 0 / -1. */
int clipsums_line(const char *l, char name[CLIP_NAME_MAX + 1], unsigned char md[32]);

/* Every line of text (modified: split in place) to fn, blank lines and a
 * trailing '\r' skipped; fn returns 0 or -1 to stop.  0 / -1 with why
 * (a malformed line, too many lines, or fn's -1). */
int clipsums_parse(char *text, int (*fn)(void *arg, const char *name,
    const unsigned char md[32]), void *arg, const char **why);

#endif

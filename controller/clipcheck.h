/*
 * clipcheck: are the node's clips what their manifest says?
 * CLIP_DIR/SHA256SUMS is in sha256sum's format ("<64 hex>  <name>", or
 * " *<name>" for binary mode), one clip per line, names without '/'.
 * Every listed file must exist and hash to its line.  No manifest (or no
 * clip directory at all): "none".
 *
 * clipcheck_run() hashes every file each time (a self-test); a struct
 * clipcheck remembers each file's size, mtime and verdict, so a periodic
 * check only hashes files that changed (the health heartbeat).
 */
#ifndef CX_CLIPCHECK_H
#define CX_CLIPCHECK_H

#include <stddef.h>
#include "common/clipsums.h"

#define CLIPCHECK_MANIFEST CLIPSUMS_FILE       /* its lines: common/clipsums.h */
#define CLIPCHECK_MAX_FILES CLIPSUMS_MAX_FILES
#define CLIPCHECK_MANIFEST_MAX CLIPSUMS_MAX    /* bytes */

enum clipcheck_result { CLIPCHECK_OK = 0, CLIPCHECK_BAD = 1, CLIPCHECK_NONE = 2 };

/* CLIPCHECK_OK, _BAD (*nbad files failed, or the manifest is unreadable or
 * malformed: *nbad 0; why says the first problem) or _NONE (no manifest,
 * why "no manifest").  why may be NULL. */
int clipcheck_run(const char *clip_dir, int *nbad, char *why, size_t whysz);

struct clipcheck;
struct clipcheck *clipcheck_new(void);            /* NULL: out of memory */
/* As clipcheck_run, rehashing only files whose size or mtime changed. */
int clipcheck_update(struct clipcheck *cc, const char *clip_dir, int *nbad, char *why,
    size_t whysz);
void clipcheck_free(struct clipcheck *cc);

/* The status word of a result: "ok", "bad", "none". */
const char *clipcheck_word(int result);

#endif

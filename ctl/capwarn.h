/*
 * capwarn: `warn --cap FILE.xml`: the warning built from a CAP 1.2 alert
 * (common/cap.h does the XML and the mapping), plus what only the CLI can
 * do: read the file, find each audio resource's clip file in the clip
 * directory, check it against the CAP <digest> (SHA-1) and pin it by its
 * SHA-256, and print what was dropped ("note: ...") on stderr.
 * Errors are printed as "cunxiangctl CMD: ..."; 0 or the exit code (cmd.h).
 */
#ifndef CX_CAPWARN_H
#define CX_CAPWARN_H

#include <stdint.h>

#include "common/alert.h"
#include "ctl/warnfields.h"

struct capwarn_opts {
	const char *path;          /* the CAP file, "-" for standard input */
	const char *lang;          /* --lang, or NULL */
	const char *clip_dir;      /* --clip-dir, or NULL: the CAP file's directory */
};

/* *a from the CAP file; f's --zone, --event and --id override the CAP
 * area, event and identifier; f's --expires is the lifetime of a CAP alert
 * without <expires>; f's --volume is kept.  a->play holds the CAP clips. */
int capwarn_alert(const char *cmd, const struct capwarn_opts *co, const struct warn_fields *f,
    int64_t now, struct alert *a);

#endif

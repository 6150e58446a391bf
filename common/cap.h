/*
 * cap: OASIS CAP 1.2 (urn:oasis:names:tc:emergency:cap:1.2) in and out.
 *
 * cap_parse() reads one CAP 1.2 alert from a buffer with libxml2 (no
 * network, no DTD, no entity expansion, at most CAP_MAX_BYTES), validates
 * it against the OASIS schema shipped in common/CAP-v1.2.xsd (embedded,
 * cap_xsd.c), and maps it to the fields of a warning body (common/alert.h).
 * Every error names the file, the line and the element.  What CAP has and
 * the body does not is either dropped (listed in r->notes, printed by the
 * CLI) or refused: docs/PROTOCOL.md "CAP 1.2" is the table of every choice.
 * The caller (the CLI) adds what a CAP file cannot say: the play list
 * (sirens, speech, the clips named by r->res after checking the files),
 * volume and repeat.
 *
 * cap_from_alert() writes a warning body as a CAP 1.2 alert that validates
 * against the same schema (cap_validate()).  Neither keeps state between
 * calls except the parsed schema (once per process).
 */
#ifndef CX_CAP_H
#define CX_CAP_H

#include <stddef.h>
#include <stdint.h>

#include "common/alert.h"
#include "common/err.h"

#define CAP_NS "urn:oasis:names:tc:emergency:cap:1.2"
#define CAP_MAX_BYTES (1u << 20)   /* a bigger file is refused unread */
#define CAP_MAX_NOTES 16
#define CAP_NOTE_MAX 160
#define CAP_LANG_MAX 35            /* RFC 5646 tags in practice */
#define CAP_ZONE_SCHEME "GB/T 2260" /* the geocode valueName we write */

struct cap_opts {
	const char *file;          /* for messages ("FILE:LINE: ...") */
	int64_t now;               /* Unix seconds: sent, expiry check */
	int64_t default_expires_s; /* a CAP alert without <expires>: now + this */
	const char *lang;          /* pick the <info> of this language; NULL: the only one */
	int zones_given;           /* the caller sets the zones: <area> is not read */
	int event_given;           /* the caller sets the event */
	int id_given;              /* the caller sets the id */
};

/* An audio <resource>: a clip the nodes hold, named by the uri's base name. */
struct cap_clip {
	char name[CLIP_NAME_MAX + 1];
	int has_sha1;
	uint8_t sha1[20];          /* CAP 1.2 <digest> is SHA-1 */
};

struct cap_result {
	struct alert a;            /* everything but play, repeat, volume */
	int nclips;
	struct cap_clip clips[ALERT_MAX_PLAY];
	int nnotes;
	char notes[CAP_MAX_NOTES][CAP_NOTE_MAX];
};

/* 0, or -1 with e naming file:line and element. */
int cap_parse(const uint8_t *xml, size_t len, const struct cap_opts *o, struct cap_result *r,
    struct cx_err *e);
/* Schema validation alone. */
int cap_validate(const uint8_t *xml, size_t len, const char *file, struct cx_err *e);
/* The warning as a CAP 1.2 alert (UTF-8, NUL-terminated); caller frees with
 * free().  lang: the <language> of its <info> (NULL: none, i.e. en-US). */
char *cap_from_alert(const struct alert *a, const char *lang, struct cx_err *e);

/* The schema text (common/CAP-v1.2.xsd, embedded by cap_xsd.c). */
extern const char cap_xsd[];
extern const size_t cap_xsd_len;

#endif

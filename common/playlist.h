/*
 * playlist: the play items shared by every signed body that plays clips
 * (the warning body, common/alert.h, and the schedule body,
 * common/schedule.h): one clip item {"clip": NAME, "sha256": HEX} read and
 * written the same way everywhere (docs/PROTOCOL.md section 5).
 *
 * Pure: no I/O.  Errors name the member, never echo body content.
 */
#ifndef CX_PLAYLIST_H
#define CX_PLAYLIST_H

#include "common/alert.h"
#include "common/err.h"
#include "common/json.h"

#define PLAYLIST_SHA256_HEX 64

/* it (an object with a "clip" member) into p: kind PLAY_CLIP, the name
 * checked by alert_clip_name_valid(), the digest 64 lowercase hex digits. */
int playlist_clip_parse(const cJSON *it, struct play_item *p, struct cx_err *e);
/* The members "clip" and "sha256" of clip p, added to object it; 0 / -1. */
int playlist_clip_add(cJSON *it, const struct play_item *p);

#endif

/*
 * memo: the node's short memories about messages, in memory only.
 *
 *  - recent: digests of the last MEMO_RECENT accepted payloads, so an exact
 *    copy (the same warning through two zone topics the node subscribes
 *    to, or a QoS 1 redelivery) is dropped without a rejection receipt,
 *    while the same id with other bytes is still a replay.
 *  - withdrawals: cancels and updates that arrived before the warning
 *    they name (MQTT orders messages per topic only); the warning, when
 *    it comes, is reported cancelled and never sounds (if the key that
 *    withdrew it could have sent it, and an update does not lower its
 *    status).
 */
#ifndef CX_MEMO_H
#define CX_MEMO_H

#include <stdint.h>
#include "common/alert.h"
#include "common/envelope.h"

#define MEMO_RECENT 64
#define MEMO_PRECANCEL 32
#define MEMO_PRECANCEL_REF 4               /* withdrawals kept for one warning */

/* A cancel or update whose warning has not come (yet). */
struct withdrawal {
	char kid[ENV_KID_MAX + 1];         /* the key that signed it */
	char by[ALERT_ID_MAX + 1];         /* its own id ("" if not known) */
	enum alert_type type;              /* AT_CANCEL or AT_UPDATE */
	enum alert_status status;
	int64_t until;                     /* wall seconds: its expiry */
};

struct memo {
	struct {
		char id[ALERT_ID_MAX + 1];
		uint8_t md[32];
	} recent[MEMO_RECENT];
	int nrecent, next_recent;
	struct {
		char ref[ALERT_ID_MAX + 1];
		struct withdrawal w;
	} pre[MEMO_PRECANCEL];
	int npre;
};

void memo_init(struct memo *m);
void memo_recent_add(struct memo *m, const char *id, const uint8_t md[32]);
int memo_recent_has(const struct memo *m, const char *id, const uint8_t md[32]);
/* Remember a withdrawal of ref until its expiry (w->until); the oldest goes
 * when full. */
void memo_precancel_add(struct memo *m, const char *ref, const struct withdrawal *w,
    int64_t now);
/* The withdrawals held for ref, oldest first, at most max; returns how many. */
int memo_precancel_list(const struct memo *m, const char *ref, struct withdrawal *out, int max);
/* 1 and *w if id was withdrawn before it came (that one forgotten then; call
 * again for the next one); 0 otherwise. */
int memo_precancel_take(struct memo *m, const char *id, int64_t now, struct withdrawal *w);

#endif

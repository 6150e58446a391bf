/*
 * memo: the node's short memories about messages, in memory only.
 *
 *  - recent: digests of the last MEMO_RECENT accepted payloads, so an exact
 *    copy (the same warning through two zone topics the node subscribes
 *    to, or a QoS 1 redelivery) is dropped without a rejection receipt,
 *    while the same id with other bytes is still a replay.
 *  - pre-cancels: cancels that arrived before the warning they cancel
 *    (MQTT orders messages per topic only); the warning, when it comes,
 *    is reported cancelled and never sounds.
 */
#ifndef CX_MEMO_H
#define CX_MEMO_H

#include <stdint.h>
#include "common/alert.h"
#include "common/envelope.h"

#define MEMO_RECENT 64
#define MEMO_PRECANCEL 32

struct memo {
	struct {
		char id[ALERT_ID_MAX + 1];
		uint8_t md[32];
	} recent[MEMO_RECENT];
	int nrecent, next_recent;
	struct {
		char ref[ALERT_ID_MAX + 1];
		char kid[ENV_KID_MAX + 1];
		int64_t until;             /* wall seconds: the cancel's expiry */
	} pre[MEMO_PRECANCEL];
	int npre;
};

void memo_init(struct memo *m);
void memo_recent_add(struct memo *m, const char *id, const uint8_t md[32]);
int memo_recent_has(const struct memo *m, const char *id, const uint8_t md[32]);
/* Remember a cancel of ref (signed by kid) until its expiry; the oldest
 * goes when full. */
void memo_precancel_add(struct memo *m, const char *ref, const char *kid, int64_t until,
    int64_t now);
/* 1 and the cancelling kid if id was cancelled before it came (forgotten
 * then); 0 otherwise. */
int memo_precancel_take(struct memo *m, const char *id, int64_t now, char *kid);

#endif

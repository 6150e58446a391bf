/*
 * trust: the node's trust store, and the scope checks made against it.
 *
 * trust_add() validates everything before it stores a key (id syntax,
 * algorithm, that the public key decodes and is of that algorithm, zone
 * and action lists, the validity window), so a store that loaded is a
 * store that can be relied on.  Lists are comma-separated; spaces around
 * items are ignored, empty items are errors.  The store owns its keys:
 * trust_free() releases them.
 */
#include <stdio.h>
#include <string.h>

#include "common/alert.h"
#include "common/trust.h"

#define LIST_ITEM_MAX 32           /* longer than any zone or action name */

static const struct {
	unsigned bit;
	const char *name;
} actions[] = {
	{ ACT_WARN, "warn" },
	{ ACT_CANCEL, "cancel" },
	{ ACT_DRILL, "drill" },
	{ ACT_TEST, "test" },
	{ ACT_SCHEDULE, "schedule" },
	{ ACT_POLICY, "policy" },
};
#define NACTIONS (sizeof(actions) / sizeof(actions[0]))

void
trust_init(struct trust *t)
{
	memset(t, 0, sizeof(*t));
}

/*
 * Next item of a comma-separated list at *p, spaces trimmed, into item.
 * Returns 1 with an item, 0 at the end of the list, -1 on an empty or
 * too-long item.
 */
static int
list_next(const char **p, char item[LIST_ITEM_MAX + 1])
{
	const char *s = *p, *end;
	size_t n;

	if (s == NULL)
		return 0;
	end = strchr(s, ',');
	n = end != NULL ? (size_t)(end - s) : strlen(s);
	*p = end != NULL ? end + 1 : NULL;
	while (n > 0 && *s == ' ') {
		s++;
		n--;
	}
	while (n > 0 && s[n - 1] == ' ')
		n--;
	if (n == 0 || n > LIST_ITEM_MAX)
		return -1;
	memcpy(item, s, n);
	item[n] = '\0';
	return 1;
}

int
action_parse_list(const char *csv, unsigned *mask, struct cx_err *e)
{
	char item[LIST_ITEM_MAX + 1];
	const char *p = csv;
	unsigned m = 0;
	size_t i;
	int r;

	if (csv == NULL || csv[0] == '\0')
		return cx_errf(e, "empty action list");
	while ((r = list_next(&p, item)) == 1) {
		for (i = 0; i < NACTIONS; i++)
			if (strcmp(item, actions[i].name) == 0)
				break;
		if (i == NACTIONS)
			return cx_errf(e, "unknown action \"%s\" (want warn, cancel, drill, test, schedule, policy)",
			    item);
		m |= actions[i].bit;
	}
	if (r < 0)
		return cx_errf(e, "empty or over-long item in action list");
	*mask = m;
	return 0;
}

const char *
action_name(unsigned one_action)
{
	size_t i;

	for (i = 0; i < NACTIONS; i++)
		if (actions[i].bit == one_action)
			return actions[i].name;
	return "none";
}

unsigned
alert_action(const struct alert *a)
{
	if (a->type == AT_CANCEL)
		return ACT_CANCEL;
	switch (a->status) {
	case ST_TEST:
		return ACT_TEST;
	case ST_EXERCISE:
		return ACT_DRILL;
	case ST_ACTUAL:
		return ACT_WARN;
	}
	return 0;                  /* no key holds action 0: refused */
}

static int
zones_parse_list(const char *csv, struct trust_key *k, struct cx_err *e)
{
	char item[LIST_ITEM_MAX + 1];
	const char *p = csv;
	int r, lv;

	if (csv == NULL || csv[0] == '\0')
		return cx_errf(e, "empty zone list");
	while ((r = list_next(&p, item)) == 1) {
		if (k->nzones == TRUST_MAX_ZONES)
			return cx_errf(e, "more than %d zones", TRUST_MAX_ZONES);
		if (zone_parse(item, k->zones[k->nzones], e) < 0)
			return -1;
		lv = zone_level(k->zones[k->nzones]);
		if (k->level == 0 || lv < k->level)
			k->level = lv;
		k->nzones++;
	}
	if (r < 0)
		return cx_errf(e, "empty or over-long item in zone list");
	return 0;
}

int
trust_add(struct trust *t, const char *kid, const char *alg, const char *pubkey_b64,
    const char *zones, const char *actions_csv, int64_t not_before, int64_t not_after,
    struct cx_err *e)
{
	struct trust_key k;
	const struct trust_key *twin;

	memset(&k, 0, sizeof(k));
	if (t->nkeys >= TRUST_MAX_KEYS)
		return cx_errf(e, "more than %d trusted keys", TRUST_MAX_KEYS);
	if (!msg_id_valid(kid))
		return cx_errf(e, "bad key id (want 1-%d of [A-Za-z0-9._:-])", ENV_KID_MAX);
	if (trust_find(t, kid) != NULL)
		return cx_errf(e, "key %s: duplicate key id", kid);
	if (sig_alg_parse(alg, &k.alg) < 0)
		return cx_errf(e, "key %s: unknown algorithm (want ed25519 or sm2-sm3)", kid);
	if (zones_parse_list(zones, &k, e) < 0 ||
	    action_parse_list(actions_csv, &k.actions, e) < 0)
		return cx_err_prefix(e, "key %s", kid);
	if (not_before < 0 || not_after < 0 ||
	    (not_before != 0 && not_after != 0 && not_after <= not_before))
		return cx_errf(e, "key %s: bad validity window", kid);
	if (pubkey_b64 == NULL)
		return cx_errf(e, "key %s: no public key", kid);
	if ((k.key = sig_key_from_public_b64(pubkey_b64, k.alg, e)) == NULL)
		return cx_err_prefix(e, "key %s", kid);
	if (trust_find_pubkey(t, k.key, &twin, e) < 0 || twin != NULL) {
		sig_key_free(k.key);
		if (twin == NULL)
			return cx_err_prefix(e, "key %s", kid);
		if (twin->line > 0)
			return cx_errf(e, "key %s has the same public key as key %s (line %d)", kid,
			    twin->kid, twin->line);
		return cx_errf(e, "key %s has the same public key as key %s", kid, twin->kid);
	}
	snprintf(k.kid, sizeof(k.kid), "%s", kid);
	k.not_before = not_before;
	k.not_after = not_after;
	t->keys[t->nkeys++] = k;
	return 0;
}

const struct trust_key *
trust_find(const struct trust *t, const char *kid)
{
	int i;

	if (kid == NULL)
		return NULL;
	for (i = 0; i < t->nkeys; i++)
		if (strcmp(t->keys[i].kid, kid) == 0)
			return &t->keys[i];
	return NULL;
}

/* Keys compare by their canonical encoding (base64 of the SPKI DER that
 * sig_key_public_b64() re-encodes), so two spellings of one key are one key. */
int
trust_find_pubkey(const struct trust *t, const struct sig_key *key,
    const struct trust_key **twin, struct cx_err *e)
{
	char a[SIG_PUB_B64_MAX], b[SIG_PUB_B64_MAX];
	int i;

	*twin = NULL;
	if (sig_key_public_b64(key, a, sizeof(a), e) < 0)
		return -1;
	for (i = 0; i < t->nkeys; i++) {
		if (sig_key_public_b64(t->keys[i].key, b, sizeof(b), e) < 0)
			return -1;
		if (strcmp(a, b) == 0) {
			*twin = &t->keys[i];
			return 0;
		}
	}
	return 0;
}

void
trust_free(struct trust *t)
{
	int i;

	for (i = 0; i < t->nkeys; i++)
		sig_key_free(t->keys[i].key);
	trust_init(t);
}

int
trust_key_covers(const struct trust_key *k, const char *z)
{
	int i;

	for (i = 0; i < k->nzones; i++)
		if (zone_covers(k->zones[i], z))
			return 1;
	return 0;
}

/*
 * A cancel or update withdraws another warning: the key that signed it must
 * be allowed that warning's own action (a drill key cannot withdraw a real
 * warning) and cover every zone of it (a township cannot silence another
 * township), and an update may not lower the status (actual -> exercise).
 */
int
trust_may_withdraw(const struct trust_key *k, const struct alert *msg, const struct alert *old,
    struct cx_err *e)
{
	unsigned need = alert_action(old);
	int i;

	if (k == NULL)
		return cx_errf(e, "unknown-key: the key is not in the trust store");
	if (need == 0 || (k->actions & need) == 0)
		return cx_errf(e, "action-scope: key %s may not %s, so it may not withdraw %s",
		    k->kid, action_name(need), old->id);
	for (i = 0; i < old->nzones; i++)
		if (!trust_key_covers(k, old->zones[i]))
			return cx_errf(e, "zone-scope: key %s does not cover zone %s of %s", k->kid,
			    old->zones[i], old->id);
	if (msg->type == AT_UPDATE && msg->status > old->status)
		return cx_errf(e, "downgrade: an %s update cannot replace an %s warning",
		    alert_status_name(msg->status), alert_status_name(old->status));
	return 0;
}

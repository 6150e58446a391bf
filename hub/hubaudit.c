/*
 * hubaudit: hub_audit() and the signed head (see hubaudit.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/envelope.h"
#include "common/log.h"
#include "hub/hub.h"
#include "hub/hubaudit.h"
#include "hub/hubfile.h"
#include "hub/store.h"

static int
write_head(struct hub *h, const struct audit_rec *r, struct cx_err *e)
{
	char line[128], path[HUBCONF_PATH_MAX + 32];
	uint8_t *sealed;
	size_t n;
	int rc;

	snprintf(line, sizeof(line), "%" PRIu64 " %s\n", r->seq, r->hash);
	snprintf(path, sizeof(path), "%s/%s", h->conf->state_dir, AUDIT_HEAD_FILE);
	if (envelope_seal(h->key, h->conf->id, (const uint8_t *)line, strlen(line), &sealed, &n,
	    e) < 0)
		return -1;
	rc = hubfile_write(path, sealed, n, e);
	free(sealed);
	return rc;
}

static int
append(struct hub *h, const char *actor, const char *action, const char *subject,
    const char *detail, struct cx_err *e)
{
	struct audit_rec r;

	if (store_audit_append(h->store, clock_wall_ms(), actor, action, subject, detail, &r, e)
	    < 0 || write_head(h, &r, e) < 0)
		return -1;
	h->audit_known = 1;
	h->audit_seq = r.seq;
	snprintf(h->audit_hash, sizeof(h->audit_hash), "%s", r.hash);
	return 0;
}

/* The log altered under the hub: say so in the log itself, never re-sign
 * the altered chain silently. */
static void
broken(struct hub *h, const char *why)
{
	struct cx_err e;

	log_warnx("audit log altered: %s", why);
	if (append(h, h->conf->id, AUDIT_BROKEN, h->conf->id, why, &e) < 0)
		log_warnx("audit %s: %s", AUDIT_BROKEN, e.msg);
}

/*
 * The log ends past the head the hub signed last: did another process
 * holding the hub's key (the account commands, hub/acctcmd.c) append and
 * sign?  Then the head on disk names the log's end, with a valid
 * signature, and the chain verifies to it: adopt it.  1 adopted, 0 not.
 */
static int
adopt_head(struct hub *h, uint64_t seq, const char *hash)
{
	char path[HUBCONF_PATH_MAX + 32], hh[AUDIT_HASH_HEX + 1], why[256], *buf;
	uint64_t hs;
	size_t n;
	int rc;

	if (seq <= h->audit_seq)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", h->conf->state_dir, AUDIT_HEAD_FILE);
	if (hubfile_read(path, AUDIT_HEAD_MAX, &buf, &n, NULL) < 0)
		return 0;
	rc = hubaudit_head_parse((const uint8_t *)buf, n, h->key, &hs, hh, NULL);
	free(buf);
	if (rc < 0 || hs != seq || strcmp(hh, hash) != 0
	    || store_audit_verify(h->store, hs, hh, why, sizeof(why), NULL) != 0)
		return 0;
	log_info("audit: records %" PRIu64 "-%" PRIu64 " appended and signed by another process"
	    " with the hub's key", h->audit_seq + 1, seq);
	h->audit_seq = seq;
	snprintf(h->audit_hash, sizeof(h->audit_hash), "%s", hash);
	return 1;
}

/* Does the log still end where the hub's last signed head said? */
static void
check_tail(struct hub *h)
{
	char hash[AUDIT_HASH_HEX + 1], why[256];
	uint64_t seq;
	struct cx_err e;

	if (!h->audit_known)
		return;
	if (store_audit_last(h->store, &seq, hash, &e) < 0) {
		log_warnx("audit: %s", e.msg);
		return;
	}
	if ((seq == h->audit_seq && strcmp(hash, h->audit_hash) == 0) || adopt_head(h, seq, hash))
		return;
	snprintf(why, sizeof(why), "the log ends at record %" PRIu64 " (%.16s...), the head the "
	    "hub signed last is record %" PRIu64 " (%.16s...)", seq, hash, h->audit_seq,
	    h->audit_hash);
	broken(h, why);
}

int
hub_audit(struct hub *h, const char *actor, const char *action, const char *subject,
    const char *detail)
{
	struct cx_err e;

	check_tail(h);
	if (append(h, actor, action, subject, detail, &e) < 0) {
		log_warnx("audit %s %s: %s", action, subject, e.msg);
		return -1;
	}
	return 0;
}

int
hubaudit_open(struct hub *h)
{
	char path[HUBCONF_PATH_MAX + 32], hash[AUDIT_HASH_HEX + 1], why[256], *buf;
	uint64_t seq, last;
	struct cx_err e;
	size_t n;
	int rc;

	h->audit_known = 0;
	if (store_audit_last(h->store, &last, hash, &e) < 0) {
		log_warnx("audit: %s", e.msg);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s", h->conf->state_dir, AUDIT_HEAD_FILE);
	if (hubfile_read(path, AUDIT_HEAD_MAX, &buf, &n, &e) < 0) {
		if (last == 0)
			return 0;              /* a new hub: no log, no head */
		snprintf(why, sizeof(why), "%" PRIu64 " records but no signed head (%.160s)",
		    last, e.msg);
		broken(h, why);
		return 0;
	}
	rc = hubaudit_head_parse((const uint8_t *)buf, n, h->key, &seq, hash, &e);
	free(buf);
	if (rc < 0) {
		broken(h, e.msg);
		return 0;
	}
	h->audit_known = 1;
	h->audit_seq = seq;
	snprintf(h->audit_hash, sizeof(h->audit_hash), "%s", hash);
	rc = store_audit_verify(h->store, seq, hash, why, sizeof(why), &e);
	if (rc < 0)
		log_warnx("audit: %s", e.msg);
	else if (rc > 0) {
		h->audit_known = 0;            /* said once here, not again per append */
		broken(h, why);
	}
	return 0;
}

int
hubaudit_head_parse(const uint8_t *p, size_t n, const struct sig_key *pub, uint64_t *seq,
    char hash[AUDIT_HASH_HEX + 1], struct cx_err *e)
{
	struct envelope env;
	char line[128];
	unsigned long long s;
	int used = 0;

	if (envelope_parse(p, n, &env, e) < 0)
		return cx_err_prefix(e, "audit head");
	if (envelope_verify(&env, pub) < 0)
		return cx_errf(e, "audit head: bad signature (not the hub's key)");
	if (env.bodylen >= sizeof(line))
		return cx_errf(e, "audit head: too long");
	memcpy(line, env.body, env.bodylen);
	line[env.bodylen] = '\0';
	if (sscanf(line, "%llu %64[0-9a-f]\n%n", &s, hash, &used) != 2 || used != (int)env.bodylen
	    || strlen(hash) != AUDIT_HASH_HEX)
		return cx_errf(e, "audit head: not \"SEQ HASH\"");
	*seq = s;
	return 0;
}

int
hubaudit_verify(struct store *s, const char *state_dir, const struct sig_key *key, char *why,
    size_t whysz, struct cx_err *e)
{
	char path[HUBCONF_PATH_MAX + 32], hash[AUDIT_HASH_HEX + 1], *buf;
	uint64_t seq;
	size_t n;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", state_dir, AUDIT_HEAD_FILE);
	if (hubfile_read(path, AUDIT_HEAD_MAX, &buf, &n, e) < 0)
		return -1;
	rc = hubaudit_head_parse((const uint8_t *)buf, n, key, &seq, hash, e);
	free(buf);
	if (rc < 0)
		return -1;
	return store_audit_verify(s, seq, hash, why, whysz, e);
}

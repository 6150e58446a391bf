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

int
hub_audit(struct hub *h, const char *actor, const char *action, const char *subject,
    const char *detail)
{
	struct audit_rec r;
	struct cx_err e;

	if (store_audit_append(h->store, clock_wall_ms(), actor, action, subject, detail, &r, &e)
	    < 0 || write_head(h, &r, &e) < 0) {
		log_warnx("audit %s %s: %s", action, subject, e.msg);
		return -1;
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

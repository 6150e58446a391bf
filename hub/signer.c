/*
 * signer: the township key, its scope and the clip catalogue (signer.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/clipsums.h"
#include "common/trust.h"
#include "common/verify.h"
#include "hub/hubfile.h"
#include "hub/signer.h"

struct signer {
	struct sig_key *key;               /* private, owned */
	struct trust trust;                /* one key: the public half, zones, actions */
	int nclips;
	struct signer_clip *clips;
};

/* The private key, refused when group or others may read or write it. */
static struct sig_key *
load_key(const char *path, struct cx_err *e)
{
	struct sig_key *k;
	struct stat st;

	if (stat(path, &st) < 0) {
		cx_errf(e, "[signer] key %s: %s", path, strerror(errno));
		return NULL;
	}
	if (st.st_mode & 077) {
		cx_errf(e, "[signer] key %s: group or others may read it (mode %04o): "
		    "only the hub's user may (chmod 600)", path, (unsigned)(st.st_mode & 07777));
		return NULL;
	}
	if ((k = sig_key_load_private(path, e)) == NULL)
		cx_err_prefix(e, "[signer] key %s", path);
	return k;
}

static int
add_clip(void *arg, const char *name, const unsigned char md[32])
{
	struct signer *s = arg;
	struct signer_clip *c;

	if (signer_clip_find(s, name) != NULL)
		return -1;
	c = &s->clips[s->nclips++];
	snprintf(c->name, sizeof(c->name), "%s", name);
	memcpy(c->sha256, md, 32);
	return 0;
}

static int
load_clips(struct signer *s, const char *dir, struct cx_err *e)
{
	char path[HUBCONF_PATH_MAX + 16], *text;
	const char *why;
	size_t n;

	if (dir[0] == '\0')
		return 0;
	snprintf(path, sizeof(path), "%s/%s", dir, CLIPSUMS_FILE);
	if (hubfile_read(path, CLIPSUMS_MAX, &text, &n, e) < 0)
		return cx_err_prefix(e, "[signer] clip_dir");
	if ((s->clips = calloc(CLIPSUMS_MAX_FILES, sizeof(*s->clips))) == NULL) {
		free(text);
		return cx_errf(e, "out of memory");
	}
	if (clipsums_parse(text, add_clip, s, &why) < 0) {
		free(text);
		return cx_errf(e, "%s: %s", path, strcmp(why, "stopped") == 0 ?
		    "a clip is listed twice" : why);
	}
	free(text);
	return 0;
}

struct signer *
signer_open(const struct hub_config *c, struct cx_err *e)
{
	char pub[SIG_PUB_B64_MAX];
	struct signer *s;

	e->msg[0] = '\0';
	if (c->signer_key[0] == '\0')
		return NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		cx_errf(e, "out of memory");
		return NULL;
	}
	trust_init(&s->trust);
	if ((s->key = load_key(c->signer_key, e)) == NULL
	    || sig_key_public_b64(s->key, pub, sizeof(pub), e) < 0
	    || trust_add(&s->trust, c->signer_kid, sig_alg_name(sig_key_alg(s->key)), pub,
	    c->signer_zones, c->signer_actions, 0, 0, e) < 0
	    || load_clips(s, c->signer_clip_dir, e) < 0) {
		if (strncmp(e->msg, "[signer]", 8) != 0)
			cx_err_prefix(e, "[signer]");
		signer_free(s);
		return NULL;
	}
	return s;
}

void
signer_free(struct signer *s)
{
	if (s == NULL)
		return;
	sig_key_free(s->key);
	trust_free(&s->trust);
	free(s->clips);
	free(s);
}

const char *
signer_kid(const struct signer *s)
{
	return s->trust.keys[0].kid;
}

const struct sig_key *
signer_key(const struct signer *s)
{
	return s->key;
}

int
signer_check(const struct signer *s, const struct alert *a, const struct alert *old,
    struct cx_err *e)
{
	const struct trust_key *k = &s->trust.keys[0];
	struct verify_ctx ctx = { .trust = &s->trust };
	enum verify_result r;
	struct cx_err d;

	if (a->nzones == 0)
		return cx_errf(e, "zone-scope: no zone");
	ctx.node_zone = a->zones[0];       /* a node there: addressed to it */
	r = verify_scope(&ctx, k, (const char (*)[ZONE_MAX + 1])a->zones, a->nzones,
	    alert_action(a), &d);
	if (r != VR_OK)
		return cx_errf(e, "%s: %s", verify_result_name(r), d.msg);
	if (a->type != AT_ALERT && old != NULL)
		return trust_may_withdraw(k, a, old, e);
	return 0;
}

int
signer_nclips(const struct signer *s)
{
	return s->nclips;
}

const struct signer_clip *
signer_clip(const struct signer *s, int i)
{
	return i >= 0 && i < s->nclips ? &s->clips[i] : NULL;
}

const struct signer_clip *
signer_clip_find(const struct signer *s, const char *name)
{
	int i;

	for (i = 0; i < s->nclips; i++)
		if (strcmp(s->clips[i].name, name) == 0)
			return &s->clips[i];
	return NULL;
}

cJSON *
signer_json(const struct signer *s)
{
	const struct trust_key *k = &s->trust.keys[0];
	cJSON *o = cJSON_CreateObject(), *z, *a;
	unsigned bit;
	int i;

	if (o == NULL || cJSON_AddStringToObject(o, "kid", k->kid) == NULL
	    || (z = cJSON_AddArrayToObject(o, "zones")) == NULL
	    || (a = cJSON_AddArrayToObject(o, "actions")) == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	for (i = 0; i < k->nzones; i++)
		cJSON_AddItemToArray(z, cJSON_CreateString(k->zones[i]));
	for (bit = 1; bit <= ACT_TEST; bit <<= 1)
		if (k->actions & bit)
			cJSON_AddItemToArray(a, cJSON_CreateString(action_name(bit)));
	return o;
}

/*
 * capwarn: a warning from a CAP 1.2 file (see capwarn.h).
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "audio/clip.h"
#include "common/cap.h"
#include "ctl/args.h"
#include "ctl/capwarn.h"
#include "ctl/cmd.h"

static int
read_all(const char *cmd, const char *path, uint8_t **buf, size_t *len)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t cap = CAP_MAX_BYTES + 1, n = 0, k;

	if (fp == NULL)
		return args_fail(cmd, EXIT_CONFIG, "%s: %s", path, strerror(errno));
	if ((*buf = malloc(cap)) == NULL) {
		if (fp != stdin)
			fclose(fp);
		return args_fail(cmd, EXIT_CONFIG, "out of memory");
	}
	while (n < cap && (k = fread(*buf + n, 1, cap - n, fp)) > 0)
		n += k;
	if (fp != stdin)
		fclose(fp);
	if (n > CAP_MAX_BYTES) {
		free(*buf);
		return args_fail(cmd, EXIT_CONFIG, "%s: more than %u bytes", path, CAP_MAX_BYTES);
	}
	*len = n;
	return 0;
}

static int
file_sha1(const char *path, uint8_t out[20])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	FILE *fp = fopen(path, "rb");
	uint8_t buf[8192];
	unsigned int olen = 0;
	size_t k;
	int rc = -1;

	if (md != NULL && fp != NULL && EVP_DigestInit_ex(md, EVP_sha1(), NULL) == 1) {
		while ((k = fread(buf, 1, sizeof buf, fp)) > 0)
			if (EVP_DigestUpdate(md, buf, k) != 1)
				break;
		if (!ferror(fp) && EVP_DigestFinal_ex(md, out, &olen) == 1 && olen == 20)
			rc = 0;
	}
	if (fp != NULL)
		fclose(fp);
	EVP_MD_CTX_free(md);
	return rc;
}

/* The clips named by the CAP resources, found in dir, into a->play. */
static int
pin_clips(const char *cmd, const char *dir, const struct cap_result *r, struct alert *a)
{
	char path[CTL_PATH_MAX * 2];
	uint8_t sha1[20];
	struct cx_err e;
	int i;

	for (i = 0; i < r->nclips; i++) {
		struct play_item *p = &a->play[a->nplay];
		if (snprintf(path, sizeof path, "%s/%s", dir, r->clips[i].name) >= (int)sizeof path)
			return args_usage_error(cmd, "--clip-dir: path too long");
		memset(p, 0, sizeof *p);
		if (file_sha256(path, p->sha256, &e) != 0)
			return args_fail(cmd, EXIT_CONFIG, "the CAP resource %s: %s (the clip must "
			    "be in --clip-dir, the same file the nodes hold)", r->clips[i].name, e.msg);
		if (r->clips[i].has_sha1 && (file_sha1(path, sha1) != 0 ||
		    memcmp(sha1, r->clips[i].sha1, 20) != 0))
			return args_fail(cmd, EXIT_CONFIG, "%s: its SHA-1 is not the CAP <digest>: "
			    "not the file the alert names", path);
		p->kind = PLAY_CLIP;
		memcpy(p->name, r->clips[i].name, sizeof p->name);
		a->nplay++;
	}
	return 0;
}

static void
overrides(const struct warn_fields *f, struct alert *a)
{
	if (f->nzones > 0) {
		a->nzones = f->nzones;
		memcpy(a->zones, f->zones, sizeof a->zones);
	}
	if (f->event != NULL)
		snprintf(a->event, sizeof a->event, "%s", f->event);
	if (f->id != NULL)
		snprintf(a->id, sizeof a->id, "%s", f->id);
	a->volume = f->volume;
}

int
capwarn_alert(const char *cmd, const struct capwarn_opts *co, const struct warn_fields *f,
    int64_t now, struct alert *a)
{
	struct cap_opts o = { co->path, now, f->expires_s, co->lang, f->nzones > 0,
	    f->event != NULL, f->id != NULL };
	char dirbuf[CTL_PATH_MAX * 4];
	struct cap_result *r;
	struct cx_err e;
	uint8_t *buf = NULL;
	size_t len = 0;
	int i, rc;

	if (f->event != NULL && strlen(f->event) > ALERT_EVENT_MAX)
		return args_usage_error(cmd, "--event is at most %d bytes", ALERT_EVENT_MAX);
	if ((rc = read_all(cmd, co->path, &buf, &len)) != 0)
		return rc;
	if ((r = calloc(1, sizeof *r)) == NULL) {
		free(buf);
		return args_fail(cmd, EXIT_CONFIG, "out of memory");
	}
	if (cap_parse(buf, len, &o, r, &e) != 0) {
		rc = args_fail(cmd, EXIT_CONFIG, "%s", e.msg);
		goto out;
	}
	for (i = 0; i < r->nnotes; i++)
		fprintf(stderr, "cunxiangctl %s: note: %s\n", cmd, r->notes[i]);
	*a = r->a;
	overrides(f, a);
	snprintf(dirbuf, sizeof dirbuf, "%s", co->path);
	rc = pin_clips(cmd, co->clip_dir ? co->clip_dir : strcmp(co->path, "-") == 0 ? "." :
	    dirname(dirbuf), r, a);
out:
	free(r);
	free(buf);
	return rc;
}

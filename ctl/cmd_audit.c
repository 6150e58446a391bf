/*
 * cmd_audit: check the hub's audit log end to end.
 *
 *   cunxiangctl audit [-c ctl.conf] verify
 *
 * Fetches the signed head (state_dir/audit.head: "SEQ HASH", in an
 * envelope signed by the hub's key) and then every record after it was
 * read, checks the head's signature with [hub] key and the chain with
 * common/audit.c: every record's hash, every link to the one before, no
 * gap, and the last record is the one the head names.  An edit, a
 * deletion in the middle and a deletion at the end are all found.
 * Records appended after the head was read are not judged.
 * Exit: 0 intact, 4 broken (the record named), 2 config, 3 hub error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/audit.h"
#include "common/b64.h"
#include "common/envelope.h"
#include "ctl/args.h"
#include "ctl/cmd.h"
#include "ctl/hubcmd.h"

#define CMD "audit"
#define AUDIT_HEAD_MAX 1024

struct head {
	uint64_t seq;
	char hash[AUDIT_HASH_HEX + 1];
	char kid[ENV_KID_MAX + 1];
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: cunxiangctl audit [-c ctl.conf] verify\n"
	    "  Fetches the hub's audit log and its signed head, checks the head's\n"
	    "  signature with [hub] key and every record's hash and link.\n"
	    "  Exit: 0 intact, 4 broken (the record is named), 1 usage, 2 config,\n"
	    "  3 hub unreachable or error.\n");
}

/* The head object of the first page: signature, then "SEQ HASH". 0 / -1. */
static int
head_check(const cJSON *head, const struct sig_key *k, struct head *hd, struct cx_err *e)
{
	const char *b64 = hubcmd_str(head, "signed");
	uint8_t buf[AUDIT_HEAD_MAX];
	char body[AUDIT_HEAD_MAX + 1], extra;
	unsigned long long seq;
	struct envelope env;
	size_t n;

	if (b64[0] == '\0')
		return cx_errf(e, "the hub has no signed audit head");
	if (b64_decode(b64, strlen(b64), buf, sizeof buf, &n) != 0)
		return cx_errf(e, "the audit head is not base64");
	if (envelope_parse(buf, n, &env, e) != 0)
		return cx_err_prefix(e, "the audit head is not signed");
	if (envelope_verify(&env, k) != 0)
		return cx_errf(e, "the audit head's signature (key id %s) does not verify with "
		    "[hub] key", env.kid);
	memcpy(body, env.body, env.bodylen);
	body[env.bodylen] = '\0';
	if (sscanf(body, "%llu %64[0-9a-f]%c", &seq, hd->hash, &extra) != 3 || extra != '\n' ||
	    strlen(hd->hash) != AUDIT_HASH_HEX)
		return cx_errf(e, "the signed audit head is not \"SEQ HASH\"");
	hd->seq = seq;
	snprintf(hd->kid, sizeof hd->kid, "%s", env.kid);
	return 0;
}

/* Append the records of one page to *v; the last seq seen in *last. */
static int
take_records(const cJSON *page, struct audit_rec **v, size_t *n, uint64_t *last)
{
	const cJSON *r;
	struct audit_rec *a;

	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(page, "records")) {
		if ((a = realloc(*v, (*n + 1) * sizeof **v)) == NULL)
			return -1;
		*v = a;
		a = &a[(*n)++];
		memset(a, 0, sizeof *a);
		a->seq = (uint64_t)hubcmd_int(r, "seq", 0);
		a->time_ms = hubcmd_int(r, "time_ms", 0);
		a->actor = hubcmd_str(r, "actor");
		a->action = hubcmd_str(r, "action");
		a->subject = hubcmd_str(r, "subject");
		a->detail = hubcmd_str(r, "detail");
		snprintf(a->prev, sizeof a->prev, "%s", hubcmd_str(r, "prev"));
		snprintf(a->hash, sizeof a->hash, "%s", hubcmd_str(r, "hash"));
		*last = a->seq;
	}
	return 0;
}

/* Every page, kept (the records point into them); the first one's head. */
static int
fetch(struct hubc *h, cJSON *pages, struct audit_rec **v, size_t *n, struct cx_err *e)
{
	uint64_t after = 0, prev_after;
	char path[64];
	cJSON *page;
	int status;

	do {
		snprintf(path, sizeof path, "/api/audit?after=%llu", (unsigned long long)after);
		if ((page = hubc_get_json(h, path, &status, e)) == NULL)
			return -1;
		cJSON_AddItemToArray(pages, page);
		prev_after = after;
		if (take_records(page, v, n, &after) != 0)
			return cx_errf(e, "out of memory");
	} while (hubcmd_bool(page, "more") && after > prev_after);
	return 0;
}

static int
verify(struct hubc *h, const struct sig_key *k)
{
	cJSON *pages = cJSON_CreateArray();
	struct audit_rec *v = NULL;
	char why[256];
	struct head hd;
	struct cx_err e;
	size_t n = 0, keep;
	int rc;

	if (pages == NULL)
		return args_fail(CMD, EXIT_HUB, "out of memory");
	if (fetch(h, pages, &v, &n, &e) != 0) {
		rc = args_fail(CMD, EXIT_HUB, "%s", e.msg);
	} else if (head_check(cJSON_GetObjectItemCaseSensitive(pages->child, "head"), k, &hd,
	    &e) != 0) {
		rc = args_fail(CMD, EXIT_NODE_FAILED, "audit log NOT verified: %s", e.msg);
	} else {
		/* records appended after the head was read are past it */
		for (keep = 0; keep < n && v[keep].seq <= hd.seq; keep++)
			;
		if (audit_verify(v, keep, hd.seq, hd.hash, why, sizeof why) != 0) {
			rc = args_fail(CMD, EXIT_NODE_FAILED, "audit log BROKEN: %s", why);
		} else {
			printf("audit log intact: %llu records, head %s signed by %s\n",
			    (unsigned long long)hd.seq, hd.hash, hd.kid);
			rc = EXIT_OK;
		}
	}
	free(v);
	cJSON_Delete(pages);
	return rc;
}

int
cmd_audit(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf = NULL;
	struct ctl_config c;
	struct hubc *h;
	int ch, rc;

	args_begin();
	while ((ch = getopt_long(argc, argv, "c:h", lo, NULL)) != -1) {
		switch (ch) {
		case 'c': conf = optarg; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: return EXIT_USAGE;
		}
	}
	if (optind >= argc || strcmp(argv[optind], "verify") != 0)
		return args_usage_error(CMD, "the only subcommand is 'verify'");
	if (optind + 1 != argc)
		return args_usage_error(CMD, "unexpected argument '%s'", argv[optind + 1]);
	if ((rc = hubcmd_open(CMD, conf, &c, &h)) != EXIT_OK)
		return rc;
	if (c.hub_key == NULL)
		rc = args_fail(CMD, EXIT_CONFIG, "%s: [hub] key (the hub's public key) is needed "
		    "to check the audit head", c.path);
	else
		rc = verify(h, c.hub_key);
	hubcmd_close(&c, h);
	return rc;
}

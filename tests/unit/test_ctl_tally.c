/*
 * test_ctl_tally: what `cunxiangctl receipts` and `warn --wait` print and
 * exit with, over real signed receipts (ed25519) and a ctl.conf made in
 * memory (two enrolled nodes).
 *   - verified, tampered, unknown-node and other-warning receipts: the
 *     summary, one row each, unverified rows apart, exit 5 (one silent)
 *   - an acknowledged receipt: ACK column and "N acknowledged", JSON
 *     acknowledged/ack_by/ack_time; the device state shown is unchanged
 *   - a warning cancelled on one node and replaced by an update on the
 *     other: their own classes, "superseded" in the table, exit 7
 *   - a cancel: the old warning cancelled is a success, the cancel's own
 *     rejection a failure (exit 4)
 *   - no zone: the nodes that answered are expected, never complete
 *   - a node outside the target zones that answered counts, marked
 *   - a rejection naming the payload by digest is matched
 *   - unreadable and other-warning messages counted, never shown
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <regex.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "common/envelope.h"
#include "common/receipt.h"
#include "ctl/tally.h"

#define WID "test-ed-1"
#define ZA "430682101201"
#define ZB "430682101202"

static struct ctl_config conf;
static struct ctl_node nodes[2];
static struct sig_key *rogue;

static int
setup(void **state)
{
	(void)state;
	memset(&conf, 0, sizeof conf);
	snprintf(conf.prefix, sizeof conf.prefix, "cx");
	snprintf(nodes[0].id, sizeof nodes[0].id, "village-201");
	snprintf(nodes[0].zone, sizeof nodes[0].zone, ZA);
	snprintf(nodes[1].id, sizeof nodes[1].id, "village-202");
	snprintf(nodes[1].zone, sizeof nodes[1].zone, ZB);
	nodes[0].key = sig_key_generate(SIG_ED25519, NULL);
	nodes[1].key = sig_key_generate(SIG_ED25519, NULL);
	rogue = sig_key_generate(SIG_ED25519, NULL);
	conf.nodes = nodes;
	conf.nnodes = 2;
	return nodes[0].key && nodes[1].key && rogue ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	sig_key_free(nodes[0].key);
	sig_key_free(nodes[1].key);
	sig_key_free(rogue);
	return 0;
}

struct rc_opts {
	const char *by;
	const char *reason;
	const char *digest;
	const struct sig_key *key;   /* NULL: the node's own */
	int tamper;
};

/* Feed one receipt of node about ref, signed as the node does. */
static void
feed_opt(struct tally *t, const char *node, const char *ref, uint64_t seq, enum rstate st,
    const struct rc_opts *o)
{
	const struct ctl_node *n = ctlconf_find_node(&conf, node);
	struct cx_err e = { "" };
	struct receipt r;
	char topic[128], *body;
	uint8_t *p;
	size_t len;

	memset(&r, 0, sizeof r);
	snprintf(r.node, sizeof r.node, "%s", node);
	r.seq = seq;
	r.time = 1795345260000LL + (int64_t)seq * 1000;
	snprintf(r.ref, sizeof r.ref, "%s", ref);
	r.state = st;
	snprintf(r.status, sizeof r.status, "actual");
	if (o != NULL && o->by != NULL)
		snprintf(r.by, sizeof r.by, "%s", o->by);
	if (o != NULL && o->reason != NULL)
		snprintf(r.reason, sizeof r.reason, "%s", o->reason);
	if (o != NULL && o->digest != NULL)
		snprintf(r.digest, sizeof r.digest, "%s", o->digest);
	if ((body = receipt_to_json(&r, &e)) == NULL)
		fail_msg("%s", e.msg);
	if (envelope_seal(o != NULL && o->key != NULL ? o->key : n != NULL ? n->key : rogue,
	    node, (uint8_t *)body, strlen(body), &p, &len, &e) < 0)
		fail_msg("%s", e.msg);
	if (o != NULL && o->tamper) {
		char *s = strstr((char *)p, "\"seq\":");
		assert_non_null(s);
		s[6] = s[6] == '9' ? '8' : '9';
	}
	snprintf(topic, sizeof topic, "cx/node/%s/receipt", node);
	tally_feed(t, topic, p, len);
	free(body);
	free(p);
}

static void
feed(struct tally *t, const char *node, const char *ref, uint64_t seq, enum rstate st)
{
	feed_opt(t, node, ref, seq, st, NULL);
}

/* The text output, caller frees. */
static char *
text(const struct tally *t)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	assert_non_null(f);
	tally_print_text(t, f);
	fclose(f);
	return buf;
}

static cJSON *
json(const struct tally *t)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	cJSON *o;

	assert_non_null(f);
	assert_int_equal(tally_print_json(t, f, NULL), 0);
	fclose(f);
	assert_true(n > 0 && strchr(buf, '\n') == buf + n - 1);   /* one line */
	o = cJSON_Parse(buf);
	free(buf);
	assert_non_null(o);
	return o;
}

static double
num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	assert_true(cJSON_IsNumber(v));
	return v->valuedouble;
}

/* The row of node (verified or not) in the text: its line, copied. */
static void
row(const char *out, const char *node, const char *marker, char *line, size_t sz)
{
	const char *s = out, *e;

	while ((s = strstr(s, node)) != NULL) {
		if ((s == out || s[-1] == '\n') && s[strlen(node)] == ' ') {
			e = strchr(s, '\n');
			snprintf(line, sz, "%.*s", (int)(e - s), s);
			if (marker == NULL || strstr(line, marker) != NULL)
				return;
		}
		s++;
	}
	fail_msg("no row for %s (%s) in:\n%s", node, marker ? marker : "", out);
}

/* 1 if line matches the extended regex re. */
static int
like(const char *line, const char *re)
{
	regex_t rx;
	int rc;

	assert_int_equal(regcomp(&rx, re, REG_EXTENDED | REG_NOSUB), 0);
	rc = regexec(&rx, line, 0, NULL, 0) == 0;
	regfree(&rx);
	if (!rc)
		print_error("'%s' does not match '%s'\n", line, re);
	return rc;
}

static struct tally *
new_tally(const char *id, const char *ref, enum tally_mode m)
{
	struct cx_err e = { "" };
	struct tally *t = tally_new(&conf, id, ref, m, &e);

	if (t == NULL)
		fail_msg("%s", e.msg);
	return t;
}

static void
test_receipts_mixed(void **state)
{
	struct tally *t = new_tally(WID, NULL, TALLY_WARN);
	struct rc_opts tampered = { .tamper = 1 }, forged = { .key = NULL };
	char line[512], *out;
	cJSON *o;

	(void)state;
	assert_int_equal(tally_add_zone(t, ZA, NULL), 0);
	assert_int_equal(tally_add_zone(t, ZB, NULL), 0);
	feed(t, "village-201", WID, 3, RS_RECEIVED);
	feed(t, "village-201", WID, 5, RS_DONE);
	feed_opt(t, "village-201", WID, 9, RS_FAILED, &tampered);
	feed_opt(t, "rogue-9", WID, 1, RS_DONE, &forged);
	feed(t, "village-201", "other-warning", 7, RS_FAILED);
	assert_false(tally_complete(t));
	assert_int_equal(tally_exit_code(t), EXIT_SILENT);
	out = text(t);
	assert_non_null(strstr(out, "warning test-ed-1: 2 expected, 1 confirmed, 0 failed, "
	    "1 silent, 0 in progress, 2 UNVERIFIED\n"));
	assert_null(strstr(out, "acknowledged"));
	assert_non_null(strstr(out, "SEQ  ACK     VERIFIED  REASON"));
	row(out, "village-201", " yes ", line, sizeof line);
	assert_true(like(line, " done +3 .* actual +5  - +yes *$"));
	row(out, "village-201", "UNVERIFIED", line, sizeof line);
	assert_true(like(line, " failed +4 .* 8  - +NO +UNVERIFIED \\(bad signature\\)$"));
	row(out, "rogue-9", NULL, line, sizeof line);
	assert_true(like(line, " NO +UNVERIFIED \\(unknown node\\)$"));
	row(out, "village-202", NULL, line, sizeof line);
	assert_true(like(line, "^village-202 +" ZB " +silent +0 +- +- +- +- +- *$"));
	assert_null(strstr(out, "other-warning"));
	free(out);

	o = json(t);
	assert_int_equal(num(o, "expected"), 2);
	assert_int_equal(num(o, "confirmed"), 1);
	assert_int_equal(num(o, "silent"), 1);
	assert_int_equal(num(o, "unverified"), 2);
	assert_int_equal(num(o, "acknowledged"), 0);
	assert_int_equal(num(o, "other_receipts"), 1);
	assert_int_equal(num(o, "exit"), 5);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "nodes")), 4);
	cJSON_Delete(o);
	tally_free(t);
}

static void
test_acknowledged(void **state)
{
	struct tally *t = new_tally(WID, NULL, TALLY_WARN);
	struct rc_opts button = { .by = "button" }, local = { .by = "local" };
	const cJSON *n;
	char line[512], *out;
	cJSON *o;

	(void)state;
	tally_add_zone(t, ZA, NULL);
	tally_add_zone(t, ZB, NULL);
	feed(t, "village-201", WID, 3, RS_PLAYING);
	feed_opt(t, "village-201", WID, 4, RS_ACKNOWLEDGED, &button);
	feed_opt(t, "village-202", WID, 2, RS_ACKNOWLEDGED, &local);
	assert_false(tally_complete(t));
	out = text(t);
	assert_non_null(strstr(out, "warning test-ed-1: 2 expected, 0 confirmed, 0 failed, 1 silent, "
	    "1 in progress, 2 acknowledged\n"));
	row(out, "village-201", NULL, line, sizeof line);
	assert_true(like(line, " playing +2 .* 3  button  yes *$"));   /* not replaced by the ack */
	row(out, "village-202", NULL, line, sizeof line);
	assert_true(like(line, " silent +0 .* -  local   - *$"));   /* a person, no device answer */
	free(out);
	feed(t, "village-201", WID, 5, RS_DONE);
	feed(t, "village-202", WID, 3, RS_DONE);
	assert_true(tally_complete(t));
	assert_int_equal(tally_exit_code(t), EXIT_CONFIRMED);
	o = json(t);
	assert_int_equal(num(o, "acknowledged"), 2);
	n = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "nodes"), 0);
	assert_string_equal(cJSON_GetObjectItem(n, "node")->valuestring, "village-201");
	assert_string_equal(cJSON_GetObjectItem(n, "state")->valuestring, "done");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(n, "acknowledged")));
	assert_string_equal(cJSON_GetObjectItem(n, "ack_by")->valuestring, "button");
	assert_int_equal(num(n, "ack_time"), 1795345260000LL + 4000);
	cJSON_Delete(o);
	tally_free(t);
}

static void
test_withdrawn(void **state)
{
	struct tally *t = new_tally(WID, NULL, TALLY_WARN);
	struct rc_opts cancelled = { .reason = "cancelled by cancel-1" },
	    updated = { .reason = RECEIPT_UPDATED_BY "update-1" };
	char line[512], *out;
	const cJSON *n;
	cJSON *o;

	(void)state;
	tally_add_zone(t, ZA, NULL);
	tally_add_zone(t, ZB, NULL);
	feed(t, "village-201", WID, 3, RS_PLAYING);
	feed_opt(t, "village-201", WID, 4, RS_CANCELLED, &cancelled);
	feed_opt(t, "village-202", WID, 2, RS_CANCELLED, &updated);
	assert_true(tally_complete(t));
	assert_int_equal(tally_exit_code(t), EXIT_WITHDRAWN);
	out = text(t);
	assert_non_null(strstr(out, "warning test-ed-1: 2 expected, 0 confirmed, 0 failed, 0 silent, "
	    "0 in progress, 1 cancelled, 1 superseded by an update\n"));
	row(out, "village-201", NULL, line, sizeof line);
	assert_true(like(line, " cancelled +5 .* cancelled by cancel-1$"));
	row(out, "village-202", NULL, line, sizeof line);
	assert_true(like(line, " superseded +5 .* updated by update-1$"));
	free(out);
	o = json(t);
	assert_int_equal(num(o, "cancelled"), 1);
	assert_int_equal(num(o, "superseded"), 1);
	assert_int_equal(num(o, "failed"), 0);
	assert_int_equal(num(o, "exit"), EXIT_WITHDRAWN);
	n = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "nodes"), 1);
	assert_string_equal(cJSON_GetObjectItem(n, "state")->valuestring, "cancelled");
	assert_string_equal(cJSON_GetObjectItem(n, "class")->valuestring, "superseded");
	cJSON_Delete(o);
	/* a failure elsewhere still wins */
	feed(t, "village-202", WID, 1, RS_FAILED);    /* older: changes nothing */
	assert_int_equal(tally_exit_code(t), EXIT_WITHDRAWN);
	feed(t, "village-202", WID, 9, RS_FAILED);
	assert_int_equal(tally_exit_code(t), EXIT_NODE_FAILED);
	tally_free(t);
}

static void
test_cancel(void **state)
{
	struct tally *t = new_tally("cancel-1", "warn-1", TALLY_CANCEL);
	struct rc_opts why = { .reason = "no such warning" };
	cJSON *o;

	(void)state;
	tally_add_zone(t, ZA, NULL);
	tally_add_zone(t, ZB, NULL);
	feed(t, "village-201", "warn-1", 4, RS_PLAYING);
	feed(t, "village-201", "warn-1", 5, RS_CANCELLED);
	assert_false(tally_complete(t));
	feed(t, "village-202", "cancel-1", 2, RS_DONE);
	assert_true(tally_complete(t));
	assert_int_equal(tally_exit_code(t), EXIT_CONFIRMED);
	feed_opt(t, "village-202", "cancel-1", 1, RS_REJECTED, &why);   /* older, still a failure */
	assert_int_equal(tally_exit_code(t), EXIT_NODE_FAILED);
	o = json(t);
	assert_string_equal(cJSON_GetObjectItem(o, "cancels")->valuestring, "warn-1");
	assert_int_equal(num(o, "confirmed"), 1);
	assert_int_equal(num(o, "failed"), 1);
	cJSON_Delete(o);
	tally_free(t);
}

static void
test_no_zone(void **state)
{
	struct tally *t = new_tally(WID, NULL, TALLY_WARN);
	char *out;

	(void)state;
	assert_int_equal(tally_exit_code(t), EXIT_SILENT);   /* nobody answered */
	out = text(t);
	assert_string_equal(out, "warning test-ed-1: 0 expected, 0 confirmed, 0 failed, 0 silent, "
	    "0 in progress\n(no --zone given: nodes that said nothing cannot be listed as silent)\n");
	free(out);
	feed(t, "village-202", WID, 1, RS_PLAYING);
	assert_int_equal(tally_exit_code(t), EXIT_PENDING);
	feed(t, "village-202", WID, 2, RS_DONE);
	assert_int_equal(tally_exit_code(t), EXIT_CONFIRMED);
	assert_false(tally_complete(t));   /* waits the whole timeout */
	out = text(t);
	assert_non_null(strstr(out, "1 expected, 1 confirmed"));
	free(out);
	tally_free(t);
}

static void
test_outside_zones(void **state)
{
	struct tally *t = new_tally(WID, NULL, TALLY_WARN);
	struct rc_opts why = { .reason = "zone-scope" };
	char line[512], *out;

	(void)state;
	tally_add_zone(t, ZA, NULL);
	feed(t, "village-201", WID, 1, RS_DONE);
	feed(t, "village-202", WID, 1, RS_DONE);
	assert_true(tally_complete(t));
	assert_int_equal(tally_exit_code(t), EXIT_CONFIRMED);
	out = text(t);
	assert_non_null(strstr(out, "1 expected, 2 confirmed, 0 failed"));
	row(out, "village-202", NULL, line, sizeof line);
	assert_true(like(line, " done +3 .* yes +not in the target zones$"));
	free(out);
	feed_opt(t, "village-202", WID, 2, RS_REJECTED, &why);
	assert_int_equal(tally_exit_code(t), EXIT_NODE_FAILED);
	out = text(t);
	row(out, "village-202", NULL, line, sizeof line);
	assert_non_null(strstr(line, "not in the target zones; zone-scope"));
	free(out);
	tally_free(t);

	/* zones given, nobody enrolled there */
	t = new_tally(WID, NULL, TALLY_WARN);
	tally_add_zone(t, "430682102", NULL);
	out = text(t);
	assert_non_null(strstr(out, "(no node enrolled in ctl.conf is in the target zones)"));
	free(out);
	assert_int_equal(tally_add_zone(t, "4306", NULL), 0);
	assert_int_equal(tally_add_zone(t, "12345", NULL), -1);
	tally_free(t);
}

/* A command to one node (selftest NODE --wait): its neighbours in the zone
 * are not expected, so they are not silent. */
static void
test_one_node(void **state)
{
	struct tally *t = new_tally(WID, NULL, TALLY_WARN);
	struct cx_err e = { "" };
	char *out;

	(void)state;
	assert_int_equal(tally_add_node(t, "430682101", "village-202", &e), 0);
	assert_false(tally_complete(t));
	feed(t, "village-202", WID, 1, RS_DONE);
	assert_true(tally_complete(t));
	assert_int_equal(tally_exit_code(t), EXIT_CONFIRMED);
	out = text(t);
	assert_non_null(strstr(out, "1 expected, 1 confirmed, 0 failed, 0 silent"));
	assert_null(strstr(out, "village-201"));
	free(out);
	assert_int_equal(tally_add_node(t, "430682101", "village-999", &e), -1);
	assert_non_null(strstr(e.msg, "village-999 is not enrolled"));
	tally_free(t);
}

static void
test_digest_and_unreadable(void **state)
{
	static const uint8_t payload[] = "CX1 ed25519 township x\n{}";
	struct tally *t = new_tally(WID, NULL, TALLY_WARN);
	struct rc_opts d = { .reason = "bad envelope" };
	uint8_t md[EVP_MAX_MD_SIZE];
	char hex[17];
	cJSON *o;
	int i;

	(void)state;
	tally_add_zone(t, ZA, NULL);
	assert_int_equal(tally_add_payload(t, payload, sizeof payload - 1), 0);
	EVP_Digest(payload, sizeof payload - 1, md, NULL, EVP_sha256(), NULL);
	for (i = 0; i < 8; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	d.digest = hex;
	feed_opt(t, "village-201", "", 1, RS_REJECTED, &d);
	assert_true(tally_complete(t));
	assert_int_equal(tally_exit_code(t), EXIT_NODE_FAILED);
	tally_feed(t, "cx/node/village-201/receipt", (const uint8_t *)"junk", 4);
	tally_feed(t, "cx/node/village-201/status", payload, sizeof payload - 1);
	tally_feed(t, "cx/alert/43", payload, sizeof payload - 1);
	o = json(t);
	assert_int_equal(num(o, "unreadable"), 3);
	assert_int_equal(num(o, "failed"), 1);
	cJSON_Delete(o);
	tally_free(t);
	assert_null(tally_new(&conf, "bad id", NULL, TALLY_WARN, NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_receipts_mixed),
		cmocka_unit_test(test_acknowledged),
		cmocka_unit_test(test_withdrawn),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_no_zone),
		cmocka_unit_test(test_one_node),
		cmocka_unit_test(test_outside_zones),
		cmocka_unit_test(test_digest_and_unreadable),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

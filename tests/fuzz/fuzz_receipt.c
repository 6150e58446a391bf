/*
 * fuzz_receipt: receipt_parse() and status_parse() (common/receipt.c) and
 * the status's "schedules" (status_sched_read(), common/status_sched.c) on
 * arbitrary bytes; every input goes through all three.  These parse what other
 * nodes publish (supervision, cunxiangctl), so they face untrusted bytes.
 *
 * Checks: a refusal comes with a message; an accepted receipt or status
 * round-trips (receipt_to_json / status_to_json accept it, and parsing
 * their output gives the same struct and the same JSON again); "code"
 * agrees with "state"; "schedules" read round-trips through
 * status_sched_add() to the same struct, and a status status_parse()
 * accepts never has "schedules" status_sched_read() refuses.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/receipt.h"
#include "common/status_sched.h"
#include "common/zone.h"
#include "tests/fuzz/fuzz_util.h"

static void
receipt_roundtrip(const struct receipt *r)
{
	struct cx_err e = { "" };
	struct receipt *b = malloc(sizeof(*b));
	char *j, *j2;

	if (b == NULL)
		abort();
	FUZZ_CHECK((unsigned)r->state < RS_COUNT);
	FUZZ_CHECK(node_id_valid(r->node));
	FUZZ_CHECK(r->nedges >= 0 && r->nedges <= RECEIPT_MAX_EDGES);
	j = receipt_to_json(r, &e);
	if (j == NULL)
		fprintf(stderr, "receipt_to_json refused a parsed receipt: %s\n", e.msg);
	FUZZ_CHECK(j != NULL);
	if (receipt_parse((const uint8_t *)j, strlen(j), b, &e) < 0)
		fprintf(stderr, "receipt_parse refused receipt_to_json output: %s\n%s\n", e.msg, j);
	FUZZ_CHECK(receipt_parse((const uint8_t *)j, strlen(j), b, &e) == 0);
	FUZZ_CHECK(memcmp(r, b, sizeof(*r)) == 0);
	j2 = receipt_to_json(b, &e);
	FUZZ_CHECK(j2 != NULL && strcmp(j, j2) == 0);
	free(j2);
	free(j);
	free(b);
}

static void
status_roundtrip(const struct node_status *s)
{
	struct cx_err e = { "" };
	struct node_status b;
	char *j, *j2;

	FUZZ_CHECK(node_id_valid(s->node));
	FUZZ_CHECK(zone_level(s->zone) > 0);
	FUZZ_CHECK(s->online == 0 || s->online == 1);
	j = status_to_json(s, &e);
	if (j == NULL)
		fprintf(stderr, "status_to_json refused a parsed status: %s\n", e.msg);
	FUZZ_CHECK(j != NULL);
	if (status_parse((const uint8_t *)j, strlen(j), &b, &e) < 0)
		fprintf(stderr, "status_parse refused status_to_json output: %s\n%s\n", e.msg, j);
	FUZZ_CHECK(status_parse((const uint8_t *)j, strlen(j), &b, &e) == 0);
	FUZZ_CHECK(memcmp(s, &b, sizeof(*s)) == 0);
	j2 = status_to_json(&b, &e);
	FUZZ_CHECK(j2 != NULL && strcmp(j, j2) == 0);
	free(j2);
	free(j);
}

static void
sched_roundtrip(const struct status_scheds *ss)
{
	struct status_scheds *b = calloc(1, sizeof(*b));
	struct cx_err e = { "" };
	cJSON *root = cJSON_CreateObject();
	char *j;

	if (b == NULL || root == NULL)
		abort();
	FUZZ_CHECK(status_sched_check(ss, &e) == 0);
	FUZZ_CHECK(status_sched_add(root, ss) == 0);
	j = cJSON_PrintUnformatted(root);
	FUZZ_CHECK(j != NULL && strlen(j) <= STATUS_SCHED_JSON_MAX);
	if (status_sched_read((const uint8_t *)j, strlen(j), b, &e) != 1)
		fprintf(stderr, "status_sched_read refused status_sched_add output: %s\n%s\n", e.msg, j);
	FUZZ_CHECK(status_sched_read((const uint8_t *)j, strlen(j), b, &e) == 1);
	FUZZ_CHECK(memcmp(ss, b, sizeof(*ss)) == 0);
	free(j);
	cJSON_Delete(root);
	free(b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cx_err e = { "" };
	struct receipt *r = malloc(sizeof(*r));
	struct status_scheds *ss;
	struct node_status s;
	int ok, rc;

	if (r == NULL)
		abort();
	if (receipt_parse(data, size, r, &e) == 0)
		receipt_roundtrip(r);
	else
		FUZZ_CHECK(e.msg[0] != '\0');
	e.msg[0] = '\0';
	if ((ok = status_parse(data, size, &s, &e) == 0))
		status_roundtrip(&s);
	else
		FUZZ_CHECK(e.msg[0] != '\0');
	if ((ss = calloc(1, sizeof(*ss))) == NULL)
		abort();
	e.msg[0] = '\0';
	rc = status_sched_read(data, size, ss, &e);
	if (rc == 1)
		sched_roundtrip(ss);
	else if (rc < 0)
		FUZZ_CHECK(!ok && e.msg[0] != '\0');
	free(ss);
	free(r);
	return 0;
}

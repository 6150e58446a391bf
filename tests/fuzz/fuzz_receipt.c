/*
 * fuzz_receipt: receipt_parse() and status_parse() (common/receipt.c) on
 * arbitrary bytes; every input goes through both.  These parse what other
 * nodes publish (supervision, cunxiangctl), so they face untrusted bytes.
 *
 * Checks: a refusal comes with a message; an accepted receipt or status
 * round-trips (receipt_to_json / status_to_json accept it, and parsing
 * their output gives the same struct and the same JSON again); "code"
 * agrees with "state".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/receipt.h"
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cx_err e = { "" };
	struct receipt *r = malloc(sizeof(*r));
	struct node_status s;

	if (r == NULL)
		abort();
	if (receipt_parse(data, size, r, &e) == 0)
		receipt_roundtrip(r);
	else
		FUZZ_CHECK(e.msg[0] != '\0');
	e.msg[0] = '\0';
	if (status_parse(data, size, &s, &e) == 0)
		status_roundtrip(&s);
	else
		FUZZ_CHECK(e.msg[0] != '\0');
	free(r);
	return 0;
}

/*
 * test_common_audit: the audit hash chain (common/audit.h): an intact chain
 * verifies; an edited record, a record deleted in the middle, records
 * deleted at the end (the head says more) and a head not matching are all
 * found, and say which record.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "common/audit.h"

#define N 10

static struct audit_rec recs[N];
static char details[N][32];

/* A chain of N records, each hashed over the one before. */
static void
build(void)
{
	int i;

	for (i = 0; i < N; i++) {
		memset(&recs[i], 0, sizeof(recs[i]));
		recs[i].seq = (uint64_t)i + 1;
		recs[i].time_ms = 1700000000000LL + i;
		recs[i].actor = "hub-1";
		recs[i].action = "warning";
		recs[i].subject = "w-1";
		snprintf(details[i], sizeof(details[i]), "zones=43 n=%d", i);
		recs[i].detail = details[i];
		if (i == 0)
			memset(recs[i].prev, '0', AUDIT_HASH_HEX);
		else
			memcpy(recs[i].prev, recs[i - 1].hash, AUDIT_HASH_HEX + 1);
		assert_int_equal(audit_hash(&recs[i], recs[i].hash), 0);
	}
}

static void test_known_hash(void **state)
{
	struct audit_rec r = { .seq = 1, .time_ms = 5, .actor = "a", .action = "b",
		.subject = "c", .detail = "d" };
	char h[AUDIT_HASH_HEX + 1];

	(void)state;
	memset(r.prev, '0', AUDIT_HASH_HEX);
	assert_int_equal(audit_hash(&r, h), 0);
	/* printf '%064d\n1\n5\na\nb\nc\nd' 0 | sha256sum */
	assert_string_equal(h, "26e86708ab653dca8e2e35ae7423905de17e3aa314deafe564bf5447e6069b34");
}

static void test_intact(void **state)
{
	char why[160] = "";

	(void)state;
	build();
	assert_int_equal(audit_verify(recs, N, N, recs[N - 1].hash, why, sizeof(why)), 0);
	assert_int_equal(audit_verify(recs, 0, 0, "0000000000000000000000000000000000000000000000000000000000000000", why, sizeof(why)), 0);
}

static void test_edit_found(void **state)
{
	char why[160] = "";

	(void)state;
	build();
	recs[4].detail = "zones=44 n=4";          /* someone rewrote record 5 */
	assert_int_equal(audit_verify(recs, N, N, recs[N - 1].hash, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "record 5"));
	assert_non_null(strstr(why, "edited"));
}

static void test_edit_rehashed_found(void **state)
{
	char why[160] = "";

	(void)state;
	build();
	recs[4].detail = "zones=44 n=4";          /* ... and recomputed its hash */
	audit_hash(&recs[4], recs[4].hash);
	assert_int_equal(audit_verify(recs, N, N, recs[N - 1].hash, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "record 6"));
}

static void test_delete_middle_found(void **state)
{
	char why[160] = "";

	(void)state;
	build();
	memmove(&recs[6], &recs[7], 3 * sizeof(recs[0]));   /* record 7 deleted */
	assert_int_equal(audit_verify(recs, N - 1, N, recs[N - 2].hash, why, sizeof(why)), -1);
	assert_string_equal(why, "record 7 missing");
}

static void test_delete_end_found(void **state)
{
	char why[160] = "";

	(void)state;
	build();
	/* the last two records removed: only the signed head can tell */
	assert_int_equal(audit_verify(recs, N - 2, N, recs[N - 1].hash, why, sizeof(why)), -1);
	assert_string_equal(why, "head says 10 records, the log ends at 8");
}

static void test_head_hash_mismatch(void **state)
{
	char why[160] = "";

	(void)state;
	build();
	assert_int_equal(audit_verify(recs, N, N, recs[N - 2].hash, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "head"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_hash),
		cmocka_unit_test(test_intact),
		cmocka_unit_test(test_edit_found),
		cmocka_unit_test(test_edit_rehashed_found),
		cmocka_unit_test(test_delete_middle_found),
		cmocka_unit_test(test_delete_end_found),
		cmocka_unit_test(test_head_hash_mismatch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

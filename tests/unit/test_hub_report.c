/*
 * test_hub_report: the report of a roll-call (hub/report.h): one node done
 * and acknowledged by a person, one failed with its reason, one silent, a
 * forged answer never listed; JSON with per-zone verdicts and counts, CSV
 * (quoted reasons) and text made from the JSON; the envelope verifies with
 * the hub's key; a body that is not a report is refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/envelope.h"
#include "hub/report.h"

#define T 1700000000000LL

static void
answer(struct rollcall *rc, const char *node, uint64_t seq, enum rstate st, const char *reason,
    int verified)
{
	struct receipt r;

	memset(&r, 0, sizeof(r));
	snprintf(r.node, sizeof(r.node), "%s", node);
	r.seq = seq;
	r.time = T + (int64_t)seq;
	snprintf(r.ref, sizeof(r.ref), "w-1");
	r.state = st;
	snprintf(r.reason, sizeof(r.reason), "%s", reason);
	if (st == RS_ACKNOWLEDGED)
		snprintf(r.by, sizeof(r.by), "button");
	assert_int_equal(rollcall_receipt(rc, &r, NULL, verified, verified ? NULL : "bad signature"),
	    1);
}

static struct rollcall *
sample(void)
{
	struct cx_err e = { "" };
	struct rollcall *rc = rollcall_new("w-1", NULL, ROLLCALL_WARN, &e);

	assert_non_null(rc);
	assert_int_equal(rollcall_add_zone(rc, "430682101"), 0);
	assert_int_equal(rollcall_expect(rc, "v-201", "430682101201", 0), 0);
	assert_int_equal(rollcall_expect(rc, "v-202", "430682101202", 0), 0);
	assert_int_equal(rollcall_expect(rc, "v-203", "430682101203", 0), 0);
	answer(rc, "v-201", 1, RS_RECEIVED, "", 1);
	answer(rc, "v-201", 2, RS_DONE, "", 1);
	answer(rc, "v-201", 3, RS_ACKNOWLEDGED, "", 1);
	answer(rc, "v-202", 1, RS_FAILED, "clip missing: \"flood.opus\", not in clip_dir", 1);
	answer(rc, "v-203", 9, RS_DONE, "", 0);          /* forged */
	rollcall_set_deadline_passed(rc, 1);
	return rc;
}

static const struct report_meta meta = { .hub = "hub-1", .at = "T+2", .time_ms = T + 120000,
	.sent_ms = T, .status = "actual" };

static void test_json(void **state)
{
	struct cx_err e = { "" };
	struct rollcall *rc = sample();
	char *j = report_json(rc, &meta, &e);

	(void)state;
	assert_non_null(j);
	assert_non_null(strstr(j, "\"kind\":\"report\",\"hub\":\"hub-1\",\"ref\":\"w-1\","
	    "\"at\":\"T+2\",\"time\":1700000120000,\"sent\":1700000000000,\"status\":\"actual\","
	    "\"verdict\":\"failed\""));
	assert_non_null(strstr(j, "\"zones\":[{\"zone\":\"430682101\",\"verdict\":\"failed\","
	    "\"expected\":3,\"done\":1,\"failed\":1,\"rejected\":0,\"silent\":1,\"offline\":0,"
	    "\"acknowledged\":1,\"pending\":0,\"cancelled\":0,\"superseded\":0}]"));
	assert_non_null(strstr(j, "\"unverified\":1"));
	/* worst first: failed, silent, done; the forged answer is not a row */
	assert_true(strstr(j, "\"node\":\"v-202\"") < strstr(j, "\"node\":\"v-203\""));
	assert_true(strstr(j, "\"node\":\"v-203\"") < strstr(j, "\"node\":\"v-201\""));
	assert_non_null(strstr(j, "{\"node\":\"v-203\",\"zone\":\"430682101203\","
	    "\"class\":\"silent\",\"state\":\"\""));
	assert_non_null(strstr(j, "{\"node\":\"v-201\",\"zone\":\"430682101201\","
	    "\"class\":\"done\",\"state\":\"done\",\"reason\":\"\",\"time\":1700000000002,"
	    "\"acknowledged\":true,\"ack_time\":1700000000003}"));
	assert_null(strstr(j + (strstr(j, "v-203") - j) + 5, "v-203"));
	free(j);
	rollcall_free(rc);
}

static void test_csv_and_text(void **state)
{
	struct cx_err e = { "" };
	struct rollcall *rc = sample();
	char *j = report_json(rc, &meta, &e), *csv, *txt;

	(void)state;
	csv = report_csv((uint8_t *)j, strlen(j), &e);
	assert_non_null(csv);
	assert_string_equal(csv,
	    "warning,at,node,zone,class,state,reason,time_ms,acknowledged\r\n"
	    "w-1,T+2,v-202,430682101202,failed,failed,\"clip missing: \"\"flood.opus\"\", not in "
	    "clip_dir\",1700000000001,no\r\n"
	    "w-1,T+2,v-203,430682101203,silent,,,0,no\r\n"
	    "w-1,T+2,v-201,430682101201,done,done,,1700000000002,yes\r\n");
	txt = report_text((uint8_t *)j, strlen(j), &e);
	assert_non_null(txt);
	assert_non_null(strstr(txt, "Report T+2 of warning w-1 (actual), hub hub-1, "
	    "2023-11-14 22:15:20 UTC\n"));
	assert_non_null(strstr(txt, "Verdict: failed (incomplete); expected 3: done 1, failed 1, rejected 0, "
	    "silent 1, offline 0, pending 0; acknowledged by a person 1\n"));
	assert_non_null(strstr(txt, "  failed   v-202 (430682101202): clip missing"));
	assert_non_null(strstr(txt, "  silent   v-203 (430682101203)\n"));
	assert_non_null(strstr(txt, "  done     v-201 (430682101201), acknowledged by a person\n"));
	free(txt);
	{
		/* with a zone-name directory: the names beside the codes */
		static const char zcsv[] = "code,name\n430682101,忠防镇\n430682101202,西湾村\n";
		struct zonedir *zd = zonedir_parse("z.csv", zcsv, sizeof zcsv - 1, &e);

		assert_non_null(zd);
		txt = report_text_named((uint8_t *)j, strlen(j), zd, &e);
		assert_non_null(txt);
		assert_non_null(strstr(txt, "\nZone 430682101 忠防镇: failed; "));
		assert_non_null(strstr(txt, "  failed   v-202 (430682101202 西湾村): clip missing"));
		assert_non_null(strstr(txt, "  silent   v-203 (430682101203)\n"));   /* not listed */
		free(txt);
		zonedir_free(zd);
	}
	free(csv);
	assert_null(report_csv((const uint8_t *)"{\"kind\":\"receipt\"}", 18, &e));
	assert_null(report_text((const uint8_t *)"{", 1, &e));
	free(j);
	rollcall_free(rc);
}

static void test_sealed(void **state)
{
	struct cx_err e = { "" };
	struct sig_key *k = sig_key_generate(SIG_ED25519, &e);
	struct rollcall *rc = sample();
	char *j = report_json(rc, &meta, &e);
	struct envelope env;
	uint8_t *p;
	size_t n;

	(void)state;
	assert_int_equal(report_seal(k, "hub-1", j, &p, &n, &e), 0);
	assert_int_equal(envelope_parse(p, n, &env, &e), 0);
	assert_string_equal(env.kid, "hub-1");
	assert_int_equal(envelope_verify(&env, k), 0);
	assert_int_equal(env.bodylen, strlen(j));
	assert_memory_equal(env.body, j, env.bodylen);
	free(p);
	free(j);
	sig_key_free(k);
	rollcall_free(rc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_csv_and_text),
		cmocka_unit_test(test_sealed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

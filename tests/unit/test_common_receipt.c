/*
 * Unit tests for common/receipt.c: receipt and status bodies
 * (docs/PROTOCOL.md sections 8 and 9) in both directions, state names and
 * China's state codes, and refusal of malformed or oversized input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/receipt.h"

static struct receipt
sample_receipt(void)
{
	struct receipt r;

	memset(&r, 0, sizeof(r));
	strcpy(r.node, "village-201");
	r.seq = 41;
	r.time = 1795345260123LL;
	strcpy(r.ref, "430682101-20261122-0001");
	r.state = RS_DONE;
	strcpy(r.status, "actual");
	r.received = 1795345200001LL;
	r.started = 1795345201501LL;
	r.ended = 1795345260000LL;
	r.hold = 300;
	r.frames = 2832000;
	r.underruns = 2;
	r.suppressed = 0;
	r.nedges = 2;
	strcpy(r.edges[0].line, "amp");
	r.edges[0].value = 1;
	r.edges[0].ms = 12;
	strcpy(r.edges[1].line, "amp");
	r.edges[1].value = 0;
	r.edges[1].ms = 60011;
	return r;
}

static int
parse_receipt_str(const char *s, struct receipt *r, struct cx_err *e)
{
	uint8_t *copy = malloc(strlen(s) + 1);
	int rc;

	assert_non_null(copy);
	memcpy(copy, s, strlen(s));
	rc = receipt_parse(copy, strlen(s), r, e);
	free(copy);
	return rc;
}

static void
test_states(void **state)
{
	static const struct { enum rstate s; const char *name; int code, final; } t[] = {
		{ RS_RECEIVED, "received", 1, 0 }, { RS_QUEUED, "queued", 1, 0 },
		{ RS_PLAYING, "playing", 2, 0 }, { RS_DONE, "done", 3, 1 },
		{ RS_REJECTED, "rejected", 4, 1 }, { RS_FAILED, "failed", 4, 1 },
		{ RS_PREEMPTED, "preempted", 4, 1 }, { RS_CANCELLED, "cancelled", 5, 1 },
		{ RS_ACKNOWLEDGED, "acknowledged", 3, 0 },
	};
	enum rstate s;
	size_t i;

	(void)state;
	assert_int_equal(sizeof(t) / sizeof(t[0]), RS_COUNT);
	for (i = 0; i < RS_COUNT; i++) {
		assert_string_equal(rstate_name(t[i].s), t[i].name);
		assert_int_equal(rstate_code(t[i].s), t[i].code);
		assert_int_equal(rstate_final(t[i].s), t[i].final);
		assert_int_equal(rstate_parse(t[i].name, &s), 0);
		assert_int_equal(s, t[i].s);
	}
	assert_int_equal(rstate_parse("Done", &s), -1);
	assert_int_equal(rstate_parse("", &s), -1);
	assert_int_equal(rstate_final(RS_COUNT), 0);
}

static void
test_receipt_round_trip(void **state)
{
	struct receipt r = sample_receipt(), b;
	struct cx_err e = { "" };
	char *json;

	(void)state;
	json = receipt_to_json(&r, &e);
	assert_non_null(json);
	assert_non_null(strstr(json, "\"v\":1,\"kind\":\"receipt\",\"node\":\"village-201\",\"seq\":41"));
	assert_non_null(strstr(json, "\"time\":1795345260123"));
	assert_non_null(strstr(json, "\"state\":\"done\",\"code\":3"));
	assert_non_null(strstr(json, "\"edges\":[{\"line\":\"amp\",\"v\":1,\"ms\":12},"));
	assert_non_null(strstr(json, "\"frames\":2832000"));
	assert_int_equal(parse_receipt_str(json, &b, &e), 0);
	assert_memory_equal(&r, &b, sizeof(r));
	free(json);

	/* a rejection: digest, reason in Chinese, no ref, no edges */
	r = sample_receipt();
	r.state = RS_REJECTED;
	memset(r.ref, 0, sizeof(r.ref));
	memset(r.status, 0, sizeof(r.status));
	strcpy(r.digest, "0123456789abcdef");
	strcpy(r.reason, "bad-signature: 签名无效 \"quoted\"");
	r.nedges = 0;
	memset(r.edges, 0, sizeof(r.edges));
	r.suppressed = 7;
	r.seq = 9007199254740993ULL;             /* above 2^53: printed and read exactly */
	json = receipt_to_json(&r, &e);
	assert_non_null(json);
	assert_non_null(strstr(json, "\"code\":4"));
	assert_non_null(strstr(json, "\"seq\":9007199254740993"));
	assert_non_null(strstr(json, "\"edges\":[]"));
	assert_int_equal(parse_receipt_str(json, &b, &e), 0);
	assert_memory_equal(&r, &b, sizeof(r));
	free(json);
}

static void
test_receipt_to_json_refuses(void **state)
{
	struct receipt r;
	struct cx_err e;
	char *json;

	(void)state;
	r = sample_receipt(); memset(r.reason, 'x', RECEIPT_REASON_MAX); r.reason[RECEIPT_REASON_MAX] = '\0';
	json = receipt_to_json(&r, &e);
	assert_non_null(json);
	free(json);
	r = sample_receipt(); memset(r.reason, 'x', sizeof(r.reason));   /* 161, no NUL */
	assert_null(receipt_to_json(&r, &e));
	assert_non_null(strstr(e.msg, "reason"));
	r = sample_receipt(); strcpy(r.reason, "bad \xff utf-8");
	assert_null(receipt_to_json(&r, &e));
	r = sample_receipt(); strcpy(r.reason, "line\nbreak");
	assert_null(receipt_to_json(&r, &e));
	r = sample_receipt(); strcpy(r.node, "bad node");
	assert_null(receipt_to_json(&r, &e));
	r = sample_receipt(); strcpy(r.digest, "0123456789ABCDEF");
	assert_null(receipt_to_json(&r, &e));
	r = sample_receipt(); strcpy(r.status, "draft");
	assert_null(receipt_to_json(&r, &e));
	r = sample_receipt(); r.state = RS_COUNT;
	assert_null(receipt_to_json(&r, &e));
	r = sample_receipt(); r.nedges = RECEIPT_MAX_EDGES + 1;
	assert_null(receipt_to_json(&r, &e));
	r = sample_receipt(); r.edges[1].value = 2;
	assert_null(receipt_to_json(&r, &e));
	r = sample_receipt(); strcpy(r.edges[0].line, "");
	assert_null(receipt_to_json(&r, &e));
	r = sample_receipt(); r.time = -1;
	assert_null(receipt_to_json(&r, &e));
	r = sample_receipt(); r.seq = (uint64_t)INT64_MAX + 1;
	assert_null(receipt_to_json(&r, &e));
}

static void
test_receipt_parse_refuses(void **state)
{
	static const char *const bad[] = {
		"{\"v\":1,\"kind\":\"receipt\",\"node\":\"n1\",\"seq\":1,\"time\":5,\"state\":\"done\",\"code\":4}",
		"{\"v\":1,\"kind\":\"receipt\",\"node\":\"n1\",\"seq\":1,\"time\":5,\"state\":\"finished\"}",
		"{\"v\":1,\"kind\":\"status\",\"node\":\"n1\",\"seq\":1,\"time\":5,\"state\":\"done\"}",
		"{\"v\":2,\"kind\":\"receipt\",\"node\":\"n1\",\"seq\":1,\"time\":5,\"state\":\"done\"}",
		"{\"v\":1,\"kind\":\"receipt\",\"seq\":1,\"time\":5,\"state\":\"done\"}",
		"{\"v\":1,\"kind\":\"receipt\",\"node\":\"n1\",\"seq\":1.0,\"time\":5,\"state\":\"done\"}",
		"{\"v\":1,\"kind\":\"receipt\",\"node\":\"n1\",\"seq\":-1,\"time\":5,\"state\":\"done\"}",
		"{\"v\":1,\"kind\":\"receipt\",\"node\":\"n1\",\"seq\":1,\"time\":5,\"state\":\"done\",\"digest\":\"abc\"}",
		"{\"v\":1,\"kind\":\"receipt\",\"node\":\"n1\",\"seq\":1,\"time\":5,\"state\":\"done\",\"edges\":[{\"line\":\"amp\",\"v\":3,\"ms\":1}]}",
		"{\"v\":1,\"kind\":\"receipt\",\"node\":\"n1\",\"seq\":1,\"time\":5,\"state\":\"done\",\"edges\":[{\"line\":\"amp\",\"v\":1}]}",
		"{\"v\":1,\"kind\":\"receipt\",\"node\":\"n1\",\"seq\":1,\"time\":5,\"state\":\"done\",\"edges\":{}}",
		"{\"v\":1,\"kind\":\"receipt\",\"node\":\"n1\",\"seq\":1,\"time\":5,\"state\":\"done\",\"underruns\":4294967296}",
		"{\"v\":1,\"kind\":\"receipt\",\"node\":\"n1\",\"seq\":1,\"seq\":2,\"time\":5,\"state\":\"done\"}",
		"{\"v\":1,\"kind\":\"receipt\",\"node\":\"n1\",\"seq\":1,\"time\":5,\"state\":\"done\"} x",
		"{\"v\":1,\"kind\":\"receipt\",\"node\":\"n1\",\"seq\":1,\"time\":5,\"state\":\"done\",\"ref\":\"a b\"}",
	};
	struct receipt r;
	struct cx_err e;
	char reason[400], json[600];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e.msg[0] = '\0';
		if (parse_receipt_str(bad[i], &r, &e) != -1)
			fail_msg("accepted: %s", bad[i]);
		assert_true(e.msg[0] != '\0');
	}
	/* reason of 161 bytes refused, 160 accepted */
	memset(reason, 'r', sizeof(reason));
	snprintf(json, sizeof(json), "{\"v\":1,\"kind\":\"receipt\",\"node\":\"n1\",\"seq\":1,\"time\":5,"
	    "\"state\":\"failed\",\"reason\":\"%.161s\"}", reason);
	assert_int_equal(parse_receipt_str(json, &r, &e), -1);
	snprintf(json, sizeof(json), "{\"v\":1,\"kind\":\"receipt\",\"node\":\"n1\",\"seq\":1,\"time\":5,"
	    "\"state\":\"failed\",\"reason\":\"%.160s\"}", reason);
	assert_int_equal(parse_receipt_str(json, &r, &e), 0);
	assert_int_equal(strlen(r.reason), 160);
	/* minimal receipt: optional members default to zero, unknown ones are ignored */
	assert_int_equal(parse_receipt_str("{\"v\":1,\"kind\":\"receipt\",\"node\":\"n1\",\"seq\":3,"
	    "\"time\":5,\"state\":\"queued\",\"later\":[1.5]}", &r, &e), 0);
	assert_int_equal(r.state, RS_QUEUED);
	assert_true(r.seq == 3 && r.frames == 0 && r.nedges == 0 && r.ref[0] == '\0');
}

static int
status_parse_str(const char *s, struct node_status *st, struct cx_err *e)
{
	uint8_t *copy = malloc(strlen(s) + 1);
	int rc;

	assert_non_null(copy);
	memcpy(copy, s, strlen(s));
	rc = status_parse(copy, strlen(s), st, e);
	free(copy);
	return rc;
}

static struct node_status
sample_status(void)
{
	struct node_status s;

	memset(&s, 0, sizeof(s));
	strcpy(s.node, "village-201");
	strcpy(s.zone, "430682101201");
	s.online = 1;
	s.time = 1795345200000LL;
	strcpy(s.state, "idle");
	s.seq = 41;
	strcpy(s.version, "0.1.0");
	return s;
}

static void
test_status(void **state)
{
	struct node_status s = sample_status(), b;
	struct cx_err e = { "" };
	char *json;

	(void)state;
	json = status_to_json(&s, &e);
	assert_non_null(json);
	assert_string_equal(json, "{\"v\":1,\"kind\":\"status\",\"node\":\"village-201\","
	    "\"zone\":\"430682101201\",\"online\":true,\"time\":1795345200000,\"state\":\"idle\","
	    "\"active\":\"\",\"seq\":41,\"version\":\"0.1.0\"}");
	assert_int_equal(status_parse((const uint8_t *)json, strlen(json), &b, &e), 0);
	assert_memory_equal(&s, &b, sizeof(s));
	free(json);

	/* the will: offline */
	s.online = 0;
	strcpy(s.state, "offline");
	json = status_to_json(&s, &e);
	assert_non_null(strstr(json, "\"online\":false"));
	assert_int_equal(status_parse((const uint8_t *)json, strlen(json), &b, &e), 0);
	assert_memory_equal(&s, &b, sizeof(s));
	free(json);

	s = sample_status(); strcpy(s.state, "busy");
	assert_null(status_to_json(&s, &e));
	s = sample_status(); strcpy(s.zone, "4306821");
	assert_null(status_to_json(&s, &e));
	s = sample_status(); strcpy(s.active, "a b");
	assert_null(status_to_json(&s, &e));
	s = sample_status(); strcpy(s.version, "1.0 beta");
	assert_null(status_to_json(&s, &e));

	assert_int_equal(status_parse_str("{\"v\":1,\"kind\":\"status\",\"node\":\"n\","
	    "\"zone\":\"43\",\"online\":1,\"time\":1,\"state\":\"idle\",\"seq\":1}", &b, &e), -1);
	assert_non_null(strstr(e.msg, "online"));
	assert_int_equal(status_parse_str("{\"v\":1,\"kind\":\"status\",\"node\":\"n\","
	    "\"zone\":\"43\",\"online\":true,\"time\":1,\"state\":\"idle\"}", &b, &e), -1);
	assert_non_null(strstr(e.msg, "seq"));
	assert_int_equal(status_parse_str("{\"v\":1,\"kind\":\"receipt\"}", &b, &e), -1);
	/* minimal status: active and version may be absent */
	assert_int_equal(status_parse_str("{\"v\":1,\"kind\":\"status\",\"node\":\"n\","
	    "\"zone\":\"430682000000\",\"online\":true,\"time\":1,\"state\":\"playing\",\"seq\":0}",
	    &b, &e), 0);
	assert_string_equal(b.state, "playing");
}

/* clock and storage words: said only when set, checked both ways */
static void
test_health(void **state)
{
	struct receipt r = sample_receipt(), b;
	struct node_status s = sample_status(), sb;
	struct cx_err e = { "" };
	char *json;

	(void)state;
	json = receipt_to_json(&r, &e);
	assert_non_null(json);
	assert_null(strstr(json, "clock"));
	assert_null(strstr(json, "storage"));
	free(json);
	strcpy(r.clock, "untrusted");
	strcpy(r.storage, "full");
	json = receipt_to_json(&r, &e);
	assert_non_null(strstr(json, "\"clock\":\"untrusted\",\"storage\":\"full\""));
	assert_int_equal(receipt_parse((const uint8_t *)json, strlen(json), &b, &e), 0);
	assert_memory_equal(&r, &b, sizeof(r));
	free(json);
	strcpy(r.clock, "wrong");
	assert_null(receipt_to_json(&r, &e));
	assert_non_null(strstr(e.msg, "clock"));
	r = sample_receipt();
	strcpy(r.storage, "broken");
	assert_null(receipt_to_json(&r, &e));
	assert_non_null(strstr(e.msg, "storage"));
	assert_int_equal(parse_receipt_str("{\"v\":1,\"kind\":\"receipt\",\"node\":\"n\","
	    "\"seq\":1,\"time\":1,\"state\":\"done\",\"clock\":\"late\"}", &b, &e), -1);

	strcpy(s.clock, "synced");
	strcpy(s.storage, "read-only");
	strcpy(s.storage_error, "state_dir /var/lib/cunxiang: Read-only file system");
	json = status_to_json(&s, &e);
	assert_non_null(json);
	assert_non_null(strstr(json, "\"clock\":\"synced\",\"storage\":\"read-only\","
	    "\"storage_error\":\"state_dir /var/lib/cunxiang: Read-only file system\""));
	assert_int_equal(status_parse((const uint8_t *)json, strlen(json), &sb, &e), 0);
	assert_memory_equal(&s, &sb, sizeof(s));
	free(json);
	strcpy(s.storage_error, "bad\ncontrol");
	assert_null(status_to_json(&s, &e));
}

static struct receipt
stream_receipt(void)
{
	struct receipt r = sample_receipt();

	r.has_stream = 1;
	r.stream.received = 1498;
	r.stream.late = 2;
	r.stream.lost = 5;
	r.stream.concealed = 7;
	r.stream.rejected = 31;
	r.stream.first_us = 1795345201500000LL;
	r.stream.last_us = 1795345261479999LL;
	r.stream.sync_median_us = 42;
	r.stream.sync_max_us = 611;
	strcpy(r.stream.end, "end");
	return r;
}

static void
test_stream_evidence(void **state)
{
	struct receipt r = stream_receipt(), b;
	struct cx_err e = { "" };
	char *json;

	(void)state;
	assert_non_null(json = receipt_to_json(&r, &e));
	assert_non_null(strstr(json, "\"stream\":{\"received\":1498,\"late\":2,\"lost\":5,"
	    "\"concealed\":7,\"rejected\":31,\"first_us\":1795345201500000,"
	    "\"last_us\":1795345261479999,\"sync_median_us\":42,\"sync_max_us\":611,"
	    "\"end\":\"end\"}"));
	assert_int_equal(parse_receipt_str(json, &b, &e), 0);
	assert_memory_equal(&r, &b, sizeof(r));
	free(json);
	/* still playing: no end word; nothing played yet: zero times */
	memset(r.stream.end, 0, sizeof(r.stream.end));
	r.stream.first_us = r.stream.last_us = 0;
	assert_non_null(json = receipt_to_json(&r, &e));
	assert_null(strstr(json, "\"end\""));
	assert_int_equal(parse_receipt_str(json, &b, &e), 0);
	assert_memory_equal(&r, &b, sizeof(r));
	free(json);
	/* every end word; counters at their maximum */
	strcpy(r.stream.end, "timeout");
	r.stream.rejected = UINT32_MAX;
	assert_non_null(json = receipt_to_json(&r, &e));
	assert_int_equal(parse_receipt_str(json, &b, &e), 0);
	assert_memory_equal(&r, &b, sizeof(r));
	free(json);
	strcpy(r.stream.end, "cut");
	assert_non_null(json = receipt_to_json(&r, &e));
	free(json);
	/* without a stream: no object, as before */
	r = sample_receipt();
	assert_non_null(json = receipt_to_json(&r, &e));
	assert_null(strstr(json, "stream"));
	assert_int_equal(parse_receipt_str(json, &b, &e), 0);
	assert_false(b.has_stream);
	free(json);
	/* unknown members of the object are ignored, absent ones are 0 */
	assert_int_equal(parse_receipt_str("{\"v\":1,\"kind\":\"receipt\",\"node\":\"n\",\"seq\":1,"
	    "\"time\":1,\"state\":\"playing\",\"stream\":{\"received\":3,\"jitter_us\":[1,2],"
	    "\"new\":{\"x\":1}}}", &b, &e), 0);
	assert_true(b.has_stream);
	assert_int_equal(b.stream.received, 3);
	assert_int_equal(b.stream.late, 0);
	assert_string_equal(b.stream.end, "");
}

static void
test_stream_evidence_refused(void **state)
{
	static const char *const bad[] = {
		"\"stream\":1", "\"stream\":[]", "\"stream\":\"x\"",
		"\"stream\":{\"received\":-1}", "\"stream\":{\"received\":4294967296}",
		"\"stream\":{\"late\":1.5}", "\"stream\":{\"lost\":\"1\"}",
		"\"stream\":{\"concealed\":1e3}", "\"stream\":{\"rejected\":true}",
		"\"stream\":{\"first_us\":-1}", "\"stream\":{\"first_us\":253402300800000000}",
		"\"stream\":{\"first_us\":5,\"last_us\":4}",
		"\"stream\":{\"sync_median_us\":-1}", "\"stream\":{\"sync_median_us\":5,\"sync_max_us\":4}",
		"\"stream\":{\"end\":\"done\"}", "\"stream\":{\"end\":\"END\"}",
		"\"stream\":{\"end\":\"timeout-and-more\"}", "\"stream\":{\"end\":1}",
		"\"stream\":{\"received\":1,\"received\":2}",
	};
	struct receipt r, b;
	struct cx_err e;
	char buf[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(buf, sizeof(buf), "{\"v\":1,\"kind\":\"receipt\",\"node\":\"n\",\"seq\":1,"
		    "\"time\":1,\"state\":\"done\",%s}", bad[i]);
		e.msg[0] = '\0';
		if (parse_receipt_str(buf, &b, &e) != -1)
			fail_msg("accepted: %s", bad[i]);
		assert_true(e.msg[0] != '\0');
	}
	r = stream_receipt();
	r.stream.last_us = r.stream.first_us - 1;
	assert_null(receipt_to_json(&r, &e));
	assert_non_null(strstr(e.msg, "last_us"));
	r = stream_receipt();
	r.stream.sync_max_us = 1;
	assert_null(receipt_to_json(&r, &e));
	r = stream_receipt();
	strcpy(r.stream.end, "over");
	assert_null(receipt_to_json(&r, &e));
	assert_non_null(strstr(e.msg, "end"));
	r = stream_receipt();
	r.has_stream = 2;
	assert_null(receipt_to_json(&r, &e));
	/* evidence that is not said is not checked */
	r = stream_receipt();
	r.has_stream = 0;
	strcpy(r.stream.end, "over");
	{
		char *json = receipt_to_json(&r, &e);

		assert_non_null(json);
		assert_null(strstr(json, "stream"));
		free(json);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_receipt_round_trip),
		cmocka_unit_test(test_receipt_to_json_refuses),
		cmocka_unit_test(test_receipt_parse_refuses),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_health),
		cmocka_unit_test(test_stream_evidence),
		cmocka_unit_test(test_stream_evidence_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_common_status_sched: the status's "schedules" member
 * (common/status_sched.h) and the programme ref read back
 * (schedule_ref_parse): a round trip through a whole status; the largest
 * member allowed stays under its bound and a whole status under the
 * envelope's ceiling; broken members refused by name, a status carrying
 * one refused as a whole; refs that are not a programme's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/status_sched.h"

static struct status_scheds *
one_schedule(void)
{
	struct status_scheds *ss = calloc(1, sizeof(*ss));
	struct status_sched *s;

	assert_non_null(ss);
	ss->n = 1;
	s = &ss->s[0];
	snprintf(s->id, sizeof(s->id), "twp101-2026-w10");
	snprintf(s->key, sizeof(s->key), "township-101");
	s->nzones = 2;
	snprintf(s->zones[0], sizeof(s->zones[0]), "430682101201");
	snprintf(s->zones[1], sizeof(s->zones[1]), "430682101202");
	s->valid_from = 1772323200;
	s->valid_until = 1780000000;
	s->nprog = 2;
	snprintf(s->prog[0].name, sizeof(s->prog[0].name), "news");
	s->prog[0].next = 1772325000;
	snprintf(s->prog[0].next_local, sizeof(s->prog[0].next_local), "2026-03-01 08:30");
	s->prog[0].has_last = 1;
	snprintf(s->prog[0].last_ref, sizeof(s->prog[0].last_ref), "twp101-2026-w10:news:20260228");
	s->prog[0].last_state = RS_REJECTED;
	s->prog[0].last_time = 1772238600123LL;
	snprintf(s->prog[0].last_reason, sizeof(s->prog[0].last_reason), "quiet-hours 22:00-06:00");
	snprintf(s->prog[1].name, sizeof(s->prog[1].name), "chime");
	return ss;
}

static struct node_status
status_with(const struct status_scheds *ss)
{
	struct node_status st;

	memset(&st, 0, sizeof(st));
	snprintf(st.node, sizeof(st.node), "village-201");
	snprintf(st.zone, sizeof(st.zone), "430682101201");
	snprintf(st.state, sizeof(st.state), "idle");
	snprintf(st.version, sizeof(st.version), "0.1.0");
	st.online = 1;
	st.time = 1772323200000LL;
	st.has_health = 1;
	st.heartbeat_s = 60;
	st.disk_free_kb = -1;
	st.schedules = ss;
	return st;
}

static void test_roundtrip(void **state)
{
	struct status_scheds *ss = one_schedule(), *back = calloc(1, sizeof(*back));
	struct node_status st = status_with(ss), parsed;
	struct cx_err e = { "" };
	char *j;

	(void)state;
	assert_non_null(back);
	j = status_to_json(&st, &e);
	assert_non_null(j);
	assert_non_null(strstr(j, "\"schedules\":[{\"id\":\"twp101-2026-w10\",\"key\":"
	    "\"township-101\",\"zones\":[\"430682101201\",\"430682101202\"]"));
	assert_non_null(strstr(j, "{\"name\":\"news\",\"next\":1772325000,\"next_local\":"
	    "\"2026-03-01 08:30\",\"last\":{\"ref\":\"twp101-2026-w10:news:20260228\","
	    "\"state\":\"rejected\",\"time\":1772238600123,\"reason\":\"quiet-hours 22:00-06:00\"}}"));
	assert_non_null(strstr(j, "{\"name\":\"chime\",\"next\":0,\"next_local\":\"\"}"));
	assert_int_equal(status_parse((const uint8_t *)j, strlen(j), &parsed, &e), 0);
	assert_null(parsed.schedules);
	assert_int_equal(status_sched_read((const uint8_t *)j, strlen(j), back, &e), 1);
	assert_memory_equal(ss, back, sizeof(*ss));
	free(j);
	/* a status without the member: read as none */
	st.schedules = NULL;
	j = status_to_json(&st, &e);
	assert_int_equal(status_sched_read((const uint8_t *)j, strlen(j), back, &e), 0);
	assert_int_equal(back->n, 0);
	free(j);
	free(ss);
	free(back);
}

/* The most a node can hold: every string at its longest. */
static void test_bound(void **state)
{
	struct status_scheds *ss = calloc(1, sizeof(*ss));
	struct node_status st;
	struct cx_err e = { "" };
	cJSON *root = cJSON_CreateObject();
	char *j;
	int i, k, z;

	(void)state;
	assert_non_null(ss);
	ss->n = STATUS_SCHED_MAX;
	for (i = 0; i < STATUS_SCHED_MAX; i++) {
		struct status_sched *s = &ss->s[i];

		memset(s->id, 'a', SCHED_ID_MAX);
		s->id[0] = (char)('a' + i);
		memset(s->key, 'k', ENV_KID_MAX);
		s->nzones = SCHED_MAX_ZONES;
		for (z = 0; z < SCHED_MAX_ZONES; z++)
			snprintf(s->zones[z], sizeof(s->zones[z]), "430682101201%03u", (unsigned)z % 1000);
		s->valid_from = 253402300799LL - 1;
		s->valid_until = 253402300799LL;
		s->nprog = SCHED_MAX_PROG;
		for (k = 0; k < SCHED_MAX_PROG; k++) {
			struct status_prog *p = &s->prog[k];

			snprintf(p->name, sizeof(p->name), "programme-%06u", (unsigned)k % 1000000);
			p->next = 253402300799LL;
			snprintf(p->next_local, sizeof(p->next_local), "9999-12-31 23:59");
			p->has_last = 1;
			memcpy(p->last_ref, s->id, SCHED_ID_MAX);
			p->last_ref[SCHED_ID_MAX] = ':';
			memcpy(p->last_ref + SCHED_ID_MAX + 1, p->name, SCHED_NAME_MAX);
			memcpy(p->last_ref + SCHED_ID_MAX + 1 + SCHED_NAME_MAX, ":99991231", 10);
			p->last_state = RS_PREEMPTED;
			p->last_time = 253402300799999LL;
			memset(p->last_reason, '"', STATUS_SCHED_REASON_MAX);   /* escaped: \" */
		}
	}
	assert_int_equal(status_sched_check(ss, &e), 0);
	assert_int_equal(status_sched_add(root, ss), 0);
	j = cJSON_PrintUnformatted(root);
	if (strlen(j) > STATUS_SCHED_JSON_MAX)
		fail_msg("%zu bytes", strlen(j));
	free(j);
	cJSON_Delete(root);
	st = status_with(ss);
	j = status_to_json(&st, &e);
	assert_non_null(j);
	assert_true(strlen(j) + ENV_HEADER_MAX <= ENV_BODY_MAX);
	free(j);
	free(ss);
}

static void
refused(const char *member, const char *want)
{
	char json[2048];
	struct node_status st;
	struct cx_err e = { "" };

	snprintf(json, sizeof(json), "{\"v\":1,\"kind\":\"status\",\"node\":\"village-201\","
	    "\"zone\":\"430682101201\",\"online\":true,\"time\":1,\"state\":\"idle\","
	    "\"active\":\"\",\"seq\":1,\"heartbeat_s\":60,\"schedules\":%s}", member);
	if (status_parse((const uint8_t *)json, strlen(json), &st, &e) == 0)
		fail_msg("accepted: %s", member);
	if (strstr(e.msg, want) == NULL)
		fail_msg("'%s' not in '%s'", want, e.msg);
}

#define SCH(progs) "[{\"id\":\"s1\",\"key\":\"k\",\"zones\":[\"430682101\"],\"valid_from\":1," \
	"\"valid_until\":2,\"programmes\":" progs "}]"

static void test_refused(void **state)
{
	(void)state;
	refused("{}", "'schedules' must be an array");
	refused("[1,2,3,4,5,6,7,8,9]", "at most 8");
	refused("[{\"id\":\"s 1\",\"key\":\"k\",\"zones\":[\"430682101\"],\"valid_from\":1,"
	    "\"valid_until\":2,\"programmes\":[]}]", "bad 'id'");
	refused("[{\"id\":\"s1\",\"key\":\"k\",\"zones\":[\"4306821\"],\"valid_from\":1,"
	    "\"valid_until\":2,\"programmes\":[]}]", "bad zone");
	refused("[{\"id\":\"s1\",\"key\":\"k\",\"zones\":[\"430682101\"],\"valid_from\":3,"
	    "\"valid_until\":2,\"programmes\":[]}]", "valid_until");
	refused(SCH("[{\"name\":\".x\",\"next\":0,\"next_local\":\"\"}]"), "bad programme 'name'");
	refused(SCH("[{\"name\":\"x\",\"next\":5,\"next_local\":\"\"}]"), "bad 'next'");
	refused(SCH("[{\"name\":\"x\",\"next\":5,\"next_local\":\"2026-03-01T08:30\"}]"),
	    "bad 'next'");
	refused(SCH("[{\"name\":\"x\",\"next\":0,\"next_local\":\"\",\"last\":{\"ref\":"
	    "\"s1:y:20260301\",\"state\":\"done\",\"time\":1}}]"), "bad 'last'");
	refused(SCH("[{\"name\":\"x\",\"next\":0,\"next_local\":\"\",\"last\":{\"ref\":"
	    "\"s1:x:20260301\",\"state\":\"playing\",\"time\":1}}]"), "bad 'last'");
	refused(SCH("[{\"name\":\"x\",\"next\":0,\"next_local\":\"\",\"last\":{\"ref\":"
	    "\"s1:x:20260301\",\"state\":\"done\",\"time\":1,\"reason\":\""
	    "0123456789012345678901234567890123456789012345678901234567890123456789\"}}]"),
	    "bad 'last'");
}

static void test_ref_parse(void **state)
{
	char id[SCHED_ID_MAX + 1], name[SCHED_NAME_MAX + 1];
	int date = 0;

	(void)state;
	assert_int_equal(schedule_ref_parse("twp101-2026-w10:news:20260301", id, name, &date), 0);
	assert_string_equal(id, "twp101-2026-w10");
	assert_string_equal(name, "news");
	assert_int_equal(date, 20260301);
	/* an id with colons of its own */
	assert_int_equal(schedule_ref_parse("a:b:c:chime:20261202", id, name, NULL), 0);
	assert_string_equal(id, "a:b:c");
	assert_string_equal(name, "chime");
	/* a warning's id, a schedule's, bad dates and names */
	assert_int_equal(schedule_ref_parse("430682101-20261202-0001", id, name, NULL), -1);
	assert_int_equal(schedule_ref_parse("twp101-2026-w10", id, name, NULL), -1);
	assert_int_equal(schedule_ref_parse("s:news:20261302", id, name, NULL), -1);
	assert_int_equal(schedule_ref_parse("s:news:2026120", id, name, NULL), -1);
	assert_int_equal(schedule_ref_parse(":news:20261202", id, name, NULL), -1);
	assert_int_equal(schedule_ref_parse("s::20261202", id, name, NULL), -1);
	assert_int_equal(schedule_ref_parse("s:.news:20261202", id, name, NULL), -1);
	assert_int_equal(schedule_ref_parse("s:a-name-of-17-chars:20261202", id, name, NULL), -1);
	assert_int_equal(schedule_ref_parse("", id, name, NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_ref_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

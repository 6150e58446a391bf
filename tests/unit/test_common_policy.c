/*
 * test_common_policy: the limits policy body (common/policy.h): the
 * shipped seeds parse and round-trip, every refusal names its member, a
 * withdrawal is empty limits; and the combination, a table: node.conf
 * looser or stricter than a county's policy, two policies (county and
 * township), a township's looser policy changing nothing, quiet windows
 * adding up with the first that holds named, untrusted time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tests/unit/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/policy.h"

/* 2026-03-01 00:00 Asia/Shanghai */
#define L0 (1772323200LL - 8 * 3600)
#define HM(h, m) (L0 + (h) * 3600LL + (m) * 60LL)

static int
parse_str(const char *json, struct policy *p, struct cx_err *e)
{
	return policy_parse((const uint8_t *)json, strlen(json), p, e);
}

static void test_seed_round_trip(void **state)
{
	static const char *seeds[] = { "county.json", "withdraw.json", "township.json" };
	struct policy p, p2;
	struct cx_err e;
	char path[128], *buf, *out;
	size_t i, n;

	(void)state;
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "tests/fuzz/seeds/policy/%s", seeds[i]);
		buf = tu_slurp(path, &n);
		assert_int_equal(policy_is_body((const uint8_t *)buf, n), 1);
		assert_int_equal(policy_parse((const uint8_t *)buf, n, &p, &e), 0);
		assert_non_null(out = policy_to_json(&p, &e));
		assert_int_equal(parse_str(out, &p2, &e), 0);
		assert_memory_equal(&p, &p2, sizeof(p));
		free(out);
		free(buf);
	}
	buf = tu_slurp("tests/fuzz/seeds/policy/county.json", &n);
	assert_int_equal(policy_parse((const uint8_t *)buf, n, &p, &e), 0);
	free(buf);
	assert_string_equal(p.h.id, "county-night-2026");
	assert_int_equal(p.lim.quiet.from_min, 21 * 60);
	assert_int_equal(p.lim.quiet.to_min, 7 * 60);
	assert_int_equal(p.lim.val[PK_VOLUME_NIGHT], 40);
	assert_int_equal(p.lim.val[PK_MAX_ROUTINE_DAY_S], 3600);
	assert_int_equal(p.lim.has, POL_HAS_QUIET | 0x1f);
	buf = tu_slurp("tests/fuzz/seeds/policy/withdraw.json", &n);
	assert_int_equal(policy_parse((const uint8_t *)buf, n, &p, &e), 0);
	free(buf);
	assert_int_equal(p.lim.has, 0);
}

#define HEAD "{\"v\":1,\"kind\":\"policy\",\"id\":\"p1\",\"sender\":\"c\",\"sent\":1772323200," \
	"\"valid_until\":1790000000,\"zones\":[\"430682\"]"

static void test_refusals(void **state)
{
	static const struct { const char *json, *msg; } bad[] = {
		{ HEAD "}", "'limits' must be an object" },
		{ HEAD ",\"limits\":[]}", "'limits' must be an object" },
		{ HEAD ",\"limits\":{\"quiet\":\"off\"}}", "'limits': unknown member" },
		{ HEAD ",\"limits\":{\"quiet_hours\":\"21:00-21:00\"}}", "'quiet_hours'" },
		{ HEAD ",\"limits\":{\"quiet_hours\":\"9:00-07:00\"}}", "'quiet_hours'" },
		{ HEAD ",\"limits\":{\"quiet_hours\":5}}", "'quiet_hours'" },
		{ HEAD ",\"limits\":{\"volume_night\":0}}", "volume_night" },
		{ HEAD ",\"limits\":{\"volume_drill\":101}}", "volume_drill" },
		{ HEAD ",\"limits\":{\"max_drill_s\":0}}", "max_drill_s" },
		{ HEAD ",\"limits\":{\"max_routine_day_s\":86401}}", "max_routine_day_s" },
		{ HEAD ",\"limits\":{\"max_routine_s\":\"60\"}}", "max_routine_s" },
		{ "{\"v\":1,\"kind\":\"schedule\",\"id\":\"p1\",\"sender\":\"c\",\"sent\":1,"
		    "\"valid_until\":2,\"zones\":[\"430682\"],\"limits\":{}}", "'kind' must be" },
		{ "{\"v\":2,\"kind\":\"policy\"}", "'v' must be 1" },
		{ "{\"v\":1,\"kind\":\"policy\",\"id\":\"p 1\",\"sender\":\"c\",\"sent\":1,"
		    "\"valid_until\":2,\"zones\":[\"430682\"],\"limits\":{}}", "'id'" },
		{ "{\"v\":1,\"kind\":\"policy\",\"id\":\"p1\",\"sender\":\"c\",\"sent\":1,"
		    "\"valid_until\":99999999,\"zones\":[\"430682\"],\"limits\":{}}", "400 days" },
		{ "{\"v\":1,\"kind\":\"policy\",\"id\":\"p1\",\"sender\":\"c\",\"sent\":1,"
		    "\"valid_until\":2,\"zones\":[],\"limits\":{}}", "'zones'" },
	};
	struct policy p;
	struct cx_err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e.msg[0] = '\0';
		if (parse_str(bad[i].json, &p, &e) == 0 || strstr(e.msg, bad[i].msg) == NULL)
			fail_msg("case %zu: want \"%s\", got \"%s\"", i, bad[i].msg, e.msg);
	}
	assert_int_equal(policy_is_body((const uint8_t *)"{\"kind\":\"schedule\"}", 19), 0);
	assert_int_equal(parse_str(HEAD ",\"limits\":{\"quiet_hours\":\"off\"}}", &p, &e), 0);
	assert_int_equal(p.lim.has, POL_HAS_QUIET);
	assert_int_equal(p.lim.quiet.from_min, -1);
}

/* Limits from a short text: "q=21:00-07:00 vd=60 vn=30 md=300 mr=600 mday=3600". */
static struct pol_limits
lim(const char *spec)
{
	static const char *keys[PK_N] = { "vd=", "vn=", "md=", "mr=", "mday=" };
	struct pol_limits l;
	char buf[128], *tok, *save;
	struct cx_err e;
	int k;

	memset(&l, 0, sizeof(l));
	snprintf(buf, sizeof(buf), "%s", spec);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (strncmp(tok, "q=", 2) == 0) {
			assert_int_equal(quiet_parse(tok + 2, &l.quiet, &e), 0);
			l.has |= POL_HAS_QUIET;
			continue;
		}
		for (k = 0; k < PK_N; k++)
			if (strncmp(tok, keys[k], strlen(keys[k])) == 0) {
				l.val[k] = (uint32_t)atoi(tok + strlen(keys[k]));
				l.has |= 1u << k;
			}
	}
	return l;
}

struct row {
	const char *name;
	const char *county, *township, *conf;   /* NULL: no such source */
	int64_t at;                     /* the moment judged */
	enum quiet_verdict quiet;
	const char *quiet_src;          /* the window named, or NULL */
	uint32_t vd, vn, md, mr, mday;
	const char *vn_src, *md_src;
};

static void test_combination_table(void **state)
{
	static const struct row rows[] = {
		{ "node.conf looser than the county: the county's night holds",
		    "q=21:00-07:00 vn=40", NULL, "q=22:00-06:00 vd=100 vn=60", HM(21, 30),
		    QUIET_YES, "county", 100, 40, 0, 0, 0, "county", "" },
		{ "... and inside both windows the county's is named first",
		    "q=21:00-07:00 vn=40", NULL, "q=22:00-06:00 vd=100 vn=60", HM(23, 0),
		    QUIET_YES, "county", 100, 40, 0, 0, 0, "county", "" },
		{ "node.conf stricter than the county: node.conf's rules hold",
		    "q=22:00-06:00 vn=60 md=600", NULL, "q=20:00-08:00 vd=50 vn=30 md=120",
		    HM(20, 30), QUIET_YES, "node.conf", 50, 30, 120, 0, 0, "node.conf", "node.conf" },
		{ "daytime: no window holds", "q=21:00-07:00", NULL, "q=22:00-06:00", HM(12, 0),
		    QUIET_NO, NULL, 100, 100, 0, 0, 0, "", "" },
		{ "a township's looser policy (quiet off, louder) loosens nothing",
		    "q=21:00-07:00 vn=40 mr=900", "q=off vn=90 mr=3600 mday=7200",
		    "q=22:00-06:00", HM(21, 30), QUIET_YES, "county", 100, 40, 0, 900, 7200,
		    "county", "" },
		{ "a township's stricter policy tightens",
		    "q=21:00-07:00 vn=40 mr=900", "q=12:00-13:00 vn=20 md=60 mr=300",
		    "q=22:00-06:00", HM(12, 30), QUIET_YES, "township", 100, 20, 60, 300, 0,
		    "township", "township" },
		{ "node.conf quiet off: the county's window still holds",
		    "q=21:00-07:00", NULL, "q=off", HM(6, 59), QUIET_YES, "county", 100, 100,
		    0, 0, 0, "", "" },
		{ "a tie keeps the earlier source (the policy)", "vn=60", NULL, "q=off vn=60",
		    HM(12, 0), QUIET_NO, NULL, 100, 60, 0, 0, 0, "county", "" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct eff_limits L;
		struct pol_limits l;
		int which;
		enum quiet_verdict v;

		eff_limits_init(&L);
		if (r->county) {
			l = lim(r->county);
			assert_int_equal(eff_limits_add(&L, &l, "county"), 0);
		}
		if (r->township) {
			l = lim(r->township);
			assert_int_equal(eff_limits_add(&L, &l, "township"), 0);
		}
		l = lim(r->conf);
		assert_int_equal(eff_limits_add(&L, &l, "node.conf"), 0);
		v = eff_quiet(&L, r->at, 1, &which);
		if (v != r->quiet || (r->quiet_src && strcmp(L.quiet_src[which], r->quiet_src)))
			fail_msg("%s: quiet %d (%s), want %d (%s)", r->name, v,
			    which >= 0 ? L.quiet_src[which] : "-", r->quiet,
			    r->quiet_src ? r->quiet_src : "-");
		if (L.val[PK_VOLUME_DRILL] != r->vd || L.val[PK_VOLUME_NIGHT] != r->vn
		    || L.val[PK_MAX_DRILL_S] != r->md || L.val[PK_MAX_ROUTINE_S] != r->mr
		    || L.val[PK_MAX_ROUTINE_DAY_S] != r->mday)
			fail_msg("%s: values %u %u %u %u %u", r->name, L.val[0], L.val[1], L.val[2],
			    L.val[3], L.val[4]);
		if (strcmp(L.src[PK_VOLUME_NIGHT], r->vn_src) != 0
		    || strcmp(L.src[PK_MAX_DRILL_S], r->md_src) != 0)
			fail_msg("%s: sources '%s' '%s'", r->name, L.src[PK_VOLUME_NIGHT],
			    L.src[PK_MAX_DRILL_S]);
	}
}

static void test_untrusted_and_limit(void **state)
{
	struct eff_limits L;
	struct pol_limits l = lim("q=21:00-07:00"), off = lim("q=off");
	char src[16];
	int which, i;

	(void)state;
	eff_limits_init(&L);
	assert_int_equal(eff_quiet(&L, HM(23, 0), 1, &which), QUIET_NO);
	assert_int_equal(which, -1);
	assert_int_equal(eff_limits_add(&L, &off, "a"), 0);
	assert_int_equal(L.nquiet, 0);
	assert_int_equal(eff_quiet(&L, HM(23, 0), 0, &which), QUIET_NO);   /* all off */
	assert_int_equal(eff_limits_add(&L, &l, "b"), 0);
	assert_int_equal(eff_quiet(&L, HM(12, 0), 0, &which), QUIET_UNKNOWN);
	assert_string_equal(L.quiet_src[which], "b");
	assert_int_equal(eff_limits_add(&L, &l, "c"), 0);     /* the same window: not again */
	assert_int_equal(L.nquiet, 1);
	for (i = 0; i < EFF_MAX_QUIET - 1; i++) {
		l.quiet.from_min = i;
		snprintf(src, sizeof(src), "w%d", i);
		assert_int_equal(eff_limits_add(&L, &l, src), 0);
	}
	l.quiet.from_min = 100;
	assert_int_equal(eff_limits_add(&L, &l, "over"), -1);
}

static void test_judge(void **state)
{
	struct policy a, b;
	struct cx_err e;

	(void)state;
	assert_int_equal(parse_str(HEAD ",\"limits\":{\"volume_night\":50}}", &a, &e), 0);
	b = a;
	assert_int_equal(body_head_judge(&a.h, "k", &b.h, "k"), BODY_SAME);
	b.h.sent++;
	assert_int_equal(body_head_judge(&a.h, "k", &b.h, "k"), BODY_REPLACES);
	assert_int_equal(body_head_judge(&b.h, "k", &a.h, "k"), BODY_STALE);
	assert_int_equal(body_head_judge(&a.h, "k", &b.h, "t"), BODY_UNRELATED);
	snprintf(b.h.zones[0], sizeof(b.h.zones[0]), "430682101");
	assert_int_equal(body_head_judge(&a.h, "k", &b.h, "k"), BODY_UNRELATED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_round_trip),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_combination_table),
		cmocka_unit_test(test_untrusted_and_limit),
		cmocka_unit_test(test_judge),
	};

	return cmocka_run_group_tests(tests, tu_tz_shanghai, NULL);
}

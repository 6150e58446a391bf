/*
 * fuzz_policy: the limits policy body (common/policy.c).
 *
 * The input is a body (JSON).  Checks:
 *  - policy_parse() either fails with a message or gives a policy that
 *    policy_check() accepts;
 *  - round trip: policy_to_json() of it is accepted and parses back to
 *    the same struct; body_head_judge() of it against itself is SAME;
 *  - combined with a node.conf-like source (22:00-06:00, volumes 100), it
 *    never loosens: every effective value is at most both sources', and a
 *    moment inside node.conf's window stays quiet.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/policy.h"
#include "tests/fuzz/fuzz_util.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
}

static void
check_combined(const struct policy *p)
{
	struct pol_limits conf;
	struct eff_limits L;
	int k, w;

	memset(&conf, 0, sizeof(conf));
	quiet_default(&conf.quiet);
	conf.has = POL_HAS_QUIET | 1u << PK_VOLUME_DRILL | 1u << PK_VOLUME_NIGHT;
	conf.val[PK_VOLUME_DRILL] = conf.val[PK_VOLUME_NIGHT] = 100;
	eff_limits_init(&L);
	FUZZ_CHECK(eff_limits_add(&L, &p->lim, "p") == 0);
	FUZZ_CHECK(eff_limits_add(&L, &conf, "node.conf") == 0);
	for (k = 0; k < PK_N; k++)
		if (p->lim.has & (1u << k))
			FUZZ_CHECK(L.val[k] != 0 && L.val[k] <= p->lim.val[k]);
	FUZZ_CHECK(L.val[PK_VOLUME_DRILL] <= 100 && L.val[PK_VOLUME_NIGHT] <= 100);
	FUZZ_CHECK(eff_quiet(&L, 23 * 3600, 1, &w) == QUIET_YES);   /* 23:00 UTC */
	FUZZ_CHECK(w >= 0 && w < L.nquiet);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct policy p, p2;
	struct cx_err e = { "" };
	char *out;

	if (policy_parse(data, size, &p, &e) < 0) {
		FUZZ_CHECK(e.msg[0] != '\0');
		return 0;
	}
	FUZZ_CHECK(policy_check(&p, &e) == 0);
	out = policy_to_json(&p, &e);
	FUZZ_CHECK(out != NULL);
	FUZZ_CHECK(policy_parse((const uint8_t *)out, strlen(out), &p2, &e) == 0);
	FUZZ_CHECK(memcmp(&p, &p2, sizeof(p)) == 0);
	free(out);
	FUZZ_CHECK(body_head_judge(&p.h, "k", &p2.h, "k") == BODY_SAME);
	check_combined(&p);
	return 0;
}

/*
 * test_common_trust: the trust store, zone scope and action scope.
 *
 * Keys are generated fresh; a failed trust_add must leave the store as it
 * was.  Under the sanitizer build, trust_free() is checked for leaks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "common/alert.h"
#include "common/trust.h"

static char ed_pub[SIG_PUB_B64_MAX];
static char sm2_pub[SIG_PUB_B64_MAX];
static struct sig_key *ed_key;

/* A fresh public key (base64 SPKI) of alg: the store refuses one public key
 * under two ids, so every id added to one store needs a key of its own. */
static const char *
fresh(const char *alg)
{
	static char ring[TRUST_MAX_KEYS + 8][SIG_PUB_B64_MAX];
	static int n;
	char *out = ring[n++ % (TRUST_MAX_KEYS + 8)];
	struct sig_key *k = sig_key_generate(strcmp(alg, "sm2-sm3") == 0 ? SIG_SM2_SM3 :
	    SIG_ED25519, NULL);

	assert_non_null(k);
	assert_int_equal(sig_key_public_b64(k, out, SIG_PUB_B64_MAX, NULL), 0);
	sig_key_free(k);
	return out;
}

static int
setup(void **state)
{
	struct sig_key *sm = sig_key_generate(SIG_SM2_SM3, NULL);

	ed_key = sig_key_generate(SIG_ED25519, NULL);
	if (ed_key == NULL || sm == NULL ||
	    sig_key_public_b64(ed_key, ed_pub, sizeof(ed_pub), NULL) < 0 ||
	    sig_key_public_b64(sm, sm2_pub, sizeof(sm2_pub), NULL) < 0)
		return -1;
	sig_key_free(sm);
	return 0;
}

static int
teardown(void **state)
{
	sig_key_free(ed_key);
	return 0;
}

static void
add_ok(struct trust *t, const char *kid, const char *alg, const char *pub,
    const char *zones, const char *actions)
{
	struct cx_err e = { "" };

	if (trust_add(t, kid, alg, pub, zones, actions, 0, 0, &e) < 0)
		fail_msg("trust_add(%s): %s", kid, e.msg);
}

/* trust_add must fail, with a message, and leave the store unchanged. */
static void
add_bad(struct trust *t, const char *kid, const char *alg, const char *pub,
    const char *zones, const char *actions, int64_t nb, int64_t na, const char *msg_has)
{
	struct cx_err e = { "" };
	int before = t->nkeys;

	if (trust_add(t, kid, alg, pub, zones, actions, nb, na, &e) == 0)
		fail_msg("trust_add(%s, %s, zones \"%s\", actions \"%s\") accepted", kid, alg,
		    zones ? zones : "(null)", actions ? actions : "(null)");
	assert_int_equal(t->nkeys, before);
	if (msg_has != NULL && strstr(e.msg, msg_has) == NULL)
		fail_msg("message \"%s\" does not mention \"%s\"", e.msg, msg_has);
}

static void
test_add_and_find(void **state)
{
	struct trust t;
	const struct trust_key *k;
	uint8_t sig[SIG_MAX];
	size_t n;

	trust_init(&t);
	assert_int_equal(t.nkeys, 0);
	add_ok(&t, "township-101", "ed25519", ed_pub, "430682101,430682102", "warn,cancel");
	add_ok(&t, "county:sm2.1", "sm2-sm3", sm2_pub, " 430682000000 , 43 ",
	    "drill, test");
	assert_int_equal(t.nkeys, 2);
	/* the level it speaks for: its shortest zone (township 4; 43 a province, 1) */
	assert_int_equal(t.keys[0].level, 4);
	assert_int_equal(t.keys[1].level, 1);

	assert_non_null(k = trust_find(&t, "township-101"));
	assert_string_equal(k->kid, "township-101");
	assert_int_equal(k->alg, SIG_ED25519);
	assert_int_equal(sig_key_alg(k->key), SIG_ED25519);
	assert_int_equal(k->nzones, 2);
	assert_string_equal(k->zones[0], "430682101");
	assert_string_equal(k->zones[1], "430682102");
	assert_int_equal(k->actions, ACT_WARN | ACT_CANCEL);
	/* the stored key verifies what its private half signed */
	assert_int_equal(sig_sign(ed_key, (const uint8_t *)"hi", 2, sig, &n, NULL), 0);
	assert_int_equal(sig_verify(k->key, (const uint8_t *)"hi", 2, sig, n), 0);

	assert_non_null(k = trust_find(&t, "county:sm2.1"));
	assert_int_equal(k->alg, SIG_SM2_SM3);
	/* normalised and trimmed */
	assert_string_equal(k->zones[0], "430682");
	assert_string_equal(k->zones[1], "43");
	assert_int_equal(k->actions, ACT_DRILL | ACT_TEST);

	assert_null(trust_find(&t, "township-10"));
	assert_null(trust_find(&t, "township-1011"));
	assert_null(trust_find(&t, ""));
	assert_null(trust_find(&t, NULL));
	trust_free(&t);
	assert_int_equal(t.nkeys, 0);
	assert_null(trust_find(&t, "township-101"));
}

static void
test_add_errors(void **state)
{
	struct trust t;
	char b64[SIG_PUB_B64_MAX], kid[ENV_KID_MAX + 2];

	trust_init(&t);
	add_ok(&t, "k0", "ed25519", ed_pub, "43", "warn");
	/* one public key under a second id: a wide alias of a narrow key */
	add_bad(&t, "k-wide", "ed25519", ed_pub, "43", "warn,cancel", 0, 0,
	    "key k-wide has the same public key as key k0");
	t.keys[0].line = 30;
	add_bad(&t, "k-wide", "ed25519", ed_pub, "43", "warn", 0, 0, "as key k0 (line 30)");
	t.keys[0].line = 0;
	/* algorithm */
	add_bad(&t, "k1", "rsa", ed_pub, "43", "warn", 0, 0, "algorithm");
	add_bad(&t, "k1", "ED25519", ed_pub, "43", "warn", 0, 0, NULL);
	add_bad(&t, "k1", "", ed_pub, "43", "warn", 0, 0, NULL);
	add_bad(&t, "k1", NULL, ed_pub, "43", "warn", 0, 0, NULL);
	/* public key: bad base64, damaged, of the other algorithm, missing */
	snprintf(b64, sizeof(b64), "%s", ed_pub);
	b64[3] = '*';
	add_bad(&t, "k1", "ed25519", b64, "43", "warn", 0, 0, "base64");
	snprintf(b64, sizeof(b64), "%s", ed_pub);
	b64[strlen(b64) - 1] = '\0';
	add_bad(&t, "k1", "ed25519", b64, "43", "warn", 0, 0, NULL);
	add_bad(&t, "k1", "ed25519", sm2_pub, "43", "warn", 0, 0, "sm2-sm3");
	add_bad(&t, "k1", "sm2-sm3", ed_pub, "43", "warn", 0, 0, "ed25519");
	add_bad(&t, "k1", "ed25519", "", "43", "warn", 0, 0, NULL);
	add_bad(&t, "k1", "ed25519", NULL, "43", "warn", 0, 0, NULL);
	/* zones */
	add_bad(&t, "k1", "ed25519", ed_pub, "430", "warn", 0, 0, "zone");
	add_bad(&t, "k1", "ed25519", ed_pub, "00", "warn", 0, 0, "zone");
	add_bad(&t, "k1", "ed25519", ed_pub, "43,4306x", "warn", 0, 0, "zone");
	add_bad(&t, "k1", "ed25519", ed_pub, "", "warn", 0, 0, "zone");
	add_bad(&t, "k1", "ed25519", ed_pub, NULL, "warn", 0, 0, "zone");
	add_bad(&t, "k1", "ed25519", ed_pub, "43,,4306", "warn", 0, 0, "zone");
	add_bad(&t, "k1", "ed25519", ed_pub, "43,", "warn", 0, 0, "zone");
	add_bad(&t, "k1", "ed25519", ed_pub,
	    "11,12,13,14,15,21,22,23,31,32,33,34,35,36,37,41,42", "warn", 0, 0, "zones");
	/* actions */
	add_bad(&t, "k1", "ed25519", ed_pub, "43", "warn,shout", 0, 0, "shout");
	add_bad(&t, "k1", "ed25519", ed_pub, "43", "Warn", 0, 0, NULL);
	add_bad(&t, "k1", "ed25519", ed_pub, "43", "", 0, 0, "action");
	add_bad(&t, "k1", "ed25519", ed_pub, "43", NULL, 0, 0, "action");
	add_bad(&t, "k1", "ed25519", ed_pub, "43", "warn,", 0, 0, "action");
	/* key id */
	add_bad(&t, "", "ed25519", ed_pub, "43", "warn", 0, 0, "key id");
	add_bad(&t, NULL, "ed25519", ed_pub, "43", "warn", 0, 0, "key id");
	add_bad(&t, "a b", "ed25519", ed_pub, "43", "warn", 0, 0, "key id");
	add_bad(&t, "a/b", "ed25519", ed_pub, "43", "warn", 0, 0, "key id");
	memset(kid, 'k', ENV_KID_MAX + 1);
	kid[ENV_KID_MAX + 1] = '\0';
	add_bad(&t, kid, "ed25519", ed_pub, "43", "warn", 0, 0, "key id");
	kid[ENV_KID_MAX] = '\0';
	add_ok(&t, kid, "ed25519", fresh("ed25519"), "43", "warn");
	/* duplicate */
	add_bad(&t, "k0", "sm2-sm3", sm2_pub, "44", "test", 0, 0, "duplicate");
	/* validity window */
	add_bad(&t, "k1", "ed25519", ed_pub, "43", "warn", 200, 100, "validity");
	add_bad(&t, "k1", "ed25519", ed_pub, "43", "warn", 100, 100, "validity");
	add_bad(&t, "k1", "ed25519", ed_pub, "43", "warn", -5, 0, "validity");
	{
		struct cx_err e;

		assert_int_equal(trust_add(&t, "k1", "ed25519", fresh("ed25519"), "43", "warn", 100, 200,
		    &e), 0);
		assert_int_equal(trust_find(&t, "k1")->not_before, 100);
		assert_int_equal(trust_find(&t, "k1")->not_after, 200);
		assert_int_equal(trust_add(&t, "k2", "ed25519", fresh("ed25519"), "43", "warn", 100, 0,
		    &e), 0);
	}
	assert_int_equal(t.nkeys, 4);
	/* a NULL error struct is allowed */
	assert_int_equal(trust_add(&t, "k0", "ed25519", ed_pub, "43", "warn", 0, 0, NULL), -1);
	trust_free(&t);
}

static void
test_too_many(void **state)
{
	struct trust t;
	char kid[16];
	int i;

	trust_init(&t);
	for (i = 0; i < TRUST_MAX_KEYS; i++) {
		snprintf(kid, sizeof(kid), "k%d", i);
		add_ok(&t, kid, i % 2 ? "ed25519" : "sm2-sm3", fresh(i % 2 ? "ed25519" : "sm2-sm3"),
		    "43", "warn");
	}
	add_bad(&t, "one-more", "ed25519", ed_pub, "43", "warn", 0, 0, "keys");
	assert_int_equal(t.nkeys, TRUST_MAX_KEYS);
	assert_non_null(trust_find(&t, "k31"));
	trust_free(&t);
	/* exactly TRUST_MAX_ZONES zones is fine */
	trust_init(&t);
	add_ok(&t, "z", "ed25519", ed_pub, "11,12,13,14,15,21,22,23,31,32,33,34,35,36,37,41",
	    "warn");
	assert_int_equal(t.keys[0].nzones, TRUST_MAX_ZONES);
	trust_free(&t);
}

static void
test_actions(void **state)
{
	struct cx_err e = { "" };
	unsigned m = 0;

	assert_int_equal(action_parse_list("warn", &m, &e), 0);
	assert_int_equal(m, ACT_WARN);
	assert_int_equal(action_parse_list("warn,cancel,drill,test", &m, &e), 0);
	assert_int_equal(m, ACT_WARN | ACT_CANCEL | ACT_DRILL | ACT_TEST);
	assert_int_equal(action_parse_list("test,test", &m, &e), 0);
	assert_int_equal(m, ACT_TEST);
	assert_int_equal(action_parse_list("schedule", &m, &e), 0);
	assert_int_equal(m, ACT_SCHEDULE);
	assert_string_equal(action_name(ACT_SCHEDULE), "schedule");
	m = 99;
	assert_int_equal(action_parse_list("warn,all", &m, &e), -1);
	assert_int_equal(m, 99);       /* untouched on failure */
	assert_non_null(strstr(e.msg, "all"));
	assert_int_equal(action_parse_list(",warn", &m, &e), -1);
	assert_int_equal(action_parse_list("warn;cancel", &m, &e), -1);
	assert_int_equal(action_parse_list("warncancel", &m, &e), -1);
	assert_int_equal(action_parse_list("", &m, &e), -1);

	assert_string_equal(action_name(ACT_WARN), "warn");
	assert_string_equal(action_name(ACT_CANCEL), "cancel");
	assert_string_equal(action_name(ACT_DRILL), "drill");
	assert_string_equal(action_name(ACT_TEST), "test");
	assert_non_null(action_name(0));
	assert_non_null(action_name(ACT_WARN | ACT_TEST));
}

static void
test_alert_action(void **state)
{
	static struct alert a;

	memset(&a, 0, sizeof(a));
	a.type = AT_ALERT;
	a.status = ST_ACTUAL;
	assert_int_equal(alert_action(&a), ACT_WARN);
	a.status = ST_EXERCISE;
	assert_int_equal(alert_action(&a), ACT_DRILL);
	a.status = ST_TEST;
	assert_int_equal(alert_action(&a), ACT_TEST);
	a.type = AT_UPDATE;
	a.status = ST_ACTUAL;
	assert_int_equal(alert_action(&a), ACT_WARN);
	a.status = ST_TEST;
	assert_int_equal(alert_action(&a), ACT_TEST);
	/* a cancel needs "cancel" whatever its status */
	a.type = AT_CANCEL;
	a.status = ST_ACTUAL;
	assert_int_equal(alert_action(&a), ACT_CANCEL);
	a.status = ST_EXERCISE;
	assert_int_equal(alert_action(&a), ACT_CANCEL);
	a.status = ST_TEST;
	assert_int_equal(alert_action(&a), ACT_CANCEL);
}

static void
test_scope(void **state)
{
	static struct alert a;
	const struct trust_key *k;
	struct trust t;

	trust_init(&t);
	add_ok(&t, "town", "ed25519", ed_pub, "430682101,430682102", "warn,cancel");
	add_ok(&t, "county", "ed25519", fresh("ed25519"), "430682", "drill,test");
	k = trust_find(&t, "town");
	assert_true(trust_key_covers(k, "430682101"));
	assert_true(trust_key_covers(k, "430682101201"));
	assert_true(trust_key_covers(k, "430682102201003"));
	assert_false(trust_key_covers(k, "430682103"));
	assert_false(trust_key_covers(k, "430682103201"));
	/* an ancestor of the key's zone is out of scope */
	assert_false(trust_key_covers(k, "430682"));
	assert_false(trust_key_covers(k, "43"));
	assert_false(trust_key_covers(k, "4306821"));
	assert_false(trust_key_covers(k, ""));

	/* action scope as verify uses it: the key's mask holds the needed action */
	memset(&a, 0, sizeof(a));
	a.type = AT_ALERT;
	a.status = ST_ACTUAL;
	assert_true(k->actions & alert_action(&a));
	a.status = ST_EXERCISE;
	assert_false(k->actions & alert_action(&a));
	a.type = AT_CANCEL;
	assert_true(k->actions & alert_action(&a));

	k = trust_find(&t, "county");
	assert_true(trust_key_covers(k, "430682103201"));
	assert_false(trust_key_covers(k, "430681"));
	a.type = AT_ALERT;
	a.status = ST_ACTUAL;
	assert_false(k->actions & alert_action(&a));
	a.status = ST_TEST;
	assert_true(k->actions & alert_action(&a));
	trust_free(&t);
}

/* A refused cancel or update says which rule, by its code. */
static void
withdraw_refused(const char *actions, const char *zones, enum alert_status msg_st,
    enum alert_type msg_type, const char *code)
{
	static struct alert old, msg;
	struct cx_err e = { "" };
	struct trust t;

	trust_init(&t);
	add_ok(&t, "k", "ed25519", ed_pub, zones, actions);
	memset(&old, 0, sizeof(old));
	strcpy(old.id, "w1");
	old.type = AT_ALERT;
	old.status = ST_ACTUAL;
	old.nzones = 2;
	strcpy(old.zones[0], "430682101201");
	strcpy(old.zones[1], "430682102");
	msg = old;
	strcpy(msg.id, "w2");
	msg.type = msg_type;
	msg.status = msg_st;
	if (code == NULL)
		assert_int_equal(trust_may_withdraw(trust_find(&t, "k"), &msg, &old, &e), 0);
	else {
		assert_int_equal(trust_may_withdraw(trust_find(&t, "k"), &msg, &old, &e), -1);
		if (strncmp(e.msg, code, strlen(code)) != 0)
			fail_msg("\"%s\" does not start with \"%s\"", e.msg, code);
	}
	trust_free(&t);
}

static void
test_withdraw(void **state)
{
	static struct alert a;
	struct cx_err e = { "" };

	withdraw_refused("warn,cancel", "430682", ST_ACTUAL, AT_CANCEL, NULL);
	withdraw_refused("warn", "430682", ST_ACTUAL, AT_UPDATE, NULL);
	withdraw_refused("drill,cancel", "430682", ST_ACTUAL, AT_CANCEL, "action-scope: ");
	withdraw_refused("warn,cancel", "430682101", ST_ACTUAL, AT_CANCEL, "zone-scope: ");
	withdraw_refused("warn,drill", "430682", ST_EXERCISE, AT_UPDATE, "downgrade: ");
	memset(&a, 0, sizeof(a));
	assert_int_equal(trust_may_withdraw(NULL, &a, &a, &e), -1);
	assert_int_equal(strncmp(e.msg, "unknown-key: ", 13), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_and_find),
		cmocka_unit_test(test_add_errors),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_alert_action),
		cmocka_unit_test(test_scope),
		cmocka_unit_test(test_withdraw),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

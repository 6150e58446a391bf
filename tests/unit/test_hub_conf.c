/*
 * test_hub_conf: hub.conf (hub/hubconf.h): the shipped example loads with
 * its defaults filled in; bad input is refused with file:line and nothing
 * kept (unknown key or section, out of range, duplicate node, bad key,
 * missing required keys).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hub/hubconf.h"

#define KEY "MCowBQYDK2VwAyEAkGEWPJPMlfe4m/24UpT1Lc8tfqogBWFP8sw++Op124o="
#define HEAD "[hub]\nid = hub-1\nstate_dir = /tmp/x\nkey = /tmp/k\n"

static char path[64];

static int
load(const char *text, struct hub_config *c, struct cx_err *e)
{
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/test_hub_conf.%d", (int)getpid());
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return hubconf_load(path, c, e);
}

static void test_shipped(void **state)
{
	struct hub_config c;
	struct cx_err e = { "" };

	(void)state;
	assert_int_equal(hubconf_load("firmware-config/hub.conf", &c, &e), 0);
	assert_string_equal(c.id, "hub-430682101");
	assert_int_equal(c.nnodes, 2);
	assert_int_equal(c.offline_grace_pct, 150);
	assert_int_equal(c.verify_threads, -1);
	assert_int_equal(c.report_at_s[0], 120);
	assert_int_equal(c.report_at_s[1], 600);
	assert_string_equal(c.client_id, "hub-430682101");
	assert_non_null(hubconf_find_node(&c, "village-430682101202"));
	assert_string_equal(hubconf_find_node(&c, "village-430682101201")->name, "Xiawan village");
	assert_null(hubconf_find_node(&c, "nobody"));
	hubconf_free(&c);
}

static void test_defaults(void **state)
{
	struct hub_config c;
	struct cx_err e = { "" };

	(void)state;
	assert_int_equal(load(HEAD "offline_grace = 2\nreport_at_s = 5, 9\n[node v-1]\n"
	    "zone = 430682101201\npubkey = " KEY "\n", &c, &e), 0);
	assert_int_equal(c.rollcall_deadline_s, 120);
	assert_int_equal(c.resend_s, 30);
	assert_int_equal(c.verify_threads, -1);   /* the online CPUs */
	assert_int_equal(c.offline_grace_pct, 200);
	assert_int_equal(c.report_at_s[0], 5);
	assert_int_equal(c.report_at_s[1], 9);
	assert_int_equal(c.port, 1884);
	assert_string_equal(c.prefix, "cx");
	assert_string_equal(c.username, "hub-1");
	assert_int_equal(c.session_expiry_s, 604800);
	assert_string_equal(c.http_listen, "127.0.0.1:8080");
	assert_non_null(c.nodes[0].key);
	assert_int_equal(c.secure_cookies, HUBCONF_SECURE_AUTO);
	assert_int_equal(c.session_idle_s, 1800);
	assert_int_equal(c.session_max_s, 43200);
	assert_string_equal(c.tls_cert, "");
	assert_non_null(strstr(c.console_dir, "/share/cunxiang/console"));
	hubconf_free(&c);
	unlink(path);
}

static void test_http_keys(void **state)
{
	struct hub_config c;
	struct cx_err e = { "" };

	(void)state;
	assert_int_equal(load(HEAD "[http]\ntls_cert = /etc/c.pem\ntls_key = /etc/k.pem\n"
	    "secure_cookies = no\nsession_idle_s = 600\nsession_max_s = 3600\nconsole_dir =\n",
	    &c, &e), 0);
	assert_string_equal(c.tls_cert, "/etc/c.pem");
	assert_string_equal(c.tls_key, "/etc/k.pem");
	assert_int_equal(c.secure_cookies, HUBCONF_SECURE_NO);
	assert_int_equal(c.session_idle_s, 600);
	assert_int_equal(c.session_max_s, 3600);
	assert_string_equal(c.console_dir, "");          /* no console */
	hubconf_free(&c);
	assert_int_equal(load(HEAD "[http]\nsecure_cookies = yes\nconsole_dir = /srv/console\n",
	    &c, &e), 0);
	assert_int_equal(c.secure_cookies, HUBCONF_SECURE_YES);
	assert_string_equal(c.console_dir, "/srv/console");
	hubconf_free(&c);
	unlink(path);
}

static void test_signer(void **state)
{
	struct hub_config c;
	struct cx_err e = { "" };

	(void)state;
	assert_int_equal(load(HEAD "[signer]\nkey = /etc/t.pem\nkid = township-101\n"
	    "zones = 430682101,430682102\nactions = warn, drill\nclip_dir = /var/clips\n", &c, &e),
	    0);
	assert_string_equal(c.signer_key, "/etc/t.pem");
	assert_string_equal(c.signer_kid, "township-101");
	assert_string_equal(c.signer_zones, "430682101,430682102");
	assert_string_equal(c.signer_actions, "warn, drill");
	assert_string_equal(c.signer_clip_dir, "/var/clips");
	hubconf_free(&c);
	assert_int_equal(load(HEAD, &c, &e), 0);
	assert_string_equal(c.signer_key, "");     /* no [signer]: the console cannot send */
	hubconf_free(&c);
	unlink(path);
}

static void test_bad(void **state)
{
	static const struct { const char *text, *msg; } cases[] = {
		{ HEAD "foo = 1\n", ":5: unknown key 'foo' in [hub]" },
		{ HEAD "[radio]\n", ":5: unknown section [radio]" },
		{ HEAD "resend_s = -1\n", ":5: 'resend_s' must be a number 0..3600" },
		{ HEAD "verify_threads = 65\n", ":5: 'verify_threads' must be a number 0..64" },
		{ HEAD "rollcall_deadline_s = 2\n", ":5: 'rollcall_deadline_s' must be a number" },
		{ HEAD "offline_grace = 0.9\n", ":5: 'offline_grace' must be a factor" },
		{ HEAD "report_at_s = 600,120\n", ":5: 'report_at_s' must be FIRST,FINAL" },
		{ HEAD "prefix = a/#\n", ":5: 'prefix': not a valid topic prefix" },
		{ HEAD "id = again\n", ":5: 'id' set twice (first on line 2)" },
		{ "[hub]\nid = hub-1\n", ": [hub] state_dir is required" },
		{ HEAD "[node v-1]\nzone = 43\n", ":5: [node v-1]: zone and pubkey are required" },
		{ HEAD "[node v-1]\nzone = 4306821012011\n", ":6: 'zone': not a valid zone" },
		{ HEAD "[node v-1]\nzone = 43\npubkey = AAAA\n", ":5: [node v-1]: pubkey:" },
		{ HEAD "[node v-1]\nzone = 43\npubkey = " KEY "\nalg = rsa\n", ":5: [node v-1]: alg" },
		{ HEAD "[node v-1]\nzone = 43\npubkey = " KEY "\n[node v-1]\nzone = 43\npubkey = " KEY
		    "\n", ":8: [node v-1] enrolled twice" },
		{ HEAD "[node bad id]\n", ":5: [node bad id]: node id must be" },
		{ HEAD "[mqtt]\npassword = a\npassword_file = b\n", "exclusive" },
		{ HEAD "[signer]\nkey = /k\nkid = t-1\nzones = 430682101\n",
		    "[signer] actions is required with the others" },
		{ HEAD "[signer]\nclip_dir = /c\n", "[signer] key is required with the others" },
		{ HEAD "[signer]\nkey = /k\nkid = t 1\nzones = 43\nactions = warn\n", ":7: 'kid'" },
		{ HEAD "[signer]\nkey = /k\nkid = t-1\nzones = 43\nactions = warn,shout\n",
		    ":9: 'actions':" },
		{ HEAD "[signer]\nkey = /k\nkid = t-1\nzones = 43,4306821\nactions = warn\n",
		    ":8: 'zones':" },
		{ HEAD "[signer]\nbogus = 1\n", ":6: unknown key 'bogus' in [signer]" },
		{ HEAD "[http]\ntls_cert = /c.pem\n", ":6: tls_cert and tls_key go together" },
		{ HEAD "[http]\ntls_key = /k.pem\n", ":6: tls_cert and tls_key go together" },
		{ HEAD "[http]\nsecure_cookies = maybe\n", ":6: 'secure_cookies' must be auto, yes or no" },
		{ HEAD "[http]\nsession_idle_s = 10\n", ":6: 'session_idle_s' must be a number 60..86400" },
		{ HEAD "[http]\nsession_max_s = 9999999\n", ":6: 'session_max_s' must be a number" },
		{ HEAD "zones = /nonexistent/zones.csv\n", ":5: zones: /nonexistent/zones.csv: No such file" },
	};
	struct hub_config c;
	struct cx_err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		e.msg[0] = '\0';
		if (load(cases[i].text, &c, &e) != -1 || strstr(e.msg, cases[i].msg) == NULL)
			fail_msg("case %zu: got '%s', want '%s'", i, e.msg, cases[i].msg);
		assert_null(c.nodes);
		assert_int_equal(c.nnodes, 0);
		assert_null(c.zones);
	}
	unlink(path);
}

/* Paths are taken from the config file's directory (here /tmp), not the
 * current one; absolute ones are kept. */
static void test_relative_paths(void **state)
{
	char top[512], text[1024], want[1100];
	struct hub_config c;
	struct cx_err e = { "" };

	(void)state;
	if (load("[hub]\nid = hub-1\nstate_dir = hubstate\nkey = keys/hub.pem\n[mqtt]\n"
	    "password_file = hub.pass\ntls_ca = /etc/ca.crt\n[http]\ntokens = hub.tokens\n"
	    "console_dir = console\n[signer]\nkey = op.pem\nkid = op\nzones = 43\n"
	    "actions = warn\nclip_dir = clips\n", &c, &e) != 0)
		fail_msg("%s", e.msg);
	assert_string_equal(c.state_dir, "/tmp/hubstate");
	assert_string_equal(c.key_path, "/tmp/keys/hub.pem");
	assert_string_equal(c.password_file, "/tmp/hub.pass");
	assert_string_equal(c.tls_ca, "/etc/ca.crt");
	assert_string_equal(c.http_tokens, "/tmp/hub.tokens");
	assert_string_equal(c.console_dir, "/tmp/console");
	assert_string_equal(c.signer_key, "/tmp/op.pem");
	assert_string_equal(c.signer_clip_dir, "/tmp/clips");
	hubconf_free(&c);
	/* an error in a file it names shows the resolved path */
	assert_non_null(getcwd(top, sizeof top));
	snprintf(text, sizeof text, HEAD "zones = %s/tests/corpus/zonedir/duplicate-code.csv\n", top);
	snprintf(want, sizeof want, ":5: zones: %s/tests/corpus/zonedir/duplicate-code.csv:3: "
	    "code 43 already on line 2", top);
	if (load(text, &c, &e) != -1 || strstr(e.msg, want) == NULL)
		fail_msg("got '%s', want '%s'", e.msg, want);
	unlink(path);
}

/* [hub] zones: the shipped county's names, loaded with the config */
static void test_zones(void **state)
{
	struct hub_config c;
	struct cx_err e = { "" };

	(void)state;
	char top[512], text[1024];

	assert_non_null(getcwd(top, sizeof top));
	snprintf(text, sizeof text, HEAD "zones = %s/firmware-config/zones-430682.csv\n", top);
	if (load(text, &c, &e) != 0)
		fail_msg("%s", e.msg);
	assert_string_equal(zonedir_name(c.zones, "430682101"), "忠防镇");
	hubconf_free(&c);
	assert_null(c.zones);
	assert_int_equal(load(HEAD, &c, &e), 0);
	assert_null(c.zones);      /* none configured: codes only */
	hubconf_free(&c);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_http_keys),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_relative_paths),
		cmocka_unit_test(test_signer),
		cmocka_unit_test(test_zones),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

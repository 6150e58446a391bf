/*
 * test_ctl_warnfields: the warning options `warn` and `stream` share.
 *   - the defaults; every shared option read into its field; an option
 *     that is not shared left to the command (1)
 *   - a bad value refused with EXIT_USAGE, the field unchanged; --id
 *     bounded by the command's id_max
 *   - the alert built from the fields: --id or a generated one, --sender
 *     or the signer's kid, severity 0 when not given, expires from now, a
 *     too-long title refused
 *   - a clip item: named after the base name, pinned by the file's
 *     SHA-256; a bad name, a missing file refused
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl/cmd.h"
#include "ctl/warnfields.h"

#define NOW 1764643620LL
/* SHA-256("abc") */
static const uint8_t ABC_SHA[32] = {
	0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae,
	0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61,
	0xf2, 0x00, 0x15, 0xad,
};

static void test_defaults_and_options(void **state)
{
	struct warn_fields f;

	(void)state;
	warn_fields_init(&f);
	assert_int_equal(f.severity, -1);
	assert_int_equal(f.volume, VOLUME_KEEP);
	assert_int_equal(f.expires_s, WARN_DEFAULT_EXPIRES_S);
	assert_int_equal(f.status, ST_ACTUAL);
	assert_int_equal(f.nzones, 0);
	assert_int_equal(warn_field_option("t", &f, 'c', "x.conf"), 0);
	assert_int_equal(warn_field_option("t", &f, 'z', "430682101201"), 0);
	assert_int_equal(warn_field_option("t", &f, 'e', "flood"), 0);
	assert_int_equal(warn_field_option("t", &f, 's', "2"), 0);
	assert_int_equal(warn_field_option("t", &f, 't', "T"), 0);
	assert_int_equal(warn_field_option("t", &f, 'x', "X"), 0);
	assert_int_equal(warn_field_option("t", &f, 'v', "mute"), 0);
	assert_int_equal(warn_field_option("t", &f, 'E', "600"), 0);
	assert_int_equal(warn_field_option("t", &f, 'T', "exercise"), 0);
	assert_int_equal(warn_field_option("t", &f, 'i', "id-1"), 0);
	assert_int_equal(warn_field_option("t", &f, 'n', "me"), 0);
	assert_int_equal(warn_field_option("t", &f, 'j', NULL), 0);
	assert_string_equal(f.conf, "x.conf");
	assert_int_equal(f.nzones, 1);
	assert_string_equal(f.zones[0], "430682101201");
	assert_string_equal(f.event, "flood");
	assert_int_equal(f.severity, 2);
	assert_string_equal(f.title, "T");
	assert_string_equal(f.text, "X");
	assert_int_equal(f.volume, VOLUME_MUTE);
	assert_int_equal(f.expires_s, 600);
	assert_int_equal(f.status, ST_EXERCISE);
	assert_string_equal(f.id, "id-1");
	assert_string_equal(f.sender, "me");
	assert_int_equal(f.json, 1);
	assert_int_equal(warn_field_option("t", &f, 'v', "keep"), 0);
	assert_int_equal(f.volume, VOLUME_KEEP);
	assert_int_equal(warn_field_option("t", &f, 'v', "35"), 0);
	assert_int_equal(f.volume, 35);
	/* the commands' own options */
	assert_int_equal(warn_field_option("t", &f, 'C', "a.opus"), 1);
	assert_int_equal(warn_field_option("t", &f, 'w', "60"), 1);
	assert_int_equal(warn_field_option("t", &f, 'h', NULL), 1);
}

static void test_bad_values(void **state)
{
	struct warn_fields f;

	(void)state;
	warn_fields_init(&f);
	assert_int_equal(warn_field_option("t", &f, 's', "7"), EXIT_USAGE);
	assert_int_equal(warn_field_option("t", &f, 's', "0"), EXIT_USAGE);
	assert_int_equal(f.severity, -1);
	assert_int_equal(warn_field_option("t", &f, 'v', "101"), EXIT_USAGE);
	assert_int_equal(warn_field_option("t", &f, 'v', "loud"), EXIT_USAGE);
	assert_int_equal(f.volume, VOLUME_KEEP);
	assert_int_equal(warn_field_option("t", &f, 'E', "0"), EXIT_USAGE);
	assert_int_equal(warn_field_option("t", &f, 'E', "2592001"), EXIT_USAGE);
	assert_int_equal(f.expires_s, WARN_DEFAULT_EXPIRES_S);
	assert_int_equal(warn_field_option("t", &f, 'E', "2592000"), 0);
	assert_int_equal(warn_field_option("t", &f, 'T', "draft"), EXIT_USAGE);
	assert_int_equal(f.status, ST_ACTUAL);
	assert_int_equal(warn_field_option("t", &f, 'z', "123"), EXIT_USAGE);
	assert_int_equal(f.nzones, 0);
	assert_int_equal(warn_field_option("t", &f, 'i', "bad/id"), EXIT_USAGE);
	assert_int_equal(warn_field_option("t", &f, 'i', ""), EXIT_USAGE);
	assert_null(f.id);
	f.id_max = 8;
	assert_int_equal(warn_field_option("t", &f, 'i', "123456789"), EXIT_USAGE);
	assert_null(f.id);
	assert_int_equal(warn_field_option("t", &f, 'i', "12345678"), 0);
	assert_string_equal(f.id, "12345678");
}

static void test_alert(void **state)
{
	struct ctl_config c;
	struct warn_fields f;
	struct alert a;
	char title[300];

	(void)state;
	memset(&c, 0, sizeof c);
	snprintf(c.kid, sizeof c.kid, "township-101");
	warn_fields_init(&f);
	assert_int_equal(warn_field_option("t", &f, 'z', "430682101201"), 0);
	assert_int_equal(warn_field_option("t", &f, 'z', "4306"), 0);
	f.event = "flood";
	f.text = "go up";
	assert_int_equal(warn_fields_alert("t", &f, &c, NOW, &a), 0);
	assert_int_equal(a.v, ALERT_VERSION);
	assert_int_equal(strncmp(a.id, "township-101-20251202024700-", 28), 0);
	assert_int_equal(strlen(a.id), 32);
	assert_string_equal(a.sender, "township-101");
	assert_string_equal(a.event, "flood");
	assert_string_equal(a.title, "");
	assert_string_equal(a.text, "go up");
	assert_int_equal(a.sent, NOW);
	assert_int_equal(a.effective, NOW);
	assert_int_equal(a.expires, NOW + WARN_DEFAULT_EXPIRES_S);
	assert_int_equal(a.type, AT_ALERT);
	assert_int_equal(a.severity, 0);
	assert_int_equal(a.nzones, 2);
	assert_string_equal(a.zones[1], "4306");
	assert_int_equal(a.nplay, 0);
	assert_int_equal(a.repeat, 1);
	assert_int_equal(a.volume, VOLUME_KEEP);

	f.id = "given-1";
	f.sender = "county-3";
	f.severity = 3;
	f.expires_s = 60;
	f.status = ST_TEST;
	assert_int_equal(warn_fields_alert("t", &f, &c, NOW, &a), 0);
	assert_string_equal(a.id, "given-1");
	assert_string_equal(a.sender, "county-3");
	assert_int_equal(a.severity, 3);
	assert_int_equal(a.expires, NOW + 60);
	assert_int_equal(a.status, ST_TEST);

	memset(title, 'a', sizeof title - 1);
	title[sizeof title - 1] = '\0';
	f.title = title;
	assert_int_equal(warn_fields_alert("t", &f, &c, NOW, &a), EXIT_USAGE);
}

static void test_clip_item(void **state)
{
	char dir[] = "/tmp/cx-test-wf-XXXXXX", path[64], bad[64];
	struct play_item p;
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/flood_1.opus", dir);
	assert_non_null(fp = fopen(path, "w"));
	fputs("abc", fp);
	fclose(fp);
	assert_int_equal(warn_clip_item("t", "clip", path, &p), 0);
	assert_int_equal(p.kind, PLAY_CLIP);
	assert_string_equal(p.name, "flood_1.opus");
	assert_memory_equal(p.sha256, ABC_SHA, 32);

	snprintf(bad, sizeof bad, "%s/.hidden.opus", dir);
	assert_int_equal(warn_clip_item("t", "clip", bad, &p), EXIT_USAGE);
	snprintf(bad, sizeof bad, "%s/a b.opus", dir);
	assert_int_equal(warn_clip_item("t", "fallback-clip", bad, &p), EXIT_USAGE);
	snprintf(bad, sizeof bad, "%s/missing.opus", dir);
	assert_int_equal(warn_clip_item("t", "clip", bad, &p), EXIT_CONFIG);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_and_options),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_alert),
		cmocka_unit_test(test_clip_item),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

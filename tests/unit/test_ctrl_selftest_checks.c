/*
 * test_ctrl_selftest_checks: the self-test's checks that finish at once
 * (controller/selftest_checks.c) on real files: storage written and read
 * back, or the step that failed; clips against SHA256SUMS (through
 * controller/clipcheck: match, mismatch, a path, no manifest); the sound device
 * through the null sink; and the [selftest] config keys
 * (common/config_selftest.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/config_selftest.h"
#include "controller/selftest_checks.h"

/* sha256 of "hello\n" */
#define HELLO_SHA "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"

static char dir[64];

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

static int
setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/cx-stchecks-XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static void
put(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void
test_storage(void **state)
{
	struct selftest_check c;
	char missing[96];
	struct stat st;

	(void)state;
	selftest_check_storage(dir, &c);
	assert_string_equal(c.name, "storage");
	assert_int_equal(c.ok, 1);
	assert_non_null(strstr(c.value, "4 KiB written, fsync'd, read back, deleted"));
	snprintf(missing, sizeof(missing), "%s/selftest.probe", dir);
	assert_int_equal(stat(missing, &st), -1);          /* nothing left behind */
	snprintf(missing, sizeof(missing), "%s/gone", dir);
	selftest_check_storage(missing, &c);
	assert_int_equal(c.ok, 0);
	assert_string_equal(c.value, "open: No such file or directory");
}

static void
test_clips(void **state)
{
	struct selftest_check c;

	(void)state;
	selftest_check_clips(dir, &c);
	assert_string_equal(c.name, "clips");
	assert_int_equal(c.ok, 1);
	assert_string_equal(c.value, "no manifest");
	put("a.opus", "hello\n");
	put("b.opus", "hello\n");
	put("SHA256SUMS", HELLO_SHA "  a.opus\n" HELLO_SHA " *b.opus\n");
	selftest_check_clips(dir, &c);
	assert_int_equal(c.ok, 1);
	assert_string_equal(c.value, "every clip matches SHA256SUMS");
	put("b.opus", "changed\n");
	selftest_check_clips(dir, &c);
	assert_int_equal(c.ok, 0);
	assert_string_equal(c.value, "1 bad: b.opus: missing or does not match its SHA-256");
	put("SHA256SUMS", HELLO_SHA "  ../a.opus\n");
	selftest_check_clips(dir, &c);
	assert_int_equal(c.ok, 0);
}

static void
test_sound(void **state)
{
	struct selftest_check c;
	struct cx_err e = { "" };
	struct sink *s;

	(void)state;
	assert_non_null(s = sink_open("null:", &e));
	selftest_check_sound(s, &c);
	assert_int_equal(c.ok, 1);
	assert_string_equal(c.value, "opened, 4800 frames of silence accepted");
	sink_close(s);
	selftest_check_sound(NULL, &c);
	assert_int_equal(c.ok, 0);
	selftest_check_clock("unsynced", 0, &c);
	assert_int_equal(c.ok, 0);
	assert_string_equal(c.value, "unsynced");
}

static void
test_config(void **state)
{
	struct selftest_config c;
	struct cx_err e = { "" };
	char hours[16];

	(void)state;
	config_selftest_defaults(&c);
	assert_int_equal(c.nightly_min, 180);
	assert_int_equal(c.chime_volume, 20);
	config_selftest_hours(&c, hours, sizeof(hours));
	assert_string_equal(hours, "08:00-20:00");
	assert_true(config_selftest_audible(&c, 8 * 60));
	assert_false(config_selftest_audible(&c, 20 * 60));
	assert_int_equal(config_selftest_key(&c, "nightly", "23:59", &e), 0);
	assert_int_equal(c.nightly_min, 23 * 60 + 59);
	assert_int_equal(config_selftest_key(&c, "nightly", "off", &e), -1);   /* twice */
	assert_non_null(strstr(e.msg, "duplicate"));
	config_selftest_defaults(&c);
	assert_int_equal(config_selftest_key(&c, "nightly", "off", &e), 0);
	assert_int_equal(c.nightly_min, -1);
	assert_int_equal(config_selftest_key(&c, "audible_hours", "22:00-06:30", &e), 0);
	assert_true(config_selftest_audible(&c, 23 * 60));
	assert_true(config_selftest_audible(&c, 6 * 60));
	assert_false(config_selftest_audible(&c, 6 * 60 + 30));
	assert_int_equal(config_selftest_key(&c, "chime_volume", "100", &e), 0);
	config_selftest_defaults(&c);
	assert_int_equal(config_selftest_key(&c, "nightly", "3:00", &e), -1);
	assert_int_equal(config_selftest_key(&c, "chime_volume", "0", &e), -1);
	assert_int_equal(config_selftest_key(&c, "audible_hours", "08:00-08:00", &e), -1);
	assert_int_equal(config_selftest_key(&c, "colour", "red", &e), -1);
	assert_non_null(strstr(e.msg, "unknown key 'colour' in [selftest]"));
	config_selftest_defaults(&c);
	assert_int_equal(config_selftest_key(&c, "nightly", "24:00", &e), -1);
	config_selftest_defaults(&c);
	assert_int_equal(config_selftest_key(&c, "audible_hours", "08:00-20:60", &e), -1);
	config_selftest_defaults(&c);
	assert_int_equal(config_selftest_key(&c, "audible_hours", "08:00 20:00", &e), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_storage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clips, setup, teardown),
		cmocka_unit_test(test_sound),
		cmocka_unit_test(test_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

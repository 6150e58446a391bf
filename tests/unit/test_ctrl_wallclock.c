/*
 * test_ctrl_wallclock: may the node trust its wall clock
 * (controller/wallclock.h), with the fake clock and a flag file as the
 * time source.  untrusted = not synced and behind L - skew, where L = the
 * floor + monotonic time since it was read; the floor follows a synced
 * clock and never moves back; a jump is wall - monotonic moving > 2 s.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "controller/wallclock.h"

#define FLOOR 1796000000LL     /* the saved last known time */
#define SKEW 300

static char flag[64], source[80];

static void
set_flag(const char *word)
{
	FILE *f = fopen(flag, "w");

	assert_non_null(f);
	fputs(word, f);
	fclose(f);
}

static int
setup(void **state)
{
	int fd;

	(void)state;
	strcpy(flag, "/tmp/cx-wallclock-XXXXXX");
	if ((fd = mkstemp(flag)) == -1)
		return -1;
	close(fd);
	snprintf(source, sizeof(source), "file:%s", flag);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(flag);
	clock_fake(0, 0, 0);
	return 0;
}

/* Boot in 1970 with a floor: untrusted; L grows with the monotonic clock. */
static void
test_boot_1970(void **state)
{
	struct wallclock w;

	(void)state;
	clock_fake(1, 10000, 300);
	wallclock_init(&w, "none", SKEW, FLOOR);
	assert_int_equal(wallclock_look(&w), WC_CHANGED);
	assert_int_equal(w.state, WC_UNTRUSTED);
	assert_string_equal(wallclock_word(w.state), "untrusted");
	assert_true(wallclock_bound(&w) == FLOOR);
	clock_advance(90500);
	assert_true(wallclock_bound(&w) == FLOOR + 90);
	assert_int_equal(wallclock_look(&w), 0);       /* nothing new */
	assert_int_equal(w.state, WC_UNTRUSTED);
}

/* Within the skew behind L, or ahead of it: unsynced, judged as right. */
static void
test_unsynced(void **state)
{
	struct wallclock w;

	(void)state;
	clock_fake(1, 10000, FLOOR - SKEW);
	wallclock_init(&w, "none", SKEW, FLOOR);
	wallclock_look(&w);
	assert_int_equal(w.state, WC_UNSYNCED);
	assert_string_equal(wallclock_word(w.state), "unsynced");
	clock_fake(1, 10000, FLOOR - SKEW - 1);
	wallclock_init(&w, "none", SKEW, FLOOR);
	wallclock_look(&w);
	assert_int_equal(w.state, WC_UNTRUSTED);
	clock_fake(1, 10000, FLOOR + 86400);           /* ahead: not known wrong */
	wallclock_init(&w, "none", SKEW, FLOOR);
	wallclock_look(&w);
	assert_int_equal(w.state, WC_UNSYNCED);
	assert_true(w.floor == FLOOR);                 /* never saved unsynced */
}

/* A jump out of 1970 is seen; so is the flag turning synced, and then
 * the floor follows the clock, never back. */
static void
test_jump_and_sync(void **state)
{
	struct wallclock w;

	(void)state;
	set_flag("unsynced\n");
	clock_fake(1, 10000, 300);
	wallclock_init(&w, source, SKEW, FLOOR);
	wallclock_look(&w);
	assert_int_equal(w.state, WC_UNTRUSTED);
	clock_advance(2000);
	assert_int_equal(wallclock_look(&w), 0);       /* both clocks moved together */
	clock_fake(1, 13000, FLOOR + 100);             /* stepped: 1 s later, years ahead */
	assert_int_equal(wallclock_look(&w), WC_CHANGED | WC_JUMPED);
	assert_int_equal(w.state, WC_UNSYNCED);
	clock_advance(1000);
	set_flag("  synced 1\n");
	assert_int_equal(wallclock_look(&w), WC_CHANGED);
	assert_int_equal(w.state, WC_SYNCED);
	assert_true(w.floor == FLOOR + 101);
	assert_true(wallclock_bound(&w) == FLOOR + 101);
	/* a synced clock stepped back (it had been stepped wrongly ahead): the
	 * floor follows it, so no later boot judges by the wrong time */
	clock_fake(1, 15000, FLOOR + 50);
	assert_int_equal(wallclock_look(&w), WC_JUMPED);
	assert_true(w.floor == FLOOR + 50);
	assert_true(wallclock_bound(&w) == FLOOR + 50);
	/* a word that only starts with "synced" is not it; a missing file is not synced */
	set_flag("syncedX\n");
	assert_int_equal(wallclock_look(&w), WC_CHANGED);
	assert_int_equal(w.state, WC_UNSYNCED);
	unlink(flag);
	wallclock_look(&w);
	assert_int_equal(w.state, WC_UNSYNCED);
	set_flag("synced");
	wallclock_look(&w);
	assert_int_equal(w.state, WC_SYNCED);
	/* a jump of 2 s or less is drift, not a jump */
	clock_fake(1, 20000, FLOOR + 57);
	assert_int_equal(wallclock_look(&w) & WC_JUMPED, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_boot_1970, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsynced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jump_and_sync, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_gpio_sim_wire: the sim chip's wiring (DIR/wire) and injected relay
 * faults (DIR/fault/<line>), as the self-tests see them: a feedback input
 * that follows its relay, a relay stuck on or off, DIR/in overriding the
 * wire, and bad files refused with a message naming them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/clock.h"
#include "gpio/gpio.h"
#include "gpio/gpio_sim.h"

enum { AMP, SIREN, AMP_FB, SIREN_FB, NLINES };

static const struct gpio_line_cfg lines[NLINES] = {
	[AMP] = { .role = "amp", .line = "AMP_EN", .dir = GPIO_OUT },
	[SIREN] = { .role = "siren", .line = "SIREN_EN", .dir = GPIO_OUT },
	[AMP_FB] = { .role = "amp_fb", .line = "AMP_OK", .dir = GPIO_IN },
	[SIREN_FB] = { .role = "siren_fb", .line = "SIREN_OK", .dir = GPIO_IN },
};

struct fx {
	char dir[64];
	char dev[80];
	struct gpio *g;
};

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(fp = fopen(path, "w"));
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static void remove_file(const char *dir, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(unlink(path), 0);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct cx_err e = { "" };
	char path[128];

	if (f == NULL)
		return -1;
	strcpy(f->dir, "/tmp/cx-gpio-wire-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/fault", f->dir);
	mkdir(path, 0755);
	snprintf(f->dev, sizeof(f->dev), "sim:%s", f->dir);
	clock_fake(1, 1000, 1700000000);
	write_file(f->dir, "wire", "# feedback follows the relay\nAMP_OK AMP_EN\n\nsiren_fb siren\n");
	if ((f->g = gpio_open(f->dev, lines, NLINES, "test", &e)) == NULL) {
		print_error("gpio_open: %s\n", e.msg);
		return -1;
	}
	*state = f;
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	struct fx *f = *state;

	gpio_close(f->g);
	nftw(f->dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	clock_fake(0, 0, 0);
	return 0;
}

static int get(struct fx *f, int idx)
{
	struct cx_err e = { "" };
	int v = -1;

	if (gpio_get(f->g, idx, &v, &e) < 0)
		fail_msg("gpio_get: %s", e.msg);
	return v;
}

static void set(struct fx *f, int idx, int v)
{
	struct cx_err e = { "" };

	if (gpio_set(f->g, idx, v, &e) < 0)
		fail_msg("gpio_set: %s", e.msg);
}

static int nedges(const struct fx *f)
{
	struct gpio_sim_edge ed[16];
	struct cx_err e = { "" };

	return gpio_sim_read_edges(f->dir, ed, 16, &e);
}

/* By line names and by roles, the input reads what the relay does. */
static void test_wire_follows_relay(void **state)
{
	struct fx *f = *state;

	assert_int_equal(get(f, AMP_FB), 0);
	set(f, AMP, 1);
	assert_int_equal(get(f, AMP_FB), 1);
	assert_int_equal(get(f, SIREN_FB), 0);
	set(f, SIREN, 1);
	assert_int_equal(get(f, SIREN_FB), 1);
	set(f, AMP, 0);
	assert_int_equal(get(f, AMP_FB), 0);
	assert_int_equal(nedges(f), 3);
}

/* DIR/in wins: feedback absent while the relay is on. */
static void test_in_file_overrides_wire(void **state)
{
	struct fx *f = *state;

	write_file(f->dir, "in/AMP_OK", "0\n");
	set(f, AMP, 1);
	assert_int_equal(get(f, AMP_FB), 0);
	remove_file(f->dir, "in/AMP_OK");
	assert_int_equal(get(f, AMP_FB), 1);
}

/* A relay stuck off: driven on, nothing happens, no edge, feedback 0. */
static void test_stuck_off(void **state)
{
	struct fx *f = *state;

	write_file(f->dir, "fault/AMP_EN", "stuck-off\n");
	set(f, AMP, 1);
	assert_int_equal(gpio_value(f->g, AMP), 1);            /* what was asked */
	assert_int_equal(get(f, AMP), 0);                      /* what the chip did */
	assert_int_equal(get(f, AMP_FB), 0);
	assert_int_equal(gpio_sim_level(f->dir, "AMP_EN"), 0);
	assert_int_equal(nedges(f), 0);
	remove_file(f->dir, "fault/AMP_EN");                   /* repaired */
	assert_int_equal(get(f, AMP_FB), 1);
	set(f, AMP, 1);                                        /* logged at the next set */
	assert_int_equal(gpio_sim_level(f->dir, "AMP_EN"), 1);
	assert_int_equal(nedges(f), 1);
}

/* A relay stuck on (fault by role): it comes on at the next set and stays. */
static void test_stuck_on_by_role(void **state)
{
	struct fx *f = *state;
	struct gpio_sim_edge ed[4];
	struct cx_err e = { "" };

	write_file(f->dir, "fault/amp", "stuck-on");
	assert_int_equal(get(f, AMP_FB), 1);
	set(f, AMP, 0);
	assert_int_equal(gpio_sim_read_edges(f->dir, ed, 4, &e), 1);
	assert_string_equal(ed[0].line, "AMP_EN");
	assert_int_equal(ed[0].value, 1);
	set(f, AMP, 1);
	set(f, AMP, 0);
	assert_int_equal(gpio_sim_level(f->dir, "AMP_EN"), 1);
	assert_int_equal(nedges(f), 1);
}

/* A stuck-on relay is seen at open: the request cannot switch it off. */
static void test_stuck_on_at_open(void **state)
{
	struct fx *f = *state;
	struct cx_err e = { "" };

	gpio_close(f->g);
	write_file(f->dir, "fault/SIREN_EN", "stuck-on\n");
	assert_non_null(f->g = gpio_open(f->dev, lines, NLINES, "test", &e));
	assert_int_equal(gpio_sim_level(f->dir, "SIREN_EN"), 1);
	assert_int_equal(get(f, SIREN_FB), 1);
}

/* Bad files: a clear error naming the file, nothing changed. */
static void test_bad_files(void **state)
{
	struct fx *f = *state;
	struct cx_err e = { "" };
	int v;

	write_file(f->dir, "fault/AMP_EN", "welded\n");
	assert_int_equal(gpio_set(f->g, AMP, 1, &e), -1);
	assert_non_null(strstr(e.msg, "fault/AMP_EN"));
	assert_int_equal(gpio_sim_level(f->dir, "AMP_EN"), 0);
	remove_file(f->dir, "fault/AMP_EN");
	write_file(f->dir, "wire", "AMP_OK\n");
	assert_int_equal(gpio_get(f->g, AMP_FB, &v, &e), -1);
	assert_non_null(strstr(e.msg, "wire:1"));
	write_file(f->dir, "wire", "AMP_OK AMP_EN extra\n");
	assert_int_equal(gpio_get(f->g, AMP_FB, &v, &e), -1);
	write_file(f->dir, "wire", "AMP_OK ../x\n");
	assert_int_equal(gpio_get(f->g, AMP_FB, &v, &e), -1);
}

/* An input wired to an output another process holds reads DIR/state. */
static void test_wire_to_other_process(void **state)
{
	struct fx *f = *state;

	write_file(f->dir, "state", "AMP_EN 0\nSIREN_EN 0\nPUMP 1\n");
	write_file(f->dir, "wire", "AMP_OK PUMP\n");
	assert_int_equal(get(f, AMP_FB), 1);
	write_file(f->dir, "wire", "AMP_OK NOWHERE\n");
	assert_int_equal(get(f, AMP_FB), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_wire_follows_relay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_in_file_overrides_wire, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stuck_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stuck_on_by_role, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stuck_on_at_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wire_to_other_process, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

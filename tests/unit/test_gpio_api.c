/*
 * test_gpio_api: the front of the gpio module (gpio.c): backend choice from
 * the device string, the line table checks, gpio_value() bookkeeping.  The
 * sim backend stands behind it; the gpiod backend is only asked to fail here
 * (the build machines have no GPIO chip; tests/hw/gpiod-qemu.sh drives a
 * real kernel one).
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

#include "gpio/gpio.h"
#include "gpio/gpio_sim.h"

struct fx {
	char dir[64];
	char dev[80];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	strcpy(f->dir, "/tmp/cx-gpio-api-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->dev, sizeof(f->dev), "sim:%s", f->dir);
	*state = f;
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int teardown(void **state)
{
	struct fx *f = *state;

	nftw(f->dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static void expect_open_fails(const char *dev, const struct gpio_line_cfg *l, int n,
    const char *needle)
{
	struct cx_err e = { "" };

	assert_null(gpio_open(dev, l, n, "test", &e));
	if (strstr(e.msg, needle) == NULL)
		fail_msg("error \"%s\" does not mention \"%s\"", e.msg, needle);
}

static void test_device_strings(void **state)
{
	struct fx *f = *state;
	struct gpio_line_cfg l[1] = { { .role = "amp", .line = "amp", .dir = GPIO_OUT } };
	struct gpio *g;

	expect_open_fails(NULL, l, 1, "expected gpiod:CHIP or sim:DIR");
	expect_open_fails("", l, 1, "expected gpiod:CHIP or sim:DIR");
	expect_open_fails("sim", l, 1, "expected gpiod:CHIP or sim:DIR");
	expect_open_fails(f->dir, l, 1, "expected gpiod:CHIP or sim:DIR");
	expect_open_fails("simulator:/tmp", l, 1, "unknown backend \"simulator\"");
	expect_open_fails("SIM:/tmp", l, 1, "unknown backend");
	expect_open_fails(":/tmp", l, 1, "unknown backend");
	expect_open_fails("sim:", l, 1, "no directory");
	expect_open_fails("gpiod:", l, 1, "gpiod");
	expect_open_fails("gpiod:cx-no-such-chip", l, 1, "cx-no-such-chip");
	/* NULL error buffer: allowed, message discarded */
	assert_null(gpio_open("bogus:x", l, 1, "test", NULL));

	assert_non_null(g = gpio_open(f->dev, l, 1, NULL, NULL));  /* default consumer */
	gpio_close(g);
}

static void test_line_table_checks(void **state)
{
	struct fx *f = *state;
	struct gpio_line_cfg l[GPIO_MAX_LINES + 1];
	char names[GPIO_MAX_LINES + 1][16];
	struct gpio *g;
	int i;

	for (i = 0; i <= GPIO_MAX_LINES; i++) {
		snprintf(names[i], sizeof(names[i]), "l%d", i);
		l[i] = (struct gpio_line_cfg){ .role = names[i], .line = names[i], .dir = GPIO_OUT };
	}
	expect_open_fails(f->dev, l, 0, "expected 1 to 16");
	expect_open_fails(f->dev, l, GPIO_MAX_LINES + 1, "17 lines");
	expect_open_fails(f->dev, NULL, 1, "lines given");
	assert_non_null(g = gpio_open(f->dev, l, GPIO_MAX_LINES, "test", NULL));
	gpio_close(g);

	l[1].role = "l0";
	expect_open_fails(f->dev, l, 2, "role l0 given twice");
	l[1].role = "l1";
	l[1].line = "l0";
	expect_open_fails(f->dev, l, 2, "line l0 given twice");
	l[1].line = "l1";
	l[1].role = NULL;
	expect_open_fails(f->dev, l, 2, "bad role name");
	l[1].role = "";
	expect_open_fails(f->dev, l, 2, "bad role name");
	l[1].role = "amp feedback";
	expect_open_fails(f->dev, l, 2, "bad role name");
	l[1].role = "a23456789012345678901234567890123";      /* 33 > GPIO_NAME_MAX */
	expect_open_fails(f->dev, l, 2, "bad role name");
	l[1].role = "a234567890123456789012345678901";        /* 31: fits */
	l[1].line = "b23456789012345678901234567890123";
	expect_open_fails(f->dev, l, 2, "longer than 31");
	l[1].line = NULL;
	expect_open_fails(f->dev, l, 2, "line name missing");
	l[1].line = "b234567890123456789012345678901";
	l[1].dir = (enum gpio_dir)7;
	expect_open_fails(f->dev, l, 2, "bad direction");
	l[1].dir = GPIO_IN;
	assert_non_null(g = gpio_open(f->dev, l, 2, "test", NULL));
	gpio_close(g);
}

static void test_values_kept(void **state)
{
	struct fx *f = *state;
	const struct gpio_line_cfg l[3] = {
		{ .role = "amp", .line = "amp", .dir = GPIO_OUT },
		{ .role = "amp_fb", .line = "fb", .dir = GPIO_IN },
		{ .role = "siren", .line = "siren", .dir = GPIO_OUT },
	};
	struct cx_err e = { "" };
	struct gpio *g;
	int v;

	assert_non_null(g = gpio_open(f->dev, l, 3, "test", &e));
	assert_int_equal(gpio_value(g, 0), 0);
	assert_int_equal(gpio_value(g, 2), 0);
	assert_int_equal(gpio_set(g, 2, 1, &e), 0);
	assert_int_equal(gpio_value(g, 2), 1);
	assert_int_equal(gpio_value(g, 0), 0);
	assert_int_equal(gpio_set(g, 0, -3, &e), 0);          /* non-zero is on */
	assert_int_equal(gpio_value(g, 0), 1);
	assert_int_equal(gpio_get(g, 0, &v, &e), 0);
	assert_int_equal(v, 1);
	assert_int_equal(gpio_set(g, 1, 0, &e), -1);
	assert_non_null(strstr(e.msg, "amp_fb is an input"));
	assert_int_equal(gpio_value(g, 1), -1);
	assert_int_equal(gpio_get(g, 3, &v, &e), -1);
	assert_int_equal(gpio_value(NULL, 0), -1);
	assert_int_equal(gpio_set(NULL, 0, 1, &e), -1);
	gpio_close(g);
	assert_int_equal(gpio_sim_level(f->dir, "amp"), 0);
	assert_int_equal(gpio_sim_level(f->dir, "siren"), 0);
	gpio_close(NULL);
}

/* A failed set leaves gpio_value() at the last value that took. */
static void test_failed_set_keeps_value(void **state)
{
	struct fx *f = *state;
	const struct gpio_line_cfg l[1] = { { .role = "amp", .line = "amp", .dir = GPIO_OUT } };
	struct cx_err e = { "" };
	struct gpio *g;
	char path[128];
	int v = -1;

	assert_non_null(g = gpio_open(f->dev, l, 1, "test", &e));
	/* a directory where the chip file was: the atomic rename fails, even as root */
	snprintf(path, sizeof(path), "%s/state", f->dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/state/x", f->dir);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(gpio_set(g, 0, 1, &e), -1);
	assert_non_null(strstr(e.msg, "amp: sim:"));
	assert_int_equal(gpio_value(g, 0), 0);
	assert_int_equal(gpio_get(g, 0, &v, &e), 0);          /* the model rolled back */
	assert_int_equal(v, 0);
	gpio_close(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_device_strings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_line_table_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_values_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_set_keeps_value, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

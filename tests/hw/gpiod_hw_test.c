/*
 * gpiod_hw_test: the "gpiod:" backend against a real kernel GPIO chip
 * (gpio-sim), run inside the QEMU guest built by tests/hw/gpiod-qemu.sh.
 *
 *   gpiod_hw_test CHIP SYSFS_DIR
 *
 * CHIP is the gpio-sim bank's chip name ("gpiochip0"), SYSFS_DIR its
 * /sys/devices/platform/gpio-sim.N/gpiochipM directory, where sim_gpioK/value
 * shows the physical level the kernel drives and sim_gpioK/pull drives an
 * input.  The bank's lines, named by the guest's init script:
 *   0 cx-amp   1 cx-siren   2 cx-amp-fb   3 cx-beacon   4 cx-door   5 (no name)
 * Prints one line per check and "gpiod_hw_test: N checks, M failed"; exits
 * non-zero if any check failed.
 */
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpio/gpio.h"

#define CONSUMER "cx-hwtest"

enum { AMP, SIREN, BEACON, SPARE, AMP_FB, DOOR, NLINES };

static const struct gpio_line_cfg lines[NLINES] = {
	[AMP] = { .role = "amp", .line = "cx-amp", .dir = GPIO_OUT },
	[SIREN] = { .role = "siren", .line = "cx-siren", .dir = GPIO_OUT },
	[BEACON] = { .role = "beacon", .line = "cx-beacon", .dir = GPIO_OUT, .active_low = 1 },
	[SPARE] = { .role = "spare", .line = "5", .dir = GPIO_OUT },
	[AMP_FB] = { .role = "amp_fb", .line = "cx-amp-fb", .dir = GPIO_IN },
	[DOOR] = { .role = "door", .line = "cx-door", .dir = GPIO_IN, .active_low = 1 },
};
static const int offset[NLINES] = { [AMP] = 0, [SIREN] = 1, [BEACON] = 3, [SPARE] = 5,
	[AMP_FB] = 2, [DOOR] = 4 };

static const char *sysdir;
static int nchecks, nfailed;

static void check(int ok, const char *what)
{
	nchecks++;
	if (!ok)
		nfailed++;
	printf("%s: %s\n", ok ? "ok" : "FAIL", what);
	fflush(stdout);
}

/* Physical level the kernel drives on line off, from gpio-sim's sysfs. */
static int phys(int off)
{
	char path[256];
	FILE *f;
	int v = -1;

	snprintf(path, sizeof(path), "%s/sim_gpio%d/value", sysdir, off);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (fscanf(f, "%d", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static int pull(int off, const char *how)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/sim_gpio%d/pull", sysdir, off);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fputs(how, f);
	return fclose(f);
}

/* amp, siren, beacon, spare as the pins show them */
static int pins_are(int amp, int siren, int beacon, int spare)
{
	return phys(offset[AMP]) == amp && phys(offset[SIREN]) == siren &&
	    phys(offset[BEACON]) == beacon && phys(offset[SPARE]) == spare;
}

static int logical(struct gpio *g, int idx)
{
	int v = -1;

	if (gpio_get(g, idx, &v, NULL) < 0)
		return -1;
	return v;
}

static void test_consumer(const char *chipname)
{
	struct gpiod_chip *c = gpiod_chip_open_lookup(chipname);
	struct gpiod_line *l = c ? gpiod_chip_get_line(c, 0) : NULL;
	const char *who = l ? gpiod_line_consumer(l) : NULL;

	check(who != NULL && strcmp(who, CONSUMER) == 0, "consumer label set on the line");
	if (c != NULL)
		gpiod_chip_close(c);
}

static void test_errors(const char *dev)
{
	struct gpio_line_cfg l = { .role = "x", .line = "cx-amp", .dir = GPIO_OUT };
	struct cx_err e = { "" };
	struct gpio *g;

	check((g = gpio_open(dev, &l, 1, CONSUMER, &e)) == NULL && strstr(e.msg, "busy"),
	    "second request of a held line refused (busy)");
	printf("   (%s)\n", e.msg);
	gpio_close(g);
	l.line = "cx-nope";
	check((g = gpio_open(dev, &l, 1, CONSUMER, &e)) == NULL &&
	    strstr(e.msg, "no line named"), "unknown line name refused");
	printf("   (%s)\n", e.msg);
	gpio_close(g);
	l.line = "99";
	check((g = gpio_open(dev, &l, 1, CONSUMER, &e)) == NULL, "offset past the chip refused");
	printf("   (%s)\n", e.msg);
	gpio_close(g);
	check((g = gpio_open("gpiod:cx-no-chip", &l, 1, CONSUMER, &e)) == NULL,
	    "unknown chip refused");
	printf("   (%s)\n", e.msg);
	gpio_close(g);
}

struct check_log {
	int n;
	int idx[8];
	char what[8][CX_ERR_MAX];
};

static void on_check_bad(void *arg, int idx, const char *what)
{
	struct check_log *cl = arg;

	if (cl->n < 8) {
		cl->idx[cl->n] = idx;
		snprintf(cl->what[cl->n], sizeof(cl->what[0]), "%s", what);
	}
	cl->n++;
}

/* cunxiangd -n: gpio_check() finds lines by name and offset on the live
 * chip, read-only: it works while the daemon (here g) holds the lines,
 * and it changes no pin. */
static void test_check(const char *dev, int amp_on)
{
	struct gpio_line_cfg l[3] = {
		{ .role = "amp", .line = "cx-amp", .dir = GPIO_OUT },
		{ .role = "siren", .line = "99", .dir = GPIO_OUT },
		{ .role = "door", .line = "cx-nope", .dir = GPIO_IN },
	};
	struct check_log cl = { 0 };

	check(gpio_check(dev, l, 1, on_check_bad, &cl) == 0 && cl.n == 0,
	    "gpio_check: a held line by name is fine (no request made)");
	check(phys(offset[AMP]) == amp_on, "gpio_check changed no pin");
	memset(&cl, 0, sizeof(cl));
	check(gpio_check(dev, l, 3, on_check_bad, &cl) == 2 && cl.n == 2 && cl.idx[0] == 1 &&
	    strstr(cl.what[0], "no line 99 (chip has 8)") && cl.idx[1] == 2 &&
	    strstr(cl.what[1], "no line named \"cx-nope\""),
	    "gpio_check: offset past the chip and an unknown name, each named");
	printf("   (%s; %s)\n", cl.what[0], cl.what[1]);
	memset(&cl, 0, sizeof(cl));
	check(gpio_check("gpiod:cx-no-chip", l, 1, on_check_bad, &cl) == 1 && cl.idx[0] == -1 &&
	    strstr(cl.what[0], "no such chip"), "gpio_check: unknown chip named");
}

static void test_outputs(struct gpio *g)
{
	struct cx_err e = { "" };

	check(gpio_set(g, AMP, 1, &e) == 0 && pins_are(1, 0, 1, 0), "amp on: only amp pin high");
	check(gpio_set(g, SIREN, 1, &e) == 0 && pins_are(1, 1, 1, 0),
	    "siren on: amp stays on (whole-request set)");
	check(gpio_set(g, BEACON, 1, &e) == 0 && pins_are(1, 1, 0, 0),
	    "active-low beacon on: pin low, others kept");
	check(gpio_set(g, AMP, 0, &e) == 0 && pins_are(0, 1, 0, 0), "amp off: siren stays on");
	check(gpio_set(g, SPARE, 1, &e) == 0 && pins_are(0, 1, 0, 1), "line by offset 5 on");
	check(logical(g, AMP) == 0 && logical(g, SIREN) == 1 && logical(g, BEACON) == 1 &&
	    logical(g, SPARE) == 1, "gpio_get reads each output's own logical value");
	check(gpio_value(g, SIREN) == 1 && gpio_value(g, AMP) == 0, "gpio_value tracks sets");
	check(gpio_set(g, AMP_FB, 1, &e) < 0, "gpio_set on an input refused");
}

static void test_inputs(struct gpio *g)
{
	check(pull(offset[AMP_FB], "pull-up") == 0 && logical(g, AMP_FB) == 1, "input pulled up reads 1");
	check(pull(offset[AMP_FB], "pull-down") == 0 && logical(g, AMP_FB) == 0,
	    "input pulled down reads 0");
	check(pull(offset[DOOR], "pull-up") == 0 && logical(g, DOOR) == 0,
	    "active-low input pulled up reads 0");
	check(pull(offset[DOOR], "pull-down") == 0 && logical(g, DOOR) == 1,
	    "active-low input pulled down reads 1");
}

int main(int argc, char **argv)
{
	struct cx_err e = { "" };
	char dev[96];
	struct gpio *g;

	if (argc != 3) {
		fprintf(stderr, "usage: gpiod_hw_test CHIP SYSFS_DIR\n");
		return 2;
	}
	sysdir = argv[2];
	snprintf(dev, sizeof(dev), "gpiod:%s", argv[1]);

	/* pulled up while free, so "requested off" is a visible change */
	check(pull(offset[AMP], "pull-up") == 0 && phys(offset[AMP]) == 1,
	    "free amp line pulled up reads high");
	if ((g = gpio_open(dev, lines, NLINES, CONSUMER, &e)) == NULL) {
		printf("FAIL: gpio_open %s: %s\n", dev, e.msg);
		return 1;
	}
	check(pins_are(0, 0, 1, 0), "outputs requested off (active-low pin high)");
	check(gpio_value(g, AMP) == 0 && gpio_value(g, BEACON) == 0, "gpio_value 0 after open");
	test_consumer(argv[1]);
	test_outputs(g);
	test_check(dev, 0);
	test_inputs(g);
	test_errors(dev);
	gpio_close(g);

	/* released: the lines can be requested again */
	g = gpio_open(dev, lines, NLINES, CONSUMER, &e);
	check(g != NULL && pins_are(0, 0, 1, 0), "lines released by close, reopened off");
	gpio_close(g);

	printf("gpiod_hw_test: %d checks, %d failed\n", nchecks, nfailed);
	return nfailed ? 1 : 0;
}

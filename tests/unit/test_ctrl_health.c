/*
 * Unit tests for controller/health.c on the fake clock and the sim GPIO
 * chip: inputs debounced (two equal reads 200 ms apart), button edges,
 * fault words, a status published on each change and every heartbeat_s.
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
#include <unistd.h>

#include "common/clock.h"
#include "controller/health.h"

struct fx {
	char dir[64], dev[80];
	struct loop *loop;
	struct gpio *gpio;
	struct spool *spool;
	struct report *report;
	struct health *h;
	int in_idx[CI_COUNT];
	int published;
	int pressed[CI_COUNT];
};

static void
on_publish(void *arg)
{
	((struct fx *)arg)->published++;
}

static void
on_pressed(void *arg, enum cfg_input b)
{
	((struct fx *)arg)->pressed[b]++;
}

static void
set_in(struct fx *f, const char *line, int v)
{
	char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/in/%s", f->dir, line);
	assert_non_null(fp = fopen(path, "w"));
	fprintf(fp, "%d\n", v);
	fclose(fp);
}

/* One input poll. */
static void
poll_once(struct fx *f)
{
	clock_advance(HEALTH_POLL_MS);
	assert_int_equal(loop_once(f->loop, 0), 0);
}

static int
setup(void **state)
{
	static const struct gpio_line_cfg lines[] = {
		{ "amp", "AMP", GPIO_OUT, 0 }, { "mains", "MAINS", GPIO_IN, 0 },
		{ "door", "DOOR", GPIO_IN, 0 }, { "local", "LOCAL", GPIO_IN, 0 },
		{ "ack", "ACK", GPIO_IN, 0 },
	};
	struct fx *f = calloc(1, sizeof(*f));
	char path[128];
	struct report_opts ro = { .node = "village-201", .zone = "430682101201", .prefix = "cx" };
	struct health_cfg hc = { .heartbeat_s = 10 };
	struct health_hooks hh = { .publish = on_publish, .pressed = on_pressed };
	struct cx_err e;
	int i;

	clock_fake(1, 1000000, 1795345200);
	strcpy(f->dir, "/tmp/cx-health-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->dev, sizeof(f->dev), "sim:%s", f->dir);
	snprintf(path, sizeof(path), "%s/in", f->dir);
	mkdir(path, 0755);
	set_in(f, "MAINS", 1);
	set_in(f, "DOOR", 0);
	set_in(f, "LOCAL", 0);
	set_in(f, "ACK", 0);
	assert_non_null(f->gpio = gpio_open(f->dev, lines, 5, "test", &e));
	for (i = 0; i < CI_COUNT; i++)
		f->in_idx[i] = -1;
	f->in_idx[CI_MAINS] = 1;
	f->in_idx[CI_DOOR] = 2;
	f->in_idx[CI_LOCAL] = 3;
	f->in_idx[CI_ACK] = 4;
	snprintf(path, sizeof(path), "%s/spool", f->dir);
	assert_non_null(f->spool = spool_open(path, 100, &e));
	ro.spool = f->spool;
	assert_non_null(f->report = report_new(&ro, &e));
	assert_non_null(f->loop = loop_new(&e));
	hc.state_dir = f->dir;
	hc.clip_dir = f->dir;               /* no SHA256SUMS: clips "none" */
	hc.gpio = f->gpio;
	hc.in_idx = f->in_idx;
	assert_non_null(f->h = health_new(f->loop, &hc, f->report, &hh, f, &e));
	*state = f;
	return 0;
}

static int
rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb; (void)flag; (void)ftw;
	return remove(p);
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	health_free(f->h);
	loop_free(f->loop);
	report_free(f->report);
	spool_close(f->spool);
	gpio_close(f->gpio);
	nftw(f->dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	clock_fake(0, 0, 0);
	free(f);
	return 0;
}

static void
peek(struct fx *f, struct node_status *s)
{
	report_peek(f->report, s);
}

static void
test_debounce_and_faults(void **state)
{
	struct fx *f = *state;
	struct node_status s;

	(void)state;
	assert_int_equal(health_input(f->h, CI_MAINS), -1);    /* one read: not yet known */
	poll_once(f);
	assert_int_equal(health_input(f->h, CI_MAINS), 1);
	assert_int_equal(health_input(f->h, CI_DOOR), 0);
	assert_int_equal(health_input(f->h, CI_BATTERY_LOW), -1);  /* not wired */
	assert_int_equal(f->published, 1);                     /* the inputs became known */
	peek(f, &s);
	assert_int_equal(s.has_health, 1);
	assert_int_equal(s.heartbeat_s, 10);
	assert_int_equal(s.inputs_set, 1u << SI_MAINS | 1u << SI_DOOR | 1u << SI_LOCAL |
	    1u << SI_ACK);
	assert_int_equal(s.inputs_val, 1u << SI_MAINS);
	assert_int_equal(s.nfaults, 0);
	assert_string_equal(s.clips, "none");
	assert_true(s.disk_free_kb > 0);

	/* a glitch of one read is not a change */
	set_in(f, "DOOR", 1);
	poll_once(f);
	set_in(f, "DOOR", 0);
	poll_once(f);
	poll_once(f);
	assert_int_equal(f->published, 1);

	/* two reads: the door is open, a status goes out at once */
	set_in(f, "DOOR", 1);
	poll_once(f);
	assert_int_equal(f->published, 1);
	poll_once(f);
	assert_int_equal(f->published, 2);
	peek(f, &s);
	assert_true(status_has_fault(&s, "door-open"));
	set_in(f, "MAINS", 0);
	poll_once(f);
	poll_once(f);
	assert_int_equal(f->published, 3);
	peek(f, &s);
	assert_int_equal(s.nfaults, 2);
	assert_string_equal(s.faults[0], "door-open");
	assert_string_equal(s.faults[1], "mains-lost");
	poll_once(f);
	assert_int_equal(f->published, 3);                     /* nothing new */

	/* health from elsewhere: storage, clock, the last self-test */
	report_set_storage(f->report, "full", "spool: No space left on device");
	report_set_clock(f->report, "untrusted");
	report_set_selftest(f->report, "selftest.1", 0, 1795345200000LL);
	poll_once(f);
	assert_int_equal(f->published, 4);
	peek(f, &s);
	assert_true(status_has_fault(&s, "storage-full"));
	assert_true(status_has_fault(&s, "clock-untrusted"));
	assert_true(status_has_fault(&s, "selftest-failed"));
	assert_int_equal(s.nfaults, 5);

	/* a line that cannot be read (the sim's file holds no level): input-error
	 * at the next poll, gone when it reads again */
	{
		char path[128];
		FILE *fp;

		snprintf(path, sizeof(path), "%s/in/DOOR", f->dir);
		assert_non_null(fp = fopen(path, "w"));
		fputs("garbage\n", fp);
		fclose(fp);
	}
	poll_once(f);
	assert_int_equal(f->published, 5);
	peek(f, &s);
	assert_true(status_has_fault(&s, "input-error"));
	set_in(f, "DOOR", 1);
	poll_once(f);
	assert_int_equal(f->published, 6);
	peek(f, &s);
	assert_false(status_has_fault(&s, "input-error"));
}

static void
test_heartbeat(void **state)
{
	struct fx *f = *state;
	int i;

	poll_once(f);
	assert_int_equal(f->published, 1);
	for (i = 0; i < 10000 / HEALTH_POLL_MS - 2; i++)
		poll_once(f);
	assert_int_equal(f->published, 1);
	poll_once(f);                                          /* 10 s since the start */
	assert_int_equal(f->published, 2);
	for (i = 0; i < 10000 / HEALTH_POLL_MS; i++)
		poll_once(f);
	assert_int_equal(f->published, 3);
}

static void
test_buttons(void **state)
{
	struct fx *f = *state;

	poll_once(f);
	set_in(f, "LOCAL", 1);
	poll_once(f);
	assert_int_equal(f->pressed[CI_LOCAL], 0);             /* one read */
	poll_once(f);
	assert_int_equal(f->pressed[CI_LOCAL], 1);
	poll_once(f);
	poll_once(f);
	assert_int_equal(f->pressed[CI_LOCAL], 1);             /* held: one press */
	set_in(f, "LOCAL", 0);
	poll_once(f);
	poll_once(f);
	set_in(f, "ACK", 1);
	set_in(f, "LOCAL", 1);
	poll_once(f);
	poll_once(f);
	assert_int_equal(f->pressed[CI_LOCAL], 2);
	assert_int_equal(f->pressed[CI_ACK], 1);
	assert_int_equal(f->pressed[CI_MAINS], 0);
}

/* A button held while the node starts is not a press. */
static void
test_held_at_start(void **state)
{
	struct fx *f = *state;
	struct health_cfg hc = { .state_dir = f->dir, .clip_dir = f->dir, .heartbeat_s = 60,
		.gpio = f->gpio, .in_idx = f->in_idx };
	struct health_hooks hh = { .publish = on_publish, .pressed = on_pressed };
	struct cx_err e;

	health_free(f->h);
	set_in(f, "ACK", 1);
	assert_non_null(f->h = health_new(f->loop, &hc, f->report, &hh, f, &e));
	poll_once(f);
	poll_once(f);
	assert_int_equal(health_input(f->h, CI_ACK), 1);
	assert_int_equal(f->pressed[CI_ACK], 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_debounce_and_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_heartbeat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_buttons, setup, teardown),
		cmocka_unit_test_setup_teardown(test_held_at_start, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

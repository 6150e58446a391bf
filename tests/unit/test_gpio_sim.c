/*
 * test_gpio_sim: the "sim:DIR" chip model, through the public gpio API and
 * the gpio_sim readers.  Each test gets a fresh directory under /tmp; the
 * fake clock makes edge times exact.  Crash and busy cases fork a child that
 * holds the chip, as a second process would.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "gpio/gpio.h"
#include "gpio/gpio_sim.h"

enum { AMP, SIREN, AMP_FB, NLINES };

static const struct gpio_line_cfg lines[NLINES] = {
	[AMP] = { .role = "amp", .line = "amp", .dir = GPIO_OUT },
	[SIREN] = { .role = "siren", .line = "siren", .dir = GPIO_OUT, .active_low = 1 },
	[AMP_FB] = { .role = "amp_fb", .line = "amp_fb", .dir = GPIO_IN },
};

struct fx {
	char dir[64];
	char dev[80];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	strcpy(f->dir, "/tmp/cx-gpio-sim-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->dev, sizeof(f->dev), "sim:%s", f->dir);
	clock_fake(1, 1000, 1700000000);
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
	clock_fake(0, 0, 0);
	return 0;
}

static struct gpio *open_ok_lines(const struct fx *f, const struct gpio_line_cfg *l, int n)
{
	struct cx_err e = { "" };
	struct gpio *g = gpio_open(f->dev, l, n, "test", &e);

	if (g == NULL)
		fail_msg("gpio_open: %s", e.msg);
	return g;
}

static struct gpio *open_ok(const struct fx *f)
{
	return open_ok_lines(f, lines, NLINES);
}

static int edges(const struct fx *f, struct gpio_sim_edge *out, int max)
{
	struct cx_err e = { "" };
	int n = gpio_sim_read_edges(f->dir, out, max, &e);

	if (n < 0)
		fail_msg("read_edges: %s", e.msg);
	return n;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(fp = fopen(path, "w"));
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static void read_text(const char *dir, const char *name, char *buf, size_t size)
{
	char path[256];
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(fp = fopen(path, "r"));
	n = fread(buf, 1, size - 1, fp);
	buf[n] = '\0';
	fclose(fp);
}

static void assert_edge(const struct gpio_sim_edge *ed, uint64_t ms, const char *line, int v)
{
	assert_int_equal(ed->ns, ms * 1000000u);
	assert_string_equal(ed->line, line);
	assert_int_equal(ed->value, v);
}

static void test_outputs_start_off(void **state)
{
	struct fx *f = *state;
	struct gpio_sim_edge ed[4];
	struct gpio *g = open_ok(f);
	struct stat st;
	char path[128];
	int v = -1;

	assert_int_equal(gpio_value(g, AMP), 0);
	assert_int_equal(gpio_value(g, SIREN), 0);
	assert_int_equal(gpio_sim_level(f->dir, "amp"), 0);
	assert_int_equal(gpio_sim_level(f->dir, "siren"), 0);
	assert_int_equal(gpio_get(g, AMP, &v, NULL), 0);
	assert_int_equal(v, 0);
	/* a fresh chip's lines are low: requesting them off is no transition */
	assert_int_equal(edges(f, ed, 4), 0);
	snprintf(path, sizeof(path), "%s/in", f->dir);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	gpio_close(g);
}

static void test_edges_exact_times(void **state)
{
	struct fx *f = *state;
	struct gpio_sim_edge ed[8];
	struct gpio *g = open_ok(f);
	struct cx_err e = { "" };
	char text[128];

	assert_int_equal(gpio_set(g, AMP, 1, &e), 0);          /* t = 1000 ms */
	clock_advance(250);
	assert_int_equal(gpio_set(g, AMP, 1, &e), 0);          /* same level: silent */
	assert_int_equal(gpio_set(g, SIREN, 7, &e), 0);        /* any non-zero is on */
	clock_advance(1500);
	assert_int_equal(gpio_set(g, AMP, 0, &e), 0);          /* t = 2750 ms */
	assert_int_equal(gpio_set(g, AMP, 0, &e), 0);

	assert_int_equal(edges(f, ed, 8), 3);
	assert_edge(&ed[0], 1000, "amp", 1);
	assert_edge(&ed[1], 1250, "siren", 1);   /* logical: active_low changes nothing */
	assert_edge(&ed[2], 2750, "amp", 0);
	assert_int_equal(gpio_value(g, AMP), 0);
	assert_int_equal(gpio_value(g, SIREN), 1);
	assert_int_equal(gpio_sim_level(f->dir, "amp"), 0);
	assert_int_equal(gpio_sim_level(f->dir, "siren"), 1);
	read_text(f->dir, "state", text, sizeof(text));
	assert_string_equal(text, "amp 0\nsiren 1\n");
	read_text(f->dir, "edges", text, sizeof(text));
	assert_string_equal(text, "1000000000 amp 1\n1250000000 siren 1\n2750000000 amp 0\n");
	gpio_close(g);
}

static void test_edges_real_clock_increase(void **state)
{
	struct fx *f = *state;
	struct gpio_sim_edge ed[16];
	struct gpio *g;
	uint64_t before, after;
	int i;

	clock_fake(0, 0, 0);
	g = open_ok(f);
	before = clock_mono_ns();
	for (i = 0; i < 10; i++)
		assert_int_equal(gpio_set(g, i % 2 ? SIREN : AMP, i / 2 % 2 == 0, NULL), 0);
	after = clock_mono_ns();
	assert_int_equal(edges(f, ed, 16), 10);
	for (i = 0; i < 10; i++) {
		assert_true(ed[i].ns >= before && ed[i].ns <= after);
		if (i > 0)
			assert_true(ed[i].ns >= ed[i - 1].ns);
	}
	gpio_close(g);
}

static void test_close_switches_off(void **state)
{
	struct fx *f = *state;
	struct gpio_sim_edge ed[8];
	struct gpio *g = open_ok(f);

	assert_int_equal(gpio_set(g, AMP, 1, NULL), 0);
	assert_int_equal(gpio_set(g, SIREN, 1, NULL), 0);
	clock_advance(10);
	gpio_close(g);
	assert_int_equal(gpio_sim_level(f->dir, "amp"), 0);
	assert_int_equal(gpio_sim_level(f->dir, "siren"), 0);
	assert_int_equal(edges(f, ed, 8), 4);
	assert_edge(&ed[2], 1010, "amp", 0);
	assert_edge(&ed[3], 1010, "siren", 0);
	/* the lock went with the close: the chip can be opened again, silently */
	g = open_ok(f);
	assert_int_equal(edges(f, ed, 8), 4);
	gpio_close(g);
}

/* A process that dies with the amplifier on: the chip keeps the level. */
static void test_crash_leaves_relay_on(void **state)
{
	struct fx *f = *state;
	struct gpio_sim_edge ed[8];
	struct gpio *g;
	int status;
	pid_t pid;

	clock_fake(1, 5000, 0);
	assert_true((pid = fork()) >= 0);
	if (pid == 0) {
		g = gpio_open(f->dev, lines, NLINES, "child", NULL);
		if (g == NULL || gpio_set(g, AMP, 1, NULL) < 0)
			_exit(1);
		_exit(0);       /* no gpio_close(): a crash */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(gpio_sim_level(f->dir, "amp"), 1);

	clock_advance(1000);
	g = open_ok(f);                 /* requesting amp off is a real 1 -> 0 */
	assert_int_equal(gpio_sim_level(f->dir, "amp"), 0);
	assert_int_equal(gpio_value(g, AMP), 0);
	assert_int_equal(edges(f, ed, 8), 2);
	assert_edge(&ed[0], 5000, "amp", 1);
	assert_edge(&ed[1], 6000, "amp", 0);
	gpio_close(g);
	assert_int_equal(edges(f, ed, 8), 2);
}

static void test_second_opener_busy(void **state)
{
	struct fx *f = *state;
	int ready[2], go[2], status;
	struct cx_err e = { "" };
	struct gpio *g;
	char c = 0;
	pid_t pid;

	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(go), 0);
	assert_true((pid = fork()) >= 0);
	if (pid == 0) {
		g = gpio_open(f->dev, lines, NLINES, "child", NULL);
		c = g ? 'y' : 'n';
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(2);
		_exit(g ? 0 : 1);       /* dies holding the lines */
	}
	assert_int_equal(read(ready[0], &c, 1), 1);
	assert_int_equal(c, 'y');
	assert_null(gpio_open(f->dev, lines, NLINES, "test", &e));
	assert_non_null(strstr(e.msg, "lines busy"));
	assert_non_null(strstr(e.msg, f->dir));
	assert_int_equal(write(go[1], "x", 1), 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(ready[0]), close(ready[1]), close(go[0]), close(go[1]);

	/* the lock died with the child */
	g = open_ok(f);
	/* a second holder in the same process is refused too, like EBUSY */
	assert_null(gpio_open(f->dev, lines, NLINES, "test", &e));
	assert_non_null(strstr(e.msg, "lines busy"));
	gpio_close(g);
}

static void test_inputs_from_in_dir(void **state)
{
	struct fx *f = *state;
	struct cx_err e = { "" };
	struct gpio *g = open_ok(f);
	int v = -1;

	assert_int_equal(gpio_get(g, AMP_FB, &v, &e), 0);      /* no file: low */
	assert_int_equal(v, 0);
	write_file(f->dir, "in/amp_fb", "1\n");
	assert_int_equal(gpio_get(g, AMP_FB, &v, &e), 0);
	assert_int_equal(v, 1);
	write_file(f->dir, "in/amp_fb", "0");
	assert_int_equal(gpio_get(g, AMP_FB, &v, &e), 0);
	assert_int_equal(v, 0);
	write_file(f->dir, "in/amp_fb", "on\n");
	assert_int_equal(gpio_get(g, AMP_FB, &v, &e), -1);
	assert_non_null(strstr(e.msg, "amp_fb"));
	write_file(f->dir, "in/amp_fb", "");
	assert_int_equal(gpio_get(g, AMP_FB, &v, &e), -1);
	/* an input is never in the chip's output state, nor logged */
	assert_int_equal(gpio_sim_level(f->dir, "amp_fb"), -1);
	gpio_close(g);
}

static void test_set_on_input_refused(void **state)
{
	struct fx *f = *state;
	struct gpio_sim_edge ed[4];
	struct cx_err e = { "" };
	struct gpio *g = open_ok(f);

	assert_int_equal(gpio_set(g, AMP_FB, 1, &e), -1);
	assert_non_null(strstr(e.msg, "amp_fb"));
	assert_int_equal(gpio_set(g, NLINES, 1, &e), -1);
	assert_int_equal(gpio_set(g, -1, 1, &e), -1);
	assert_int_equal(gpio_value(g, AMP_FB), -1);
	assert_int_equal(gpio_value(g, NLINES), -1);
	assert_int_equal(edges(f, ed, 4), 0);
	gpio_close(g);
}

static void test_bad_line_names(void **state)
{
	static const char *bad[] = { "../amp", "a b", ".hidden", "amp/x", "amp\n1",
	    "tab\there", "" };
	struct fx *f = *state;
	struct gpio_line_cfg l[1] = { { .role = "amp", .dir = GPIO_OUT } };
	struct cx_err e;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		l[0].line = bad[i];
		e.msg[0] = '\0';
		assert_null(gpio_open(f->dev, l, 1, "test", &e));
		assert_true(e.msg[0] != '\0');
	}
	l[0].line = "gpio-17.relay_A";
	gpio_close(open_ok_lines(f, l, 1));
}

static void test_other_lines_kept(void **state)
{
	struct fx *f = *state;
	struct gpio_sim_edge ed[4];
	struct gpio *g;
	char text[128];

	/* another program's line on the same chip, and an old output now an input */
	write_file(f->dir, "state", "door 1\namp_fb 1\n");
	g = open_ok(f);
	assert_int_equal(gpio_set(g, AMP, 1, NULL), 0);
	assert_int_equal(gpio_sim_level(f->dir, "door"), 1);
	assert_int_equal(gpio_sim_level(f->dir, "amp_fb"), -1);
	gpio_close(g);
	read_text(f->dir, "state", text, sizeof(text));
	assert_non_null(strstr(text, "door 1\n"));
	assert_null(strstr(text, "amp_fb"));
	assert_int_equal(edges(f, ed, 4), 2);
}

static void test_corrupt_files(void **state)
{
	struct fx *f = *state;
	struct gpio_sim_edge ed[4];
	struct cx_err e = { "" };

	write_file(f->dir, "state", "amp 2\n");
	assert_null(gpio_open(f->dev, lines, NLINES, "test", &e));
	assert_non_null(strstr(e.msg, "state:1"));
	assert_int_equal(gpio_sim_level(f->dir, "amp"), -1);
	write_file(f->dir, "state", "amp 1\n");
	assert_int_equal(gpio_sim_level(f->dir, "amp"), 1);

	write_file(f->dir, "edges", "12 amp 1\nxx amp 0\n");
	assert_int_equal(gpio_sim_read_edges(f->dir, ed, 4, &e), -1);
	assert_non_null(strstr(e.msg, "edges:2"));
	write_file(f->dir, "edges", "12 amp 1\n13 amp 0\n14 amp 1\n");
	assert_int_equal(gpio_sim_read_edges(f->dir, ed, 2, &e), -1);
	assert_non_null(strstr(e.msg, "more than 2"));
	assert_int_equal(gpio_sim_read_edges(f->dir, ed, 3, &e), 3);
	write_file(f->dir, "edges", "12 amp 1");          /* a torn record */
	assert_int_equal(gpio_sim_read_edges(f->dir, ed, 4, &e), -1);
}

static void test_missing_and_bad_dirs(void **state)
{
	struct fx *f = *state;
	struct gpio_sim_edge ed[1];
	struct cx_err e = { "" };
	char dev[128];

	assert_int_equal(gpio_sim_read_edges(f->dir, ed, 1, &e), 0);    /* nothing yet */
	assert_int_equal(gpio_sim_level(f->dir, "amp"), -1);
	assert_int_equal(gpio_sim_level("/nonexistent/cx", "amp"), -1);

	snprintf(dev, sizeof(dev), "sim:%s/nope", f->dir);
	assert_null(gpio_open(dev, lines, NLINES, "test", &e));
	assert_non_null(strstr(e.msg, "nope"));
	write_file(f->dir, "plain", "x");
	snprintf(dev, sizeof(dev), "sim:%s/plain", f->dir);
	assert_null(gpio_open(dev, lines, NLINES, "test", &e));
	assert_non_null(strstr(e.msg, "not a directory"));
	assert_null(gpio_open("sim:", lines, NLINES, "test", &e));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_outputs_start_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edges_exact_times, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edges_real_clock_increase, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_switches_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_leaves_relay_on, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_opener_busy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inputs_from_in_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_on_input_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_line_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_lines_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_and_bad_dirs, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

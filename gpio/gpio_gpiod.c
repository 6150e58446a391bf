/*
 * gpio_gpiod: "gpiod:CHIP", real lines through libgpiod 1.6 (Debian 12).
 *
 * CHIP is whatever gpiod_chip_open_lookup() takes: "gpiochip0", a path, a
 * label or a number.  Each line is found by name on that chip, or by offset
 * when it is all digits.  Lines are grouped by direction and active_low and
 * each group is one request, so all outputs of a polarity are requested off
 * in the same request (fail safe: no glitch on, no window where one relay is
 * ours and the other is not).
 *
 * libgpiod 1.6 caveat, the reason for the groups' value arrays: a request is
 * one kernel handle, and gpiod_line_set_value() / gpiod_line_get_value() on
 * one line of a multi-line request act on the handle's first line(s) ("if
 * the lines were not previously requested together, the behavior is
 * undefined").  So we always set and get a whole group, keeping the values
 * of the other lines of the group.
 */
#include <errno.h>
#include <gpiod.h>
#include <stdlib.h>
#include <string.h>

#include "gpio/gpio.h"

#define GD_CONSUMER_MAX 31   /* the kernel's consumer label holds 32 bytes with NUL */
#define GD_NGROUPS 4         /* {out, in} x {active high, active low} */

struct gd_group {
	struct gpiod_line_bulk bulk;
	int values[GPIO_MAX_LINES];     /* logical values, as last set (outputs) */
	int requested;
};

struct gd_chip {
	struct gpiod_chip *chip;
	char chip_arg[64];              /* for messages only */
	struct gd_group group[GD_NGROUPS];
	int grp[GPIO_MAX_LINES];        /* group of line idx */
	unsigned int pos[GPIO_MAX_LINES];       /* its place in the group's bulk */
	char role[GPIO_MAX_LINES][GPIO_NAME_MAX + 1];
};

static int all_digits(const char *s)
{
	return s[0] != '\0' && strspn(s, "0123456789") == strlen(s);
}

static struct gpiod_line *find_line(struct gd_chip *p, const struct gpio_line_cfg *l,
    struct cx_err *e)
{
	struct gpiod_line *line;
	unsigned long off;

	if (all_digits(l->line)) {
		off = strtoul(l->line, NULL, 10);
		if (off >= gpiod_chip_num_lines(p->chip)) {
			cx_errf(e, "gpiod: %s: %s: no line %s (chip has %u)", p->chip_arg,
			    l->role, l->line, gpiod_chip_num_lines(p->chip));
			return NULL;
		}
		if ((line = gpiod_chip_get_line(p->chip, (unsigned int)off)) == NULL)
			cx_errf(e, "gpiod: %s: %s: line %s: %s", p->chip_arg, l->role,
			    l->line, strerror(errno));
		return line;
	}
	errno = 0;
	if ((line = gpiod_chip_find_line(p->chip, l->line)) == NULL) {
		if (errno == ENOENT || errno == 0)
			cx_errf(e, "gpiod: %s: %s: no line named \"%s\"", p->chip_arg,
			    l->role, l->line);
		else
			cx_errf(e, "gpiod: %s: %s: line \"%s\": %s", p->chip_arg, l->role,
			    l->line, strerror(errno));
	}
	return line;
}

/* Sort the lines into their groups; two config entries must not be one line. */
static int group_lines(struct gd_chip *p, const struct gpio_line_cfg *lines,
    int nlines, struct cx_err *e)
{
	struct gpiod_line *found[GPIO_MAX_LINES];
	struct gd_group *g;
	int i, j;

	for (i = 0; i < GD_NGROUPS; i++)
		gpiod_line_bulk_init(&p->group[i].bulk);
	for (i = 0; i < nlines; i++) {
		memcpy(p->role[i], lines[i].role, strlen(lines[i].role) + 1);
		if ((found[i] = find_line(p, &lines[i], e)) == NULL)
			return -1;
		for (j = 0; j < i; j++) {
			if (found[j] == found[i])
				return cx_errf(e, "gpiod: %s: %s and %s are the same line",
				    p->chip_arg, lines[j].role, lines[i].role);
		}
		p->grp[i] = (lines[i].dir == GPIO_IN ? 2 : 0) + (lines[i].active_low ? 1 : 0);
		g = &p->group[p->grp[i]];
		p->pos[i] = gpiod_line_bulk_num_lines(&g->bulk);
		g->values[p->pos[i]] = 0;       /* outputs start off */
		gpiod_line_bulk_add(&g->bulk, found[i]);
	}
	return 0;
}

static int request_group(struct gd_chip *p, int gi, const char *consumer,
    struct cx_err *e)
{
	struct gd_group *g = &p->group[gi];
	int flags = (gi & 1) ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0;
	char names[GPIO_MAX_LINES * (GPIO_NAME_MAX + 2)] = "";
	int i, rc, err;

	if (gpiod_line_bulk_num_lines(&g->bulk) == 0)
		return 0;
	if (gi & 2)
		rc = gpiod_line_request_bulk_input_flags(&g->bulk, consumer, flags);
	else
		rc = gpiod_line_request_bulk_output_flags(&g->bulk, consumer, flags,
		    g->values);
	if (rc == 0) {
		g->requested = 1;
		return 0;
	}
	err = errno;
	for (i = 0; i < GPIO_MAX_LINES; i++) {
		if (p->role[i][0] != '\0' && p->grp[i] == gi) {
			if (names[0] != '\0')
				strcat(names, ", ");
			strcat(names, p->role[i]);   /* fits: sized for every role */
		}
	}
	if (err == EBUSY)
		return cx_errf(e, "gpiod: %s: lines busy (%s)", p->chip_arg, names);
	return cx_errf(e, "gpiod: %s: request of %s failed: %s", p->chip_arg, names,
	    strerror(err));
}

static void gd_free(struct gd_chip *p)
{
	int i;

	for (i = 0; i < GD_NGROUPS; i++) {
		if (p->group[i].requested)
			gpiod_line_release_bulk(&p->group[i].bulk);
	}
	if (p->chip != NULL)
		gpiod_chip_close(p->chip);
	free(p);
}

static void *gd_open(const char *arg, const struct gpio_line_cfg *lines, int nlines,
    const char *consumer, struct cx_err *e)
{
	struct gd_chip *p;
	int i;

	if (arg[0] == '\0' || strlen(arg) >= sizeof(p->chip_arg)) {
		cx_errf(e, "gpiod: chip \"%.64s\": empty or too long", arg);
		return NULL;
	}
	if (strlen(consumer) > GD_CONSUMER_MAX) {
		cx_errf(e, "gpiod: consumer \"%s\" longer than %d", consumer,
		    GD_CONSUMER_MAX);
		return NULL;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		cx_errf(e, "gpiod: out of memory");
		return NULL;
	}
	memcpy(p->chip_arg, arg, strlen(arg) + 1);
	if ((p->chip = gpiod_chip_open_lookup(arg)) == NULL) {
		cx_errf(e, "gpiod: %s: %s", arg,
		    errno == ENOENT ? "no such chip" : strerror(errno));
		goto fail;
	}
	if (group_lines(p, lines, nlines, e) < 0)
		goto fail;
	for (i = 0; i < GD_NGROUPS; i++) {
		if (request_group(p, i, consumer, e) < 0)
			goto fail;
	}
	return p;
fail:
	gd_free(p);
	return NULL;
}

static int gd_set(void *priv, int idx, int value, struct cx_err *e)
{
	struct gd_chip *p = priv;
	struct gd_group *g = &p->group[p->grp[idx]];
	int old = g->values[p->pos[idx]];

	g->values[p->pos[idx]] = value;
	if (gpiod_line_set_value_bulk(&g->bulk, g->values) < 0) {
		g->values[p->pos[idx]] = old;
		/* no strerror() for nobody: gpio_all_off() in the fatal-signal
		 * handler passes NULL and must stay async-signal-safe */
		return e == NULL ? -1 : cx_errf(e, "gpiod: %s: set: %s", p->chip_arg,
		    strerror(errno));
	}
	return 0;
}

static int gd_get(void *priv, int idx, int *value, struct cx_err *e)
{
	struct gd_chip *p = priv;
	struct gd_group *g = &p->group[p->grp[idx]];
	int v[GPIOD_LINE_BULK_MAX_LINES];

	if (gpiod_line_get_value_bulk(&g->bulk, v) < 0)
		return cx_errf(e, "gpiod: %s: get: %s", p->chip_arg, strerror(errno));
	*value = v[p->pos[idx]];
	return 0;
}

static void gd_close(void *priv)
{
	if (priv != NULL)
		gd_free(priv);
}

/* The chip opened (its character device: no line requested), each line
 * looked up by offset or name as gd_open would. */
static int gd_check(const char *arg, const struct gpio_line_cfg *lines, int nlines,
    gpio_bad_cb bad, void *barg)
{
	struct gd_chip *p;
	struct cx_err e;
	int i, n = 0;

	if (arg[0] == '\0' || strlen(arg) >= sizeof(p->chip_arg)) {
		bad(barg, -1, "gpiod: chip name empty or too long");
		return 1;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		bad(barg, -1, "gpiod: out of memory");
		return 1;
	}
	memcpy(p->chip_arg, arg, strlen(arg) + 1);
	if ((p->chip = gpiod_chip_open_lookup(arg)) == NULL) {
		cx_errf(&e, "gpiod: %s: %s", arg, errno == ENOENT ? "no such chip" :
		    strerror(errno));
		bad(barg, -1, e.msg);
		n++;
	}
	for (i = 0; p->chip != NULL && i < nlines; i++) {
		if (find_line(p, &lines[i], &e) == NULL) {
			bad(barg, i, e.msg);
			n++;
		}
	}
	gd_free(p);
	return n;
}

const struct gpio_ops gpio_gpiod_ops = {
	.scheme = "gpiod",
	.open = gd_open,
	.set = gd_set,
	.get = gd_get,
	.close = gd_close,
	.check = gd_check,
};

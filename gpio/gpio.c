/*
 * gpio: the front of the GPIO module.  Picks a backend from the device
 * string ("gpiod:CHIP" or "sim:DIR"), checks the line table once so the
 * backends can trust it, remembers the last value set on every output and
 * switches every output off before closing.
 *
 * Rules: indexes are those of the lines array given to gpio_open(); values
 * are logical (1 = relay on) and normalised to 0/1; only outputs can be set.
 * The backends see validated arguments only: a known index, a 0/1 value,
 * unique non-empty names of at most GPIO_NAME_MAX bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "gpio/gpio.h"

struct gpio {
	const struct gpio_ops *ops;
	void *priv;
	int nlines;
	enum gpio_dir dir[GPIO_MAX_LINES];
	int value[GPIO_MAX_LINES];          /* last value set on an output */
	char role[GPIO_MAX_LINES][GPIO_NAME_MAX + 1];
};

#define GPIO_DEFAULT_CONSUMER "cunxiang"

static const struct gpio_ops *const backends[] = {
	&gpio_gpiod_ops,
	&gpio_sim_ops,
};

/* A role is a short identifier used in logs and configs: [A-Za-z0-9_.-]. */
static int name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > GPIO_NAME_MAX)
		return 0;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_.-") == n;
}

static int check_lines(const struct gpio_line_cfg *lines, int nlines, struct cx_err *e)
{
	int i, j;

	if (lines == NULL || nlines < 1 || nlines > GPIO_MAX_LINES)
		return cx_errf(e, "gpio: %d lines given, expected 1 to %d", nlines,
		    GPIO_MAX_LINES);
	for (i = 0; i < nlines; i++) {
		const struct gpio_line_cfg *l = &lines[i];

		if (l->role == NULL || !name_ok(l->role))
			return cx_errf(e, "gpio: line %d: bad role name \"%.*s\" "
			    "(1 to %d of [A-Za-z0-9_.-])", i, GPIO_NAME_MAX + 1,
			    l->role ? l->role : "", GPIO_NAME_MAX);
		if (l->line == NULL || l->line[0] == '\0' || strlen(l->line) > GPIO_NAME_MAX)
			return cx_errf(e, "gpio: %s: line name missing or longer than %d",
			    l->role, GPIO_NAME_MAX);
		if (l->dir != GPIO_OUT && l->dir != GPIO_IN)
			return cx_errf(e, "gpio: %s: bad direction %d", l->role, (int)l->dir);
		for (j = 0; j < i; j++) {
			if (strcmp(lines[j].role, l->role) == 0)
				return cx_errf(e, "gpio: role %s given twice", l->role);
			if (strcmp(lines[j].line, l->line) == 0)
				return cx_errf(e, "gpio: line %s given twice (%s, %s)",
				    l->line, lines[j].role, l->role);
		}
	}
	return 0;
}

static const struct gpio_ops *find_backend(const char *device, const char **arg,
    struct cx_err *e)
{
	const char *colon;
	size_t n, i;

	if (device == NULL || (colon = strchr(device, ':')) == NULL)
		return cx_errf(e, "gpio: device \"%s\": expected gpiod:CHIP or sim:DIR",
		    device ? device : ""), NULL;
	n = (size_t)(colon - device);
	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
		if (strlen(backends[i]->scheme) == n &&
		    strncmp(backends[i]->scheme, device, n) == 0) {
			*arg = colon + 1;
			return backends[i];
		}
	}
	cx_errf(e, "gpio: device \"%s\": unknown backend \"%.*s\" (gpiod or sim)",
	    device, (int)(n > 16 ? 16 : n), device);
	return NULL;
}

struct gpio *gpio_open(const char *device, const struct gpio_line_cfg *lines, int nlines,
    const char *consumer, struct cx_err *e)
{
	const struct gpio_ops *ops;
	const char *arg;
	struct gpio *g;
	int i;

	if ((ops = find_backend(device, &arg, e)) == NULL)
		return NULL;
	if (check_lines(lines, nlines, e) < 0)
		return NULL;
	if (consumer == NULL || consumer[0] == '\0')
		consumer = GPIO_DEFAULT_CONSUMER;
	if ((g = calloc(1, sizeof(*g))) == NULL) {
		cx_errf(e, "gpio: out of memory");
		return NULL;
	}
	g->ops = ops;
	g->nlines = nlines;
	for (i = 0; i < nlines; i++) {
		g->dir[i] = lines[i].dir;
		g->value[i] = 0;    /* outputs are requested off */
		memcpy(g->role[i], lines[i].role, strlen(lines[i].role) + 1);
	}
	if ((g->priv = ops->open(arg, lines, nlines, consumer, e)) == NULL) {
		free(g);
		return NULL;
	}
	return g;
}

int gpio_check(const char *device, const struct gpio_line_cfg *lines, int nlines,
    gpio_bad_cb bad, void *arg)
{
	const struct gpio_ops *ops;
	const char *barg;
	struct cx_err e;

	if ((ops = find_backend(device, &barg, &e)) == NULL ||
	    check_lines(lines, nlines, &e) < 0) {
		bad(arg, -1, e.msg);
		return 1;
	}
	return ops->check(barg, lines, nlines, bad, arg);
}

int gpio_set(struct gpio *g, int idx, int value, struct cx_err *e)
{
	if (g == NULL || idx < 0 || idx >= g->nlines)
		return cx_errf(e, "gpio: no line %d", idx);
	if (g->dir[idx] != GPIO_OUT)
		return cx_errf(e, "gpio: %s is an input, it cannot be set", g->role[idx]);
	value = value != 0;
	if (g->ops->set(g->priv, idx, value, e) < 0)
		return cx_err_prefix(e, "%s", g->role[idx]);
	g->value[idx] = value;
	return 0;
}

int gpio_get(struct gpio *g, int idx, int *value, struct cx_err *e)
{
	int v;

	if (g == NULL || idx < 0 || idx >= g->nlines)
		return cx_errf(e, "gpio: no line %d", idx);
	if (g->ops->get(g->priv, idx, &v, e) < 0)
		return cx_err_prefix(e, "%s", g->role[idx]);
	*value = v != 0;
	return 0;
}

/* -1 for a bad index or an input: only outputs have a value we set. */
int gpio_value(const struct gpio *g, int idx)
{
	if (g == NULL || idx < 0 || idx >= g->nlines || g->dir[idx] != GPIO_OUT)
		return -1;
	return g->value[idx];
}

/*
 * Every output off, from anywhere, even a fatal-signal handler: no
 * allocation, no stdio, no lock; the backends' set is system calls on
 * descriptors already open (gpiod: one ioctl on the line request; sim:
 * open/write/rename of its files).  g->value is left as it was.
 */
void gpio_all_off(struct gpio *g)
{
	int i;

	if (g == NULL)
		return;
	for (i = 0; i < g->nlines; i++) {
		if (g->dir[i] == GPIO_OUT)
			(void)g->ops->set(g->priv, i, 0, NULL);
	}
}

/*
 * Off first, then release: a released line keeps (or loses) its level as the
 * chip pleases, so the relays must already be open when we let go.
 */
void gpio_close(struct gpio *g)
{
	if (g == NULL)
		return;
	gpio_all_off(g);
	g->ops->close(g->priv);
	free(g);
}

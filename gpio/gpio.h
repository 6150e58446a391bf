/*
 * gpio: relay outputs and feedback inputs behind a small ops table.
 *
 * The backend is chosen at run time from a device string:
 *   "gpiod:CHIP"  libgpiod 1.6 (Debian 12); CHIP is a name ("gpiochip0"),
 *                 a path or a label; lines by name or by offset.
 *   "sim:DIR"     a model with state for tests and the demo (gpio_sim.c):
 *                 DIR/state holds every line's level and survives the
 *                 process, like a real chip; DIR/edges logs every
 *                 transition as "<CLOCK_MONOTONIC ns> <line> <0|1>";
 *                 inputs are read from DIR/in/<line> ("0" or "1").
 * Outputs are requested with their initial value off in the same request
 * (fail safe).  Values are logical: 1 = on, whatever active_low says.
 * gpio_close() switches every output off before releasing it.
 */
#ifndef CX_GPIO_H
#define CX_GPIO_H

#include <stdint.h>
#include "common/err.h"

#define GPIO_MAX_LINES 16
#define GPIO_NAME_MAX 31

enum gpio_dir { GPIO_OUT = 0, GPIO_IN = 1 };

struct gpio_line_cfg {
	const char *role;          /* "amp", "siren", "amp_fb": for logs and edges */
	const char *line;          /* line name or decimal offset on the chip */
	enum gpio_dir dir;
	int active_low;
};

struct gpio;

struct gpio *gpio_open(const char *device, const struct gpio_line_cfg *lines, int nlines,
    const char *consumer, struct cx_err *e);
/* idx is the index in the lines array given to gpio_open(). */
int gpio_set(struct gpio *g, int idx, int value, struct cx_err *e);
int gpio_get(struct gpio *g, int idx, int *value, struct cx_err *e);
/* Last value set on an output (no I/O). */
int gpio_value(const struct gpio *g, int idx);
/* Every output off, async-signal-safe (a fatal-signal handler calls it:
 * a released line's level is the chip's choice, see gpio_close()). */
void gpio_all_off(struct gpio *g);
void gpio_close(struct gpio *g);

/* cunxiangd -n: does the device exist and are the lines on it?  Read-only
 * (the chip is opened, no line is requested: a running daemon's lines are
 * not disturbed).  bad() once per problem: idx -1 for the device itself,
 * else the index in lines.  Returns the number of problems. */
typedef void (*gpio_bad_cb)(void *arg, int idx, const char *what);
int gpio_check(const char *device, const struct gpio_line_cfg *lines, int nlines,
    gpio_bad_cb bad, void *arg);

/* Backend interface, for gpio.c and the backends only. */
struct gpio_ops {
	const char *scheme;        /* "gpiod", "sim" */
	void *(*open)(const char *arg, const struct gpio_line_cfg *lines, int nlines,
	    const char *consumer, struct cx_err *e);
	int (*set)(void *priv, int idx, int value, struct cx_err *e);
	int (*get)(void *priv, int idx, int *value, struct cx_err *e);
	void (*close)(void *priv);
	/* gpio_check(): problems counted and reported through bad */
	int (*check)(const char *arg, const struct gpio_line_cfg *lines, int nlines,
	    gpio_bad_cb bad, void *barg);
};

extern const struct gpio_ops gpio_sim_ops;
extern const struct gpio_ops gpio_gpiod_ops;

#endif

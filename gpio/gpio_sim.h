/*
 * gpio_sim: readers of the simulated chip's files, for tests and tools.
 *
 * The "sim:DIR" backend (gpio_sim.c, opened through gpio_open()) keeps:
 *   DIR/state   "<line> <0|1>\n" per output line: the chip's levels; it is
 *               replaced atomically (write + rename) on every change and
 *               outlives the process, like a real chip's latched outputs;
 *   DIR/edges   append-only, "<CLOCK_MONOTONIC ns> <line> <0|1>\n" per real
 *               change of level (clock_mono_ns(), so the fake clock applies);
 *   DIR/in/<line>  "0" or "1", written by the test to drive an input;
 *               when present it wins over any wiring;
 *   DIR/wire    optional, lines "<input> <output>" ('#' comments): the
 *               input reads the output's effective level (an amplifier's
 *               feedback following its relay: "AMP_OK AMP_EN"); each word
 *               is a line name, or the role of a line this process holds
 *               ("amp_fb amp"); an input with neither file nor wire reads 0;
 *   DIR/fault/<line>  (or /<role>) "stuck-on" or "stuck-off": the output's
 *               effective level is fixed whatever gpio_set() drives (a
 *               welded or dead relay); read at every set and wired read;
 *   DIR/lock    flock()ed by the process holding the lines.
 * DIR/state and DIR/edges hold effective levels (what the relay really
 * did), so a stuck relay shows no edge where one was driven.
 * Levels are logical (1 = relay on); the sim ignores active_low.  Line names
 * must be safe file names: [A-Za-z0-9_.-], not starting with '.'.
 * These readers take no lock: state is replaced atomically and edges lines
 * are written whole, so a reader never sees a torn record.
 */
#ifndef CX_GPIO_SIM_H
#define CX_GPIO_SIM_H

#include <stdint.h>
#include "common/err.h"

struct gpio_sim_edge {
	uint64_t ns;               /* clock_mono_ns() when the level changed */
	char line[32];             /* line name as configured */
	int value;                 /* new logical level, 0 or 1 */
};

/*
 * Read DIR/edges into out[0..max-1], oldest first.  Returns the number of
 * edges (0 if the log does not exist yet), or -1 with a message in e if the
 * log cannot be read, is malformed or holds more than max edges.
 */
int gpio_sim_read_edges(const char *dir, struct gpio_sim_edge *out, int max,
    struct cx_err *e);

/* Level of an output line in DIR/state: 0 or 1, or -1 if unknown. */
int gpio_sim_level(const char *dir, const char *line);

#endif

/*
 * config_io: the node's input lines and its local activation in the
 * config file ([gpio] *_line and input_active_low, [local]), for config.c.
 * Pure: values in, a struct field or an error message out.
 */
#ifndef CX_CONFIG_IO_H
#define CX_CONFIG_IO_H

#include "common/config.h"

/* "door,mains": a comma list of input roles -> mask of (1 << role). */
int config_io_roles(const char *v, unsigned *mask, struct cx_err *e);
/* "siren:NAME" or "clip:NAME:SHA256HEX" -> a play item. */
int config_io_activation(const char *v, struct play_item *it, struct cx_err *e);
/* Cross-key rules once the file is read: every wired line used once, the
 * local button needs an activation, a siren activation names a siren. */
int config_io_check(const struct node_config *c, struct cx_err *e);

#endif

/*
 * config_io: input lines and the local activation (config_io.h).
 *
 * An input role's logical level is what the line says after its
 * active-low flag: 1 = mains present, battery low, amplifier fault, door
 * open, button pressed, siren sounding.  The sim backend has no flag (the
 * test writes the logical level); gpiod applies input_active_low.
 */
#include <stdio.h>
#include <string.h>

#include "common/config_io.h"

#define SHA256_HEX 64

const char *const cfg_input_roles[CI_COUNT] = {
	[CI_MAINS] = "mains", [CI_BATTERY_LOW] = "battery_low", [CI_AMP_FAULT] = "amp_fault",
	[CI_DOOR] = "door", [CI_LOCAL] = "local", [CI_ACK] = "ack", [CI_SIREN_FB] = "siren_fb",
};

const char *
config_input_line(const struct node_config *c, enum cfg_input r)
{
	switch (r) {
	case CI_MAINS: return c->mains_line;
	case CI_BATTERY_LOW: return c->battery_low_line;
	case CI_AMP_FAULT: return c->amp_fault_line;
	case CI_DOOR: return c->door_line;
	case CI_LOCAL: return c->local_button_line;
	case CI_ACK: return c->ack_button_line;
	case CI_SIREN_FB: return c->siren_feedback_line;
	default: return "";
	}
}

int
config_io_roles(const char *v, unsigned *mask, struct cx_err *e)
{
	const char *p = v, *end;
	size_t n;
	int i;

	*mask = 0;
	for (;;) {
		while (*p == ' ')
			p++;
		end = p + strcspn(p, ",");
		n = (size_t)(end - p);
		while (n > 0 && p[n - 1] == ' ')
			n--;
		for (i = 0; i < CI_COUNT; i++)
			if (strlen(cfg_input_roles[i]) == n && strncmp(p, cfg_input_roles[i], n) == 0)
				break;
		if (i == CI_COUNT)
			return cx_errf(e, "'%.*s' is not an input role (mains, battery_low, amp_fault, "
			    "door, local, ack, siren_fb)", (int)(n > 32 ? 32 : n), p);
		*mask |= 1u << i;
		if (*end == '\0')
			return 0;
		p = end + 1;
	}
}

static int
hex32(const char *h, uint8_t out[32])
{
	size_t i;
	unsigned x;

	if (strlen(h) != SHA256_HEX)
		return -1;
	for (i = 0; i < 32; i++) {
		if (strspn(h + 2 * i, "0123456789abcdef") < 2 || sscanf(h + 2 * i, "%2x", &x) != 1)
			return -1;
		out[i] = (uint8_t)x;
	}
	return 0;
}

static int
clip_name_ok(const char *s, size_t n)
{
	return n >= 1 && n <= CLIP_NAME_MAX && s[0] != '.' && strspn(s,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") >= n;
}

int
config_io_activation(const char *v, struct play_item *it, struct cx_err *e)
{
	const char *colon;
	size_t n;

	memset(it, 0, sizeof(*it));
	if (strncmp(v, "siren:", 6) == 0) {
		n = strlen(v + 6);
		if (n < 1 || n > SIREN_NAME_MAX)
			return cx_errf(e, "'activation': siren name must be 1-%d bytes", SIREN_NAME_MAX);
		it->kind = PLAY_SIREN;
		memcpy(it->name, v + 6, n + 1);
		return 0;
	}
	if (strncmp(v, "clip:", 5) != 0)
		return cx_errf(e, "'activation' must be siren:NAME or clip:NAME:SHA256HEX");
	colon = strchr(v + 5, ':');
	if (colon == NULL || !clip_name_ok(v + 5, (size_t)(colon - v - 5)))
		return cx_errf(e, "'activation': clip name must be 1-%d of [A-Za-z0-9._-] "
		    "(no leading dot), then :SHA256HEX", CLIP_NAME_MAX);
	if (hex32(colon + 1, it->sha256) < 0)
		return cx_errf(e, "'activation': the clip's SHA-256 must be 64 lowercase hex digits");
	it->kind = PLAY_CLIP;
	memcpy(it->name, v + 5, (size_t)(colon - v - 5));
	return 0;
}

/* Every wired line (outputs, amp feedback, inputs) once. */
static int
lines_distinct(const struct node_config *c, struct cx_err *e)
{
	const char *l[3 + CI_COUNT], *who[3 + CI_COUNT] = { "amp", "siren", "amp_feedback" };
	int i, j, n = 3;

	l[0] = c->amp_line;
	l[1] = c->siren_line;
	l[2] = c->amp_feedback_line;
	for (i = 0; i < CI_COUNT; i++, n++) {
		l[n] = config_input_line(c, (enum cfg_input)i);
		who[n] = cfg_input_roles[i];
	}
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (l[i][0] != '\0' && strcmp(l[i], l[j]) == 0)
				return cx_errf(e, "[gpio]: line '%s' is wired twice (%s and %s)", l[i],
				    who[i], who[j]);
	return 0;
}

int
config_io_check(const struct node_config *c, struct cx_err *e)
{
	if (lines_distinct(c, e) < 0)
		return -1;
	if (c->local_button_line[0] != '\0' && !c->has_local)
		return cx_errf(e, "[gpio] local_button_line is set but [local] activation is not");
	if (c->has_local && c->local_item.kind == PLAY_SIREN &&
	    siren_find(c->local_item.name, c->sirens, c->nsirens) == NULL)
		return cx_errf(e, "[local] activation: no siren named '%s'", c->local_item.name);
	return 0;
}

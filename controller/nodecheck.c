/*
 * nodecheck: what node.conf names, checked one by one (see nodecheck.h).
 * Each check reports on its own key's line and the next one runs, so an
 * administrator sees every problem of a new board in one go.  A missing
 * node key is fine (the daemon makes one at first start); one that is
 * there must load.
 */
#include <string.h>
#include <unistd.h>

#include "audio/sink.h"
#include "common/confcheck.h"
#include "controller/node.h"
#include "controller/nodecheck.h"
#include "controller/nodeio.h"
#include "gpio/gpio.h"

struct gpio_bad {
	struct confcheck *cc;
	const struct node_config *c;
	const struct gpio_line_cfg *lines;
};

static struct confkey
key_at(const struct node_config *c, const char *section, const char *key)
{
	return (struct confkey){ config_key_line(c, section, key), section, key };
}

/* The [gpio] key a line of nodeio_gpio_lines() comes from, by its role. */
static const char *
gpio_key(const char *role)
{
	static const char *const keys[][2] = {
		{ "amp", "amp" }, { "siren", "siren" }, { "amp_fb", "amp_feedback" },
		{ "mains", "mains_line" }, { "battery_low", "battery_low_line" },
		{ "amp_fault", "amp_fault_line" }, { "door", "door_line" },
		{ "local", "local_button_line" }, { "ack", "ack_button_line" },
		{ "siren_fb", "siren_feedback_line" },
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i][0], role) == 0)
			return keys[i][1];
	return "device";
}

static void
on_gpio_bad(void *arg, int idx, const char *what)
{
	struct gpio_bad *b = arg;

	confcheck_bad(b->cc, key_at(b->c, "gpio", idx < 0 ? "device" :
	    gpio_key(b->lines[idx].role)), "%s", what);
}

static void
check_gpio(struct confcheck *cc, const struct node_config *c)
{
	struct gpio_line_cfg lines[GPIO_MAX_LINES];
	struct gpio_bad b = { cc, c, lines };
	int n = nodeio_gpio_lines(c, lines, NULL);

	(void)gpio_check(c->gpio_device, lines, n, on_gpio_bad, &b);
}

static void
check_state(struct confcheck *cc, const struct node_config *c)
{
	struct confkey k = key_at(c, "node", "state_dir");
	char path[CFG_PATH_MAX + 16];
	struct sig_key *key;
	struct cx_err e;

	if (confcheck_dir(cc, k, c->state_dir, 1, 1) < 0)
		return;
	snprintf(path, sizeof(path), "%s/%s", c->state_dir, NODE_KEY_FILE);
	if (access(path, F_OK) < 0)
		return;                    /* made at first start */
	if ((key = nodeio_key(c->state_dir, 0, &e)) == NULL)
		confcheck_bad(cc, k, "node key: %s", e.msg);
	sig_key_free(key);
}

static void
check_clips(struct confcheck *cc, const struct node_config *c)
{
	char path[CFG_PATH_MAX + CLIP_NAME_MAX + 2];

	if (confcheck_dir(cc, key_at(c, "node", "clip_dir"), c->clip_dir, 0, 0) < 0)
		return;
	if (!c->has_local || c->local_item.kind != PLAY_CLIP)
		return;
	snprintf(path, sizeof(path), "%s/%s", c->clip_dir, c->local_item.name);
	(void)confcheck_file(cc, key_at(c, "local", "activation"), path);
}

int
nodecheck_run(const char *path, const struct node_config *c, FILE *out)
{
	struct confcheck cc;
	struct cx_err e;

	confcheck_init(&cc, path, out);
	check_state(&cc, c);
	check_clips(&cc, c);
	if (c->password_file[0] != '\0')
		(void)confcheck_file(&cc, key_at(c, "mqtt", "password_file"), c->password_file);
	if (c->tls_ca[0] != '\0')
		(void)confcheck_certs(&cc, key_at(c, "mqtt", "tls_ca"), c->tls_ca);
	check_gpio(&cc, c);
	if (sink_check(c->audio_device, &e) < 0)
		confcheck_bad(&cc, key_at(c, "audio", "device"), "%s", e.msg);
	return cc.problems;
}

/*
 * health: inputs, fault words and the heartbeat (health.h).
 *
 * The snapshot published is compared with the last one member by member
 * (inputs, faults, clips, last, selftest): disk_free_kb and uptime_s move
 * all the time and go out with the next status, whatever makes it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "common/clock.h"
#include "common/log.h"
#include "controller/clipcheck.h"
#include "controller/health.h"

struct input {
	int idx;                       /* gpio index, -1 not wired */
	int raw;                       /* last read, -1 none */
	int stable;                    /* debounced level, -1 not yet known */
	int failing;                   /* a read error was logged */
};

struct health {
	struct loop *loop;
	struct health_cfg c;
	struct report *report;
	struct health_hooks hooks;
	void *arg;
	struct input in[CI_COUNT];
	struct clipcheck *clips;
	int clips_result, clips_bad;
	uint64_t clips_mono;           /* when the clips were last checked */
	uint64_t start_mono;
	struct node_status last;       /* as last stamped */
	struct loop_timer poll, beat;
};

static void
read_input(struct health *h, int role)
{
	struct input *in = &h->in[role];
	struct cx_err e;
	int v;

	if (in->idx < 0)
		return;
	if (gpio_get(h->c.gpio, in->idx, &v, &e) == -1) {
		if (!in->failing)
			log_warnx("input %s: %s", cfg_input_roles[role], e.msg);
		in->failing = 1;
		in->raw = -1;
		return;
	}
	in->failing = 0;
	if (v == in->raw && v != in->stable) {
		int was = in->stable;

		in->stable = v;
		log_info("input %s: %d", cfg_input_roles[role], v);
		if (was == 0 && v == 1 && (role == CI_LOCAL || role == CI_ACK) &&
		    h->hooks.pressed != NULL)
			h->hooks.pressed(h->arg, (enum cfg_input)role);
	}
	in->raw = v;
}

static const char *
storage_fault(const char *w)
{
	static const char *const map[][2] = {
		{ "full", "storage-full" }, { "read-only", "storage-ro" },
		{ "unavailable", "storage-absent" }, { "error", "storage-error" },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(w, map[i][0]) == 0)
			return map[i][1];
	return NULL;
}

/* The fault words of docs/PROTOCOL.md section 9, from what is known now. */
static void
faults(const struct health *h, struct node_status *s)
{
	static const struct { int role, level; const char *word; } lines[] = {
		{ CI_MAINS, 0, "mains-lost" }, { CI_BATTERY_LOW, 1, "battery-low" },
		{ CI_AMP_FAULT, 1, "amp-fault" }, { CI_DOOR, 1, "door-open" },
	};
	size_t i;

	s->nfaults = 0;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if (h->in[lines[i].role].stable == lines[i].level)
			status_add_fault(s, lines[i].word);
	/* a line that cannot be read says nothing true about what it watches */
	for (i = 0; i < CI_COUNT; i++)
		if (h->in[i].idx >= 0 && h->in[i].failing) {
			status_add_fault(s, "input-error");
			break;
		}
	if (strcmp(s->clock, "unsynced") == 0 || strcmp(s->clock, "untrusted") == 0)
		status_add_fault(s, strcmp(s->clock, "unsynced") == 0 ? "clock-unsynced" :
		    "clock-untrusted");
	if (storage_fault(s->storage) != NULL)
		status_add_fault(s, storage_fault(s->storage));
	if (h->clips_result == CLIPCHECK_BAD)
		status_add_fault(s, "clips-bad");
	if (s->has_selftest && !s->selftest_ok)
		status_add_fault(s, "selftest-failed");
}

static int64_t
disk_free_kb(const char *dir)
{
	struct statvfs sv;

	if (statvfs(dir, &sv) == -1)
		return -1;
	return (int64_t)((unsigned long long)sv.f_bavail * sv.f_frsize / 1024);
}

static void
snapshot(const struct health *h, struct node_status *s)
{
	int i;

	report_peek(h->report, s);
	s->has_health = 1;
	s->heartbeat_s = h->c.heartbeat_s;
	s->uptime_s = (int64_t)((clock_mono_ms() - h->start_mono) / 1000);
	s->inputs_set = s->inputs_val = 0;
	for (i = 0; i < SI_COUNT; i++)         /* SI_* and CI_* share their order */
		if (h->in[i].stable >= 0) {
			s->inputs_set |= 1u << i;
			s->inputs_val |= (unsigned)h->in[i].stable << i;
		}
	faults(h, s);
	s->disk_free_kb = disk_free_kb(h->c.state_dir);
	snprintf(s->clips, sizeof(s->clips), "%s", clipcheck_word(h->clips_result));
	s->clips_bad = (uint32_t)h->clips_bad;
}

static int
changed(const struct node_status *a, const struct node_status *b)
{
	return a->inputs_set != b->inputs_set || a->inputs_val != b->inputs_val ||
	    a->nfaults != b->nfaults || memcmp(a->faults, b->faults, sizeof(a->faults)) != 0 ||
	    strcmp(a->clips, b->clips) != 0 || a->clips_bad != b->clips_bad ||
	    a->has_last != b->has_last || strcmp(a->last_ref, b->last_ref) != 0 ||
	    a->last_state != b->last_state || a->has_selftest != b->has_selftest ||
	    strcmp(a->selftest_ref, b->selftest_ref) != 0 || a->selftest_ok != b->selftest_ok;
}

/* Stamp the snapshot; publish if asked or if it changed. */
static void
stamp(struct health *h, int publish)
{
	struct node_status s;

	snapshot(h, &s);
	if (changed(&s, &h->last))
		publish = 1;
	h->last = s;
	report_set_health(h->report, &s);
	if (publish && h->hooks.publish != NULL)
		h->hooks.publish(h->arg);
}

static void
check_clips(struct health *h)
{
	char why[160];
	int was = h->clips_result;

	h->clips_result = clipcheck_update(h->clips, h->c.clip_dir, &h->clips_bad, why,
	    sizeof(why));
	h->clips_mono = clock_mono_ms();
	if (h->clips_result != was)
		log_info("clips: %s%s%s", clipcheck_word(h->clips_result),
		    h->clips_result == CLIPCHECK_OK ? "" : ": ",
		    h->clips_result == CLIPCHECK_OK ? "" : why);
}

static void
on_poll(void *arg)
{
	struct health *h = arg;
	int i;

	for (i = 0; i < CI_COUNT; i++)
		read_input(h, i);
	if (clock_mono_ms() - h->clips_mono >= HEALTH_CLIPS_MS)
		check_clips(h);
	stamp(h, 0);
	loop_timer_arm(h->loop, &h->poll, HEALTH_POLL_MS);
}

static void
on_beat(void *arg)
{
	struct health *h = arg;

	stamp(h, 1);
	loop_timer_arm(h->loop, &h->beat, (uint64_t)h->c.heartbeat_s * 1000u);
}

struct health *
health_new(struct loop *l, const struct health_cfg *c, struct report *r,
    const struct health_hooks *hooks, void *arg, struct cx_err *e)
{
	struct health *h = calloc(1, sizeof(*h));
	int i;

	if (h == NULL || (h->clips = clipcheck_new()) == NULL) {
		free(h);
		cx_errf(e, "health: out of memory");
		return NULL;
	}
	h->loop = l;
	h->c = *c;
	h->report = r;
	h->hooks = *hooks;
	h->arg = arg;
	h->start_mono = clock_mono_ms();
	h->clips_result = -1;
	for (i = 0; i < CI_COUNT; i++)
		h->in[i] = (struct input){ .idx = c->in_idx[i], .raw = -1, .stable = -1 };
	for (i = 0; i < CI_COUNT; i++)
		read_input(h, i);
	check_clips(h);
	snapshot(h, &h->last);
	report_set_health(r, &h->last);
	loop_timer_init(&h->poll, on_poll, h);
	loop_timer_init(&h->beat, on_beat, h);
	loop_timer_arm(l, &h->poll, HEALTH_POLL_MS);
	loop_timer_arm(l, &h->beat, (uint64_t)c->heartbeat_s * 1000u);
	return h;
}

void
health_check(struct health *h)
{
	if (h != NULL)
		stamp(h, 0);
}

int
health_input(const struct health *h, enum cfg_input role)
{
	return (unsigned)role < CI_COUNT ? h->in[role].stable : -1;
}

void
health_free(struct health *h)
{
	if (h == NULL)
		return;
	loop_timer_stop(h->loop, &h->poll);
	loop_timer_stop(h->loop, &h->beat);
	clipcheck_free(h->clips);
	free(h);
}

/*
 * notify: a fixed table of subscribers and a fan-out (notify.h).
 */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "hub/hub.h"
#include "hub/notify.h"

struct subscriber {
	notify_fn fn;
	void *arg;
};

struct notify {
	struct subscriber sub[NOTIFY_SUBSCRIBERS_MAX];
	int n;
};

struct notify *
notify_new(void)
{
	return calloc(1, sizeof(struct notify));
}

void
notify_free(struct notify *n)
{
	free(n);
}

int
notify_subscribe(struct notify *n, notify_fn fn, void *arg)
{
	if (n == NULL || fn == NULL || n->n >= NOTIFY_SUBSCRIBERS_MAX)
		return -1;
	n->sub[n->n].fn = fn;
	n->sub[n->n].arg = arg;
	n->n++;
	return 0;
}

void
notify_unsubscribe(struct notify *n, notify_fn fn, void *arg)
{
	int i;

	if (n == NULL)
		return;
	for (i = 0; i < n->n; i++) {
		if (n->sub[i].fn == fn && n->sub[i].arg == arg) {
			memmove(&n->sub[i], &n->sub[i + 1],
			    (size_t)(n->n - i - 1) * sizeof n->sub[0]);
			n->n--;
			return;
		}
	}
}

int
notify_wanted(const struct notify *n)
{
	return n != NULL && n->n > 0;
}

void
hub_notify(struct hub *h, const char *type, cJSON *data)
{
	struct notify *n = h != NULL ? h->notify : NULL;
	char *s;
	int i;

	if (!notify_wanted(n) || data == NULL || strlen(type) > NOTIFY_TYPE_MAX) {
		cJSON_Delete(data);
		return;
	}
	s = cJSON_PrintUnformatted(data);
	cJSON_Delete(data);
	if (s == NULL) {
		log_warnx("notify: out of memory, a %s event is lost", type);
		return;
	}
	for (i = 0; i < n->n; i++)
		n->sub[i].fn(n->sub[i].arg, type, s, strlen(s));
	free(s);
}

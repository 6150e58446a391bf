/*
 * memo: recent payload digests and early cancels (see memo.h).  Small
 * fixed arrays scanned linearly: a few dozen entries, no allocation.
 */
#include <stdio.h>
#include <string.h>

#include "controller/memo.h"

void
memo_init(struct memo *m)
{
	memset(m, 0, sizeof(*m));
}

void
memo_recent_add(struct memo *m, const char *id, const uint8_t md[32])
{
	int i = m->next_recent;

	snprintf(m->recent[i].id, sizeof(m->recent[i].id), "%s", id);
	memcpy(m->recent[i].md, md, 32);
	m->next_recent = (i + 1) % MEMO_RECENT;
	if (m->nrecent < MEMO_RECENT)
		m->nrecent++;
}

int
memo_recent_has(const struct memo *m, const char *id, const uint8_t md[32])
{
	int i;

	for (i = 0; i < m->nrecent; i++)
		if (strcmp(m->recent[i].id, id) == 0 && memcmp(m->recent[i].md, md, 32) == 0)
			return 1;
	return 0;
}

static void
pre_del(struct memo *m, int i)
{
	memmove(&m->pre[i], &m->pre[i + 1], sizeof(m->pre[0]) * (size_t)(m->npre - i - 1));
	m->npre--;
}

void
memo_precancel_add(struct memo *m, const char *ref, const struct withdrawal *w, int64_t now)
{
	int i;

	for (i = 0; i < m->npre; )
		if (m->pre[i].w.until <= now)
			pre_del(m, i);
		else
			i++;
	if (m->npre == MEMO_PRECANCEL)
		pre_del(m, 0);
	snprintf(m->pre[m->npre].ref, sizeof(m->pre[0].ref), "%s", ref);
	m->pre[m->npre].w = *w;
	m->npre++;
}

int
memo_precancel_list(const struct memo *m, const char *ref, struct withdrawal *out, int max)
{
	int i, n = 0;

	for (i = 0; i < m->npre && n < max; i++)
		if (strcmp(m->pre[i].ref, ref) == 0)
			out[n++] = m->pre[i].w;
	return n;
}

int
memo_precancel_take(struct memo *m, const char *id, int64_t now, struct withdrawal *w)
{
	int i;

	for (i = 0; i < m->npre; i++) {
		if (strcmp(m->pre[i].ref, id) == 0 && m->pre[i].w.until > now) {
			*w = m->pre[i].w;
			pre_del(m, i);
			return 1;
		}
	}
	return 0;
}

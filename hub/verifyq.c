/*
 * verifyq: node messages checked on worker threads, handed back in order
 * (see verifyq.h).
 *
 * One list in arrival order, under one mutex: head (oldest, next to hand
 * back) .. tail; todo is the oldest job no worker has taken yet.  A worker
 * takes todo, checks it unlocked, marks it done; if it is the head it wakes
 * the loop (eventfd).  The loop hands back every done job from the head on
 * and stops at the first not done: its worker wakes the loop when it ends,
 * being the head then.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "hub/verifyq.h"

struct job {
	struct vjob v;
	struct job *next;
	int done;                          /* under the mutex */
	char *topic;                       /* with the payload, one allocation */
	uint8_t *p;
};

struct verifyq {
	struct loop *loop;
	const char *prefix;
	nodemsg_key_fn key;
	void *karg;
	verifyq_fn done;
	void *darg;
	int efd;
	int nthreads;
	pthread_t th[VERIFYQ_THREADS_MAX];
	pthread_mutex_t mu;
	pthread_cond_t work;               /* a job to take, or stopping */
	pthread_cond_t ended;              /* a job done (push or drain waiting) */
	struct job *head, *tail, *todo;
	int pending;
	int stopping;
};

static void
check(struct verifyq *q, struct job *j)
{
	struct vjob *v = &j->v;

	v->rc = nodemsg_check(q->prefix, v->topic, v->p, v->n, q->key, q->karg, &v->m);
	if (v->rc >= 0 && envelope_parse(v->p, v->n, &v->env, NULL) < 0)
		v->rc = -1;                /* cannot happen: nodemsg_check parsed it */
}

static struct job *
job_new(const char *prefix, const char *topic, const uint8_t *p, size_t n)
{
	size_t tl = strlen(topic) + 1;
	struct job *j = malloc(sizeof(*j) + tl + n + 1);
	char node[NODE_ID_MAX + 1];
	enum nodemsg_kind kind;

	if (j == NULL)
		return NULL;
	memset(j, 0, offsetof(struct job, v.m));
	j->next = NULL;
	j->done = 0;
	j->topic = (char *)(j + 1);
	j->p = (uint8_t *)j->topic + tl;
	memcpy(j->topic, topic, tl);
	memcpy(j->p, p, n);
	j->p[n] = '\0';
	j->v.topic = j->topic;
	j->v.p = j->p;
	j->v.n = n;
	j->v.checked = nodemsg_topic(prefix, topic, node, &kind) == 0;
	return j;
}

static void *
worker(void *arg)
{
	struct verifyq *q = arg;
	struct job *j;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (q->todo == NULL && !q->stopping)
			pthread_cond_wait(&q->work, &q->mu);
		if (q->todo == NULL)
			break;
		j = q->todo;
		q->todo = j->next;
		pthread_mutex_unlock(&q->mu);
		if (j->v.checked)
			check(q, j);
		pthread_mutex_lock(&q->mu);
		j->done = 1;
		if (j == q->head) {
			uint64_t one = 1;

			pthread_cond_broadcast(&q->ended);
			if (write(q->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
				abort();   /* an eventfd write cannot fail but by overflow */
		}
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

/* Hand back every done job from the head; wait for the head first if asked. */
static void
deliver(struct verifyq *q, int wait_head)
{
	struct job *j;

	for (;;) {
		pthread_mutex_lock(&q->mu);
		while (wait_head && q->head != NULL && !q->head->done)
			pthread_cond_wait(&q->ended, &q->mu);
		wait_head = 0;
		j = q->head;
		if (j == NULL || !j->done) {
			pthread_mutex_unlock(&q->mu);
			return;
		}
		if ((q->head = j->next) == NULL)
			q->tail = NULL;
		q->pending--;
		pthread_mutex_unlock(&q->mu);
		q->done(q->darg, &j->v);
		free(j);
	}
}

static void
on_ready(void *arg, int fd, short revents)
{
	uint64_t n;

	(void)revents;
	if (read(fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return;
	deliver(arg, 0);
}

int
verifyq_push(struct verifyq *q, const char *topic, const uint8_t *p, size_t n)
{
	struct job *j = job_new(q->prefix, topic, p, n);

	if (j == NULL)
		return -1;
	if (q->nthreads == 0 || (!j->v.checked && q->head == NULL)) {
		if (j->v.checked)
			check(q, j);
		q->done(q->darg, &j->v);   /* nothing ahead of it */
		free(j);
		return 0;
	}
	while (q->pending >= VERIFYQ_PENDING_MAX)
		deliver(q, 1);
	pthread_mutex_lock(&q->mu);
	if (q->tail != NULL)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
	if (q->todo == NULL)
		q->todo = j;
	q->pending++;
	pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->mu);
	return 0;
}

void
verifyq_drain(struct verifyq *q)
{
	while (q->head != NULL)
		deliver(q, 1);
}

int
verifyq_threads(const struct verifyq *q)
{
	return q->nthreads;
}

static int
start(struct verifyq *q, int threads, struct cx_err *e)
{
	sigset_t all, old;
	int i, rc = 0;

	/* signals are the loop's (signalfd): workers never take one */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < threads && rc == 0; i++)
		if ((rc = pthread_create(&q->th[i], NULL, worker, q)) == 0)
			q->nthreads++;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc == 0 ? 0 : cx_errf(e, "verify thread: %s", strerror(rc));
}

struct verifyq *
verifyq_new(struct loop *l, int threads, const char *prefix, nodemsg_key_fn key, void *karg,
    verifyq_fn done, void *darg, struct cx_err *e)
{
	struct verifyq *q = calloc(1, sizeof(*q));

	if (q == NULL) {
		cx_errf(e, "out of memory");
		return NULL;
	}
	*q = (struct verifyq){ .loop = l, .prefix = prefix, .key = key, .karg = karg,
		.done = done, .darg = darg, .efd = -1 };
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->work, NULL);
	pthread_cond_init(&q->ended, NULL);
	if (threads < 0)
		threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (threads > VERIFYQ_THREADS_MAX)
		threads = VERIFYQ_THREADS_MAX;
	if (threads <= 0)
		return q;
	if ((q->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		cx_errf(e, "eventfd: %s", strerror(errno));
		verifyq_free(q);
		return NULL;
	}
	if (loop_watch(l, q->efd, POLLIN, on_ready, q) < 0) {
		cx_errf(e, "eventfd: cannot watch");
		verifyq_free(q);
		return NULL;
	}
	if (start(q, threads, e) < 0) {
		verifyq_free(q);
		return NULL;
	}
	return q;
}

void
verifyq_free(struct verifyq *q)
{
	int i;

	if (q == NULL)
		return;
	verifyq_drain(q);
	pthread_mutex_lock(&q->mu);
	q->stopping = 1;
	pthread_cond_broadcast(&q->work);
	pthread_mutex_unlock(&q->mu);
	for (i = 0; i < q->nthreads; i++)
		pthread_join(q->th[i], NULL);
	if (q->efd >= 0) {
		loop_unwatch(q->loop, q->efd);
		close(q->efd);
	}
	pthread_cond_destroy(&q->ended);
	pthread_cond_destroy(&q->work);
	pthread_mutex_destroy(&q->mu);
	free(q);
}

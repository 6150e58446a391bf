/*
 * ctlsock: local control socket (see ctlsock.h).
 *
 * Requests are one short line; a client gets one read to deliver it (the
 * socket is local and the line tiny), then its answer and the close.  At
 * most CTLSOCK_MAX_CLIENTS are held; a new one pushes out the oldest, so
 * an idle client cannot lock the maintainer out.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/log.h"
#include "controller/ctlsock.h"

#define REQ_MAX 64

struct ctlsock {
	struct loop *loop;
	struct ctlsock_handlers h;
	void *arg;
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int clients[CTLSOCK_MAX_CLIENTS];  /* oldest first, -1 free */
};

static void
drop_client(struct ctlsock *c, int fd)
{
	int i;

	for (i = 0; i < CTLSOCK_MAX_CLIENTS; i++)
		if (c->clients[i] == fd)
			c->clients[i] = -1;
	loop_unwatch(c->loop, fd);
	close(fd);
}

static void
answer(struct ctlsock *c, int fd, const char *req)
{
	char out[CTLSOCK_ANSWER_MAX];

	out[0] = '\0';
	if (strcmp(req, "status") == 0)
		c->h.status(c->arg, out, sizeof(out));
	else if (strcmp(req, "stop") == 0) {
		log_warnx("control socket: local stop");
		c->h.stop(c->arg, out, sizeof(out));
	} else if (strcmp(req, "ack") == 0 && c->h.ack != NULL)
		c->h.ack(c->arg, out, sizeof(out));
	else
		snprintf(out, sizeof(out), "{\"error\":\"unknown request\"}");
	strncat(out, "\n", sizeof(out) - strlen(out) - 1);
	if (write(fd, out, strlen(out)) == -1)
		log_debug("control socket: %s", strerror(errno));
}

static void
client_cb(void *arg, int fd, short revents)
{
	struct ctlsock *c = arg;
	char req[REQ_MAX + 1];
	ssize_t r;
	size_t n;

	r = read(fd, req, REQ_MAX);
	if (r > 0) {
		req[r] = '\0';
		n = strcspn(req, "\r\n");
		if (req[n] != '\0') {
			req[n] = '\0';
			answer(c, fd, req);
		}
	}
	drop_client(c, fd);
}

static int
peer_allowed(int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == -1)
		return 0;
	return cr.uid == 0 || cr.uid == getuid();
}

static void
accept_cb(void *arg, int fd, short revents)
{
	struct ctlsock *c = arg;
	int cfd, i;

	if ((cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1)
		return;
	if (!peer_allowed(cfd)) {
		log_warnx("control socket: peer refused (not root, not the daemon's user)");
		close(cfd);
		return;
	}
	for (i = 0; i < CTLSOCK_MAX_CLIENTS && c->clients[i] != -1; i++)
		;
	if (i == CTLSOCK_MAX_CLIENTS) {
		drop_client(c, c->clients[0]);
		memmove(c->clients, c->clients + 1, sizeof(int) * (CTLSOCK_MAX_CLIENTS - 1));
		i = CTLSOCK_MAX_CLIENTS - 1;
	}
	if (loop_watch(c->loop, cfd, POLLIN, client_cb, c) == -1) {
		close(cfd);
		return;
	}
	c->clients[i] = cfd;
}

struct ctlsock *
ctlsock_open(struct loop *l, const char *path, const struct ctlsock_handlers *h, void *arg,
    struct cx_err *e)
{
	struct sockaddr_un sun;
	struct ctlsock *c;
	int i;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		cx_errf(e, "control socket %s: path too long", path);
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		cx_errf(e, "control socket: out of memory");
		return NULL;
	}
	c->loop = l;
	c->h = *h;
	c->arg = arg;
	for (i = 0; i < CTLSOCK_MAX_CLIENTS; i++)
		c->clients[i] = -1;
	strcpy(sun.sun_path, path);
	strcpy(c->path, path);
	unlink(path);          /* left by a crash */
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd == -1 || bind(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    chmod(path, 0660) == -1 || listen(c->fd, 4) == -1 ||
	    loop_watch(l, c->fd, POLLIN, accept_cb, c) == -1) {
		cx_errf(e, "control socket %s: %s", path, strerror(errno));
		if (c->fd != -1)
			close(c->fd);
		free(c);
		return NULL;
	}
	return c;
}

void
ctlsock_close(struct ctlsock *c)
{
	int i;

	if (c == NULL)
		return;
	for (i = 0; i < CTLSOCK_MAX_CLIENTS; i++)
		if (c->clients[i] != -1)
			drop_client(c, c->clients[i]);
	loop_unwatch(c->loop, c->fd);
	close(c->fd);
	unlink(c->path);
	free(c);
}

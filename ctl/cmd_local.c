/*
 * cmd_local: talk to the cunxiangd running on this board through its local
 * control socket (STATE_DIR/control, see controller/ctlsock.h).
 *
 *   cunxiangctl local [-c node.conf] status   what the node is doing
 *   cunxiangctl local [-c node.conf] stop     stop the warning playing (and
 *                                             the queue) now: relays off
 *   cunxiangctl local [-c node.conf] ack      a person answers (叫应) the
 *                                             warning playing, or the last
 *                                             one played: a signed
 *                                             "acknowledged" receipt, by "local"
 * For a person at the node: no broker, no key needed, only the right to
 * the socket (root or the daemon's user).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/config.h"
#include "ctl/args.h"
#include "ctl/cmd.h"

#define LOCAL_TIMEOUT_S 5
#define LOCAL_EXIT_NONE 4              /* ack: nothing to acknowledge */

static void
usage_local(FILE *f)
{
	fprintf(f,
	    "usage: cunxiangctl local [-c node.conf] status|stop|ack\n"
	    "  Asks the cunxiangd on this board, through its control socket\n"
	    "  (STATE_DIR/control): status prints what it is doing; stop stops the\n"
	    "  warning playing and every queued one at once (reported upstream as\n"
	    "  cancelled, \"stopped locally\"); ack acknowledges the warning playing,\n"
	    "  else the last one played (within [node] ack_window_s): a signed\n"
	    "  \"acknowledged\" receipt goes upstream; exit 4 if there was none.\n"
	    "  Exit 3 if the daemon cannot be reached.\n");
}

static int
ask(const char *path, const char *req, char *out, size_t outsz)
{
	struct sockaddr_un sun;
	struct timeval tv = { LOCAL_TIMEOUT_S, 0 };
	size_t got = 0;
	ssize_t r;
	int fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path)
		return args_fail("local", EXIT_CONFIG, "%s: path too long", path);
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1 ||
	    write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		int err = errno;

		if (fd != -1)
			close(fd);
		return args_fail("local", EXIT_BROKER, "cannot reach cunxiangd at %s: %s",
		    path, strerror(err));
	}
	while (got < outsz - 1 && (r = read(fd, out + got, outsz - 1 - got)) > 0)
		got += (size_t)r;
	close(fd);
	out[got] = '\0';
	if (got == 0 || out[got - 1] != '\n')
		return args_fail("local", EXIT_BROKER, "no answer from cunxiangd");
	return EXIT_OK;
}

int
cmd_local(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf = "/etc/cunxiang/node.conf", *what;
	/* out: cunxiangd answers at most CTLSOCK_ANSWER_MAX (16384) bytes */
	char path[CFG_PATH_MAX + 16], out[16384], req[16];
	struct node_config *nc;
	struct cx_err e;
	int ch, rc;

	args_begin();
	while ((ch = getopt_long(argc, argv, "c:h", lo, NULL)) != -1) {
		switch (ch) {
		case 'c': conf = optarg; break;
		case 'h': usage_local(stdout); return EXIT_OK;
		default: return EXIT_USAGE;
		}
	}
	if (optind != argc - 1)
		return args_usage_error("local", "say status, stop or ack");
	what = argv[optind];
	if (strcmp(what, "status") != 0 && strcmp(what, "stop") != 0 && strcmp(what, "ack") != 0)
		return args_usage_error("local", "unknown request '%s' (status, stop, ack)", what);
	if ((nc = calloc(1, sizeof *nc)) == NULL)
		return args_fail("local", EXIT_CONFIG, "out of memory");
	if (config_load(conf, nc, &e) != 0) {
		free(nc);
		return args_fail("local", EXIT_CONFIG, "%s", e.msg);
	}
	snprintf(path, sizeof path, "%s/control", nc->state_dir);
	config_free(nc);
	free(nc);
	snprintf(req, sizeof req, "%s\n", what);
	if ((rc = ask(path, req, out, sizeof out)) == EXIT_OK)
		fputs(out, stdout);
	if (rc == EXIT_OK && strcmp(what, "ack") == 0 && strstr(out, "\"acknowledged\":null"))
		rc = LOCAL_EXIT_NONE;
	return rc;
}

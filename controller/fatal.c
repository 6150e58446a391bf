/*
 * fatal: a handler for the signals that end the process, which opens the
 * relays first (see fatal.h).  It only calls gpio_all_off() and raise().
 * With libgpiod that is one ioctl() per line on descriptors already open
 * (gpiod_line_set_value_bulk: no allocation, no lock; no strerror() on its
 * error path, e is NULL): async-signal-safe.  The sim: backend of tests
 * and the demo also formats with snprintf(), which glibc runs without
 * allocating for its integers and strings, though POSIX does not promise it.
 * SA_RESETHAND puts the default action back, so the raise() ends the
 * process with the signal's own status and core dump.
 */
#include <signal.h>
#include <stddef.h>

#include "controller/fatal.h"
#include "gpio/gpio.h"

#ifdef __SANITIZE_ADDRESS__
/* an ASan build (make SAN=1) keeps the sanitizer's own SIGSEGV, SIGBUS and
 * SIGFPE handlers, whose report a failing test needs; SIGABRT (the
 * watchdog's signal) is still ours */
static const int fatal_signals[] = { SIGABRT };
#else
static const int fatal_signals[] = { SIGABRT, SIGSEGV, SIGBUS, SIGILL, SIGFPE };
#endif
#define NFATAL (sizeof(fatal_signals) / sizeof(fatal_signals[0]))

static struct gpio *volatile fatal_gpio;

static void
on_fatal(int sig)
{
	gpio_all_off(fatal_gpio);
	raise(sig);
}

static void
fatal_install(void (*handler)(int))
{
	struct sigaction sa = { .sa_handler = handler };
	size_t i;

	sigemptyset(&sa.sa_mask);
	sa.sa_flags = handler == SIG_DFL ? 0 : SA_RESETHAND | SA_NODEFER;
	for (i = 0; i < NFATAL; i++)
		(void)sigaction(fatal_signals[i], &sa, NULL);
}

void
fatal_relays_arm(struct gpio *g)
{
	fatal_gpio = g;
	fatal_install(on_fatal);
}

void
fatal_relays_disarm(void)
{
	fatal_install(SIG_DFL);
	fatal_gpio = NULL;
}

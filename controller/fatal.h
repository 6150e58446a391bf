/*
 * fatal: relays off when the process dies of a signal it can catch.
 *
 * The service manager kills a daemon whose watchdog pings stop with
 * WatchdogSignal= (SIGABRT by default), and a crash raises SIGSEGV, SIGBUS,
 * SIGILL, SIGFPE or SIGABRT.  A line the kernel releases keeps or loses its
 * level as the chip pleases, so a relay could stay closed over the restart:
 * the handler drives every output off (gpio_all_off, async-signal-safe),
 * then lets the signal kill the process as it would have (core dump, exit
 * status).  SIGKILL cannot be caught: the next start requests the lines
 * off (gpio.h), which is why the unit restarts the node.
 */
#ifndef CX_FATAL_H
#define CX_FATAL_H

struct gpio;

/* From now on a fatal signal switches g's outputs off first. */
void fatal_relays_arm(struct gpio *g);
/* Before g is closed: back to the default actions. */
void fatal_relays_disarm(void);

#endif

/*
 * term: whether cunxiangctl may write terminal control sequences (ANSI
 * escapes: the live redraw of `rollcall`) to a stream.
 *
 * Only to a terminal, never into a pipe or a file, and not when the user
 * said no: NO_COLOR set to anything but "" (https://no-color.org) or
 * TERM=dumb.  Plain text is written either way.
 */
#ifndef CX_TERM_H
#define CX_TERM_H

/* 1 if escapes may go to fd, else 0. */
int term_controls(int fd);

#endif

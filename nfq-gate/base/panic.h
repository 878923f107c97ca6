/*
 * panic.h - a broken invariant says so once, loudly, and stops.
 *
 * As postscreen's msg_panic: a state the code's own logic rules out
 * (an unknown rule action, a release with no room left) is a bug, and
 * choosing a default would hide it.  The message names the function
 * (callers pass __func__) and goes to the log and stderr, then abort()
 * leaves a core.  The gate fails open when it dies: the rules' queue
 * bypass lets the kernel accept while nobody reads the queue.
 */
#ifndef NG_PANIC_H
#define NG_PANIC_H

void ng_panic(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

#endif

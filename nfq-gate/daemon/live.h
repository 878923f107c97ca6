/*
 * live.h - the live front-end: nfq-gate -q NUM, the gate on NFQUEUE.
 *
 * It parses its own options (the replay parses its own), so the
 * command-line contract of one cannot drift into the other.
 */
#ifndef NG_LIVE_H
#define NG_LIVE_H

/* ng_live_main - run the gate until SIGTERM; the process's exit code. */
int ng_live_main(int argc, char **argv);

#endif

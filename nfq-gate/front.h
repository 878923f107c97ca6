/*
 * front.h - the two front-ends that drive the engine.
 *
 * nfq-gate -r FILE replays a capture (replay.c); nfq-gate -q NUM runs
 * the live NFQUEUE gate (live.c).  Each parses its own options, so the
 * command-line contract of one cannot drift into the other.
 */
#ifndef NG_FRONT_H
#define NG_FRONT_H

int ng_replay_main(int argc, char **argv);
int ng_live_main(int argc, char **argv);

#endif

/*
 * replay.h - the replay front-end: nfq-gate -r FILE, what would the gate
 * have done with this capture?
 */
#ifndef NG_REPLAY_H
#define NG_REPLAY_H

/* ng_replay_main - replay a capture through the engine; the exit code. */
int ng_replay_main(int argc, char **argv);

#endif

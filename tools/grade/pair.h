/* pair.h — Part 2 (course_steps 9-14): the grader starts the other node of
 * a pair and judges by its verdicts (pair.c says how). */
#ifndef TAPA_GRADE_PAIR_H
#define TAPA_GRADE_PAIR_H

#include "job.h"

/* Which other node: erl where installed, else the C one; TAPA_PEER=c|erl
 * forces one. Called once before any run. */
void grade_choose_peer(void);

/* The other node, for people ("a real erl node (...)"). */
const char *grade_peer_description(void);

/* text with the tutorial's node names replaced by this run's (malloc'd). */
char *grade_with_names(const job *j, const char *text);

/* Run the learner's program `exe` as one node while the peer plays the
 * other. Fills *rr as grade_run_cmd does and sets j->peer_out or
 * j->peer_problem. trace: NULL, or where the program (not the peer) writes
 * its TAPA_TRACE. */
void grade_run_pair(job *j, const char *exe, const run_limits *lim, const char *trace,
                    run_result *rr);

/* What the peer printed for people: its "| " lines and anything else that
 * is not a verdict (malloc'd). */
char *grade_peer_log_text(const job *j);

/* The PEER checks of a job, from the peer's verdicts. */
void grade_peer_checks(job *j);

#endif

/* demo_main.c — the grader compiles a learner's exercise with
 * -Dmain=tapa_learner_main (so the probes can link its functions) and links
 * this file to run its demo as written. */
int tapa_learner_main(void);
int main(void)
{
    return tapa_learner_main();
}

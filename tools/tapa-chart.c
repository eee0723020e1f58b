/* tapa-chart — draws an SVG sequence chart from libtapa event traces.
 *
 *   TAPA_TRACE=run.trace TAPA_FAST=1 ./program
 *   build/bin/tapa-chart -o run.svg [-t TITLE] [-l PID=LABEL]... run.trace [node2.trace...]
 *
 * Three stages (tools/chart/): read the traces and merge them (read.c), lay
 * out columns, rows and labels (layout.c), draw the SVG (draw.c). No
 * dependencies beyond libc.
 */
#include "chart/chart.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out, "usage: tapa-chart [-o OUT.svg] [-t TITLE] [-l PID=LABEL]... TRACE [TRACE...]\n"
                 "  Draws an SVG sequence chart of a run from its event trace(s): write one with\n"
                 "  TAPA_TRACE=run.trace ./program. Give one trace per node of a distributed run\n"
                 "  to see the nodes side by side.\n"
                 "  -o FILE         write the SVG there (default: standard output)\n"
                 "  -t TITLE        a title above the chart\n"
                 "  -l PID=LABEL    name a process's column, e.g. -l '<0.101.0>=child1'\n"
                 "                  (NODE/<0.101.0>=... for one node of several)\n");
}

typedef struct options {
    const char *out_path, *title;
    const char **paths;
    size_t npaths, paths_cap;
    labelopt *labels;
    size_t nlabels, labels_cap;
} options;

/* 0: go on; otherwise the exit status */
static int parse_options(int argc, char **argv, options *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return -1;
        } else if (!strcmp(a, "-o") && i + 1 < argc) {
            o->out_path = argv[++i];
        } else if (!strcmp(a, "-t") && i + 1 < argc) {
            o->title = argv[++i];
        } else if (!strcmp(a, "-l") && i + 1 < argc) {
            char *kv = chart_strdup(argv[++i]);
            char *eq = strchr(kv, '=');
            if (!eq) chart_die("-l takes PID=LABEL, e.g. -l '<0.101.0>=child1'");
            *eq = 0;
            labelopt l = {kv, eq + 1};
            PUSH(o->labels, o->nlabels, o->labels_cap, l);
        } else if (a[0] == '-' && a[1]) {
            usage(stderr);
            return 2;
        } else {
            PUSH(o->paths, o->npaths, o->paths_cap, a);
        }
    }
    if (o->npaths == 0) {
        usage(stderr);
        return 2;
    }
    return 0;
}

static void write_out(const char *path, const char *svg)
{
    FILE *out = stdout;
    if (path && !(out = fopen(path, "w"))) chart_die("cannot write %s: %s", path, strerror(errno));
    fputs(svg, out);
    if (out != stdout && fclose(out) != 0) chart_die("cannot write %s", path);
}

int main(int argc, char **argv)
{
    options o = {.title = ""};
    int status = parse_options(argc, argv, &o);
    if (status) return status < 0 ? 0 : status;
    chart_read(o.paths, o.npaths);
    chart_layout(o.labels, o.nlabels, o.title);
    char *svg = chart_draw(o.title);
    write_out(o.out_path, svg);
    free(svg);
    free(o.paths);
    for (size_t i = 0; i < o.nlabels; i++)
        free(o.labels[i].key); /* the label text is in the same block */
    free(o.labels);
    return 0;
}

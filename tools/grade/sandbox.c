/* sandbox.c — building bwrap's command line; see sandbox.h. */
#include "sandbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SANDBOX_MAX_PATHS 16

static char *bwrap_path;
static const char *kit_dir;
static char *kit_build, *kit_lib, *kit_bin;
static const char *hidden[SANDBOX_MAX_PATHS], *shown[SANDBOX_MAX_PATHS];
static int nhidden, nshown;

static char *find_bwrap(void)
{
    const char *path = getenv("PATH");
    char *copy = strdup(path ? path : "/usr/bin:/bin"), *save = NULL;
    char *found = NULL;
    for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
        char full[4096];
        snprintf(full, sizeof full, "%s/bwrap", d);
        if (access(full, X_OK) == 0) found = strdup(full);
    }
    free(copy);
    return found;
}

bool grade_sandbox_available(char **why)
{
    *why = NULL;
    if (getenv("TAPA_NO_SANDBOX")) {
        *why = strdup("TAPA_NO_SANDBOX is set");
        return false;
    }
    if (!bwrap_path) bwrap_path = find_bwrap();
    if (!bwrap_path) {
        *why = strdup(
            "bubblewrap (bwrap) is not installed: tools/setup-deps.sh installs it on Debian/Ubuntu");
        return false;
    }
    char cmd[4400];
    snprintf(
        cmd, sizeof cmd,
        "'%s' --die-with-parent --unshare-pid --unshare-ipc --unshare-net --ro-bind / / --proc /proc "
        "--dev /dev --tmpfs /tmp true 2>&1",
        bwrap_path);
    FILE *p = popen(cmd, "r");
    char msg[512] = "";
    size_t n = p ? fread(msg, 1, sizeof msg - 1, p) : 0;
    msg[n] = 0;
    int status = p ? pclose(p) : -1;
    if (status != 0) {
        char *nl = strchr(msg, '\n');
        if (nl) *nl = 0;
        size_t need = strlen(msg) + 120;
        *why = malloc(need);
        snprintf(*why, need, "bwrap cannot make namespaces here (%s)",
                 *msg ? msg : "no user namespaces?");
        return false;
    }
    return true;
}

static char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *s = malloc(n);
    snprintf(s, n, "%s/%s", a, b);
    return s;
}

void grade_sandbox_kit(const char *kit)
{
    kit_dir = kit;
    kit_build = join(kit, "build");
    kit_lib = join(kit, "build/release/lib");
    kit_bin = join(kit, "build/bin");
}

void grade_sandbox_hide(const char *path)
{
    if (path && nhidden < SANDBOX_MAX_PATHS) hidden[nhidden++] = path;
}

void grade_sandbox_show(const char *path)
{
    if (path && nshown < SANDBOX_MAX_PATHS) shown[nshown++] = path;
}

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

char **grade_sandbox_argv(const char *rw, bool own_net, char *const argv[])
{
    int na = 0;
    while (argv[na]) na++;
    char **v = malloc(sizeof(char *) * (size_t)(na + 96 + 3 * (nhidden + nshown)));
    int n = 0;
#define A(s) (v[n++] = (char *)(s))
    A(bwrap_path);
    A("--die-with-parent"), A("--new-session"), A("--unshare-pid"), A("--unshare-ipc"),
        A("--unshare-uts");
    A("--unshare-cgroup-try");
    if (own_net) A("--unshare-net");
    /* the system, read-only, minus what a submission has no business reading */
    static const char *const sys[] = {"/usr",   "/bin",    "/sbin", "/lib", "/lib32",
                                      "/lib64", "/libx32", "/etc",  "/opt"};
    for (size_t i = 0; i < sizeof sys / sizeof sys[0]; i++)
        A("--ro-bind-try"), A(sys[i]), A(sys[i]);
    static const char *const secrets[] = {"/etc/shadow",   "/etc/gshadow", "/etc/shadow-",
                                          "/etc/gshadow-", "/etc/sudoers", "/etc/ssh"};
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
        if (access(secrets[i], F_OK) == 0) {
            if (is_dir(secrets[i])) A("--tmpfs"), A(secrets[i]);
            else A("--ro-bind"), A("/dev/null"), A(secrets[i]);
        }
    A("--proc"), A("/proc"), A("--dev"), A("/dev"), A("--tmpfs"), A("/tmp");
    /* the kit, read-only; of its build/ only the runtime library and tools */
    if (kit_dir) {
        A("--ro-bind"), A(kit_dir), A(kit_dir);
        if (is_dir(kit_build)) {
            A("--tmpfs"), A(kit_build);
            if (is_dir(kit_lib)) A("--ro-bind"), A(kit_lib), A(kit_lib);
            if (is_dir(kit_bin)) A("--ro-bind"), A(kit_bin), A(kit_bin);
        }
    }
    for (int i = 0; i < nhidden; i++)
        if (is_dir(hidden[i])) A("--tmpfs"), A(hidden[i]);
    for (int i = 0; i < nshown; i++)
        if (is_dir(shown[i])) A("--ro-bind"), A(shown[i]), A(shown[i]);
    A("--bind"), A(rw), A(rw), A("--chdir"), A(rw);
    A("--setenv"), A("TMPDIR"), A("/tmp");
    A("--");
#undef A
    for (int i = 0; i <= na; i++) v[n++] = argv[i];
    return v;
}

int grade_sandbox_signal(int exit_code)
{
    return exit_code > 128 && exit_code < 128 + 65 ? exit_code - 128 : 0;
}

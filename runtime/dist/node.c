/* node.c — starting and stopping this node: its name, its cookie (as erl
 * finds or makes ~/.erlang.cookie), the listening socket, the port mapper
 * registration and the tick timer. */
#include "dist/dist.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool sched_init(void); /* scheduler.c: idempotent; false (said) if it cannot start */

dist_node dn = {.epmd_fd = -1};

static void say(const char *fmt, const char *a, const char *b)
{
    fflush(stdout);
    fprintf(stderr, "tapa: ");
    fprintf(stderr, fmt, a, b ? b : "");
    fputc('\n', stderr);
}

/* ------------------------------------------------------------- cookie -- */

static bool make_cookie_file(const char *path)
{
    char cookie[21];
    uint8_t rnd[20];
    if (uv_random(NULL, NULL, rnd, sizeof rnd, 0, NULL) != 0) return false;
    for (int i = 0; i < 20; i++) cookie[i] = (char)('A' + rnd[i] % 26);
    cookie[20] = 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0400);
    if (fd < 0) return false;
    bool ok = write(fd, cookie, 20) == 20;
    close(fd);
    return ok;
}

/* erl's rules: the file must be the owner's alone; trailing blanks go. */
static bool read_cookie_file(char *out, size_t size)
{
    const char *home = getenv("HOME");
    char path[1024];
    snprintf(path, sizeof path, "%s/.erlang.cookie", home && *home ? home : ".");
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno != ENOENT || !make_cookie_file(path)) {
            say("cannot read or create the cookie file %s: %s", path, strerror(errno));
            return false;
        }
        stat(path, &st);
    }
    if (st.st_mode & 077) {
        say("the cookie file %s must be accessible by its owner only (chmod 400 %s)", path, path);
        return false;
    }
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(out, 1, size - 1, f) : 0;
    if (f) fclose(f);
    while (n > 0 &&
           (out[n - 1] == '\n' || out[n - 1] == '\r' || out[n - 1] == ' ' || out[n - 1] == '\t'))
        n--;
    out[n] = 0;
    if (!n) say("the cookie file %s is empty or unreadable%s", path, "");
    return n > 0;
}

/* --------------------------------------------------------------- name -- */

static bool split_name(const char *name)
{
    const char *at = strchr(name, '@');
    if (at) {
        snprintf(dn.name, sizeof dn.name, "%s", name);
    } else {
        char host[128];
        if (gethostname(host, sizeof host) != 0 || strlen(name) > 100) return false;
        host[sizeof host - 1] = 0;
        char *dot = strchr(host, '.');
        if (dot) *dot = 0;
        snprintf(dn.name, sizeof dn.name, "%s@%s", name, host);
    }
    at = strchr(dn.name, '@');
    size_t alen = (size_t)(at - dn.name);
    if (alen == 0 || !at[1] || strchr(at + 1, '@')) return false;
    snprintf(dn.alive_part, sizeof dn.alive_part, "%.*s", (int)alen, dn.name);
    snprintf(dn.host, sizeof dn.host, "%s", at + 1);
    for (const char *c = dn.alive_part; *c; c++)
        if (!(*c == '_' || *c == '-' || (*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') ||
              (*c >= 'A' && *c <= 'Z')))
            return false;
    return true;
}

/* ------------------------------------------------------------ sockets -- */

static void on_connection(uv_stream_t *server, int status)
{
    if (status == 0) sock_accepted(server);
}

static void on_tick(uv_timer_t *t)
{
    (void)t;
    dist_tick();
}

static bool is_loopback(const struct sockaddr *a)
{
    if (a->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)a)->sin_addr.s_addr) >> 24) == 127;
    return a->sa_family == AF_INET6 &&
           IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)a)->sin6_addr);
}

/* Listen on the host of our name, on a port the system picks. */
static bool listen_on_host(uint16_t *port, bool *loopback)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    if (getaddrinfo(dn.host, NULL, &hints, &res) != 0 || !res) {
        say("cannot resolve the host %s of the node name %s", dn.host, dn.name);
        return false;
    }
    *loopback = is_loopback(res->ai_addr);
    uv_tcp_init(sched_loop(), &dn.h->listener);
    dn.h->open++;
    int rc = uv_tcp_bind(&dn.h->listener, res->ai_addr, 0);
    freeaddrinfo(res);
    if (rc == 0) rc = uv_listen((uv_stream_t *)&dn.h->listener, 128, on_connection);
    if (rc != 0) {
        say("cannot listen on %s: %s", dn.host, uv_strerror(rc));
        return false;
    }
    struct sockaddr_storage ss;
    int len = sizeof ss;
    uv_tcp_getsockname(&dn.h->listener, (struct sockaddr *)&ss, &len);
    *port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
    return true;
}

static void on_handle_closed(uv_handle_t *h)
{
    node_handles *nh = h->data;
    if (--nh->open == 0) free(nh);
}

static void close_handles(void)
{
    node_handles *nh = dn.h;
    dn.h = NULL;
    if (!nh) return;
    uv_handle_t *hs[] = {(uv_handle_t *)&nh->listener, (uv_handle_t *)&nh->tick,
                         (uv_handle_t *)&nh->flusher};
    int opened = nh->open;
    for (int i = 0; i < opened; i++) {
        hs[i]->data = nh;
        uv_close(hs[i], on_handle_closed);
    }
    if (!opened) free(nh);
}

/* -------------------------------------------------------------- start -- */

static tapa_term erlang_display(const tapa_term *captured, const tapa_term *args)
{
    (void)captured;
    tapa_printf("%pT\n", args[0]);
    return tapa_true();
}

static tapa_term erlang_exit(const tapa_term *captured, const tapa_term *args)
{
    (void)captured;
    tapa_exit(args[0]);
}

static tapa_term erlang_node(const tapa_term *captured, const tapa_term *args)
{
    (void)captured, (void)args;
    return tapa_node();
}

static bool start_sockets(void)
{
    uint16_t port;
    bool loopback;
    dn.h = calloc(1, sizeof *dn.h);
    if (!dn.h) abort();
    if (!listen_on_host(&port, &loopback)) return false;
    char err[300];
    if (!epmd_register(dn.alive_part, port, loopback, &dn.epmd_fd, &dn.creation, err, sizeof err)) {
        say("%s%s", err, NULL);
        return false;
    }
    uv_timer_init(sched_loop(), &dn.h->tick);
    dn.h->open++;
    uv_prepare_init(sched_loop(), &dn.h->flusher);
    dn.h->open++;
    uint64_t every = dn.ticktime_ms / 4 < 1000 ? dn.ticktime_ms / 4 : 1000;
    uv_timer_start(&dn.h->tick, on_tick, every, every);
    return true;
}

/* A peer that dies with output unread is a nodedown, not the end of this
 * program: writes to a broken socket must fail with EPIPE, not kill us.
 * A handler the program installed itself is left alone. */
static void ignore_sigpipe(void)
{
    struct sigaction old;
    if (sigaction(SIGPIPE, NULL, &old) == 0 && old.sa_handler == SIG_DFL) {
        struct sigaction ign = {0};
        ign.sa_handler = SIG_IGN;
        sigemptyset(&ign.sa_mask);
        sigaction(SIGPIPE, &ign, NULL);
    }
}

bool tapa_node_start(const char *name, const char *cookie, int ticktime_s)
{
    if (dn.alive) {
        say("the node is already alive as %s%s", dn.name, NULL);
        return false;
    }
    atoms_init();
    if (!sched_init()) return false;
    ignore_sigpipe();
    if (!name || !split_name(name)) {
        say("a bad node name '%s': use name@host with letters, digits, _ and - before the @%s",
            name ? name : "(null)", NULL);
        return false;
    }
    if (cookie) snprintf(dn.cookie, sizeof dn.cookie, "%s", cookie);
    else if (!read_cookie_file(dn.cookie, sizeof dn.cookie)) return false;
    dn.ticktime_ms = (uint64_t)(ticktime_s > 0 ? ticktime_s : 60) * 1000;
    dn.setup_ms = 7000;
    if (!dn.max_packet) dn.max_packet = 64u << 20;
    if (!dn.max_output) dn.max_output = 64u << 20;
    if (!dn.limits.max_depth) dn.limits = etf_default_limits;
    if (!start_sockets()) {
        close_handles();
        dn.name[0] = 0;
        return false;
    }
    dn.atom = tapa_atom(dn.name);
    /* the atoms a ping, an rpc and a spawn from erl use: made now, so they
     * exist even if peers have used up the atoms they may add */
    static const char *const dist_atoms[] = {
        "$gen_call", "is_auth",   "yes",          "net_kernel",  "alias",   "rex",     "call",
        "erlang",    "apply",     "noconnection", "badrpc",      "EXIT",    "monitor", "io_request",
        "io_reply",  "put_chars", "unicode",      "spawn_reply", "nodedown"};
    for (size_t i = 0; i < sizeof dist_atoms / sizeof *dist_atoms; i++) tapa_atom(dist_atoms[i]);
    node_set_local(dn.atom, dn.creation);
    heap_init(&dn.scratch);
    dn.alive = true;
    dn.stopping = false;
    tapa_dist = &dist_hook_table;
    tapa_export(":erlang", "display", 1, erlang_display);
    tapa_export(":erlang", "node", 0, erlang_node);
    tapa_export(":erlang", "exit", 1, erlang_exit);
    dn.verbose = getenv("TAPA_DIST_VERBOSE") != NULL;
    io_protocol_start();
    return true;
}

static void stop(bool notify)
{
    if (!dn.alive) return;
    dn.stopping = !notify;
    io_protocol_stop();
    dist_close_all();
    close_handles();
    if (dn.epmd_fd >= 0) close(dn.epmd_fd); /* unregisters the name */
    dn.epmd_fd = -1;
    heap_destroy(&dn.scratch);
    free(dn.watch);
    dn.watch = NULL;
    dn.nwatch = dn.watch_cap = 0;
    tapa_dist = NULL;
    node_set_local(A(nonode_nohost), 0);
    dn.alive = false;
    dn.name[0] = 0;
}

void tapa_node_stop(void)
{
    stop(true);
}

/* tapa_run is ending: close everything, tell no local process. */
void dist_shutdown(void)
{
    stop(false);
}

bool tapa_node_alive(void)
{
    return dn.alive;
}

/* Incoming terms are decoded on an explicit heap stack: the depth limit
 * only guards memory (which the decoder bounds by the packet's size
 * anyway). A compressed term may not inflate past the packet limit. */
void tapa_dist_limits(size_t max_packet, unsigned max_depth, unsigned max_new_atoms)
{
    if (!dn.limits.max_depth) dn.limits = etf_default_limits;
    if (max_packet) dn.max_packet = dn.limits.max_inflated = max_packet;
    if (max_depth) dn.limits.max_depth = max_depth;
    if (max_new_atoms) dn.limits.max_new_atoms = max_new_atoms;
}

void tapa_dist_output_limit(size_t max_queued_bytes)
{
    if (max_queued_bytes) dn.max_output = max_queued_bytes;
}

/* raw_peer.h — the raw-socket side of the interop drivers that play a
 * hostile or malformed peer (dist_abuse, dist_hostile): plain blocking
 * sockets on 127.0.0.1, every read bounded by a timeout, so a node that
 * misbehaves makes a check fail, never a driver hang. */
#ifndef TAPA_TEST_RAW_PEER_H
#define TAPA_TEST_RAW_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A TCP connection to 127.0.0.1:port, or -1. */
int dial(uint16_t port);
/* All n bytes, or false (a peer that closed gives EPIPE, never SIGPIPE). */
bool send_all(int fd, const void *p, size_t n);
/* Read what comes within ms; -1 on EOF or error, 0 on timeout, else bytes. */
ssize_t read_some(int fd, uint8_t *buf, size_t size, int ms);
/* Did the node close fd within ms? (Whatever it sent first is skipped.) */
bool closed_within(int fd, int ms);
/* The port the port mapper gives for `alive`, or 0. */
uint16_t port_of(const char *alive);

#endif

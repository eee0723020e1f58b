/* mailbox.c — a process's queue of messages, oldest first.
 *
 * Nodes are recycled through a free list: a serving process that takes one
 * message and waits for the next allocates nothing in the steady state.
 */
#include "sched/process.h"

#include <stdlib.h>

static msg *free_nodes;
static size_t free_count;
#define FREE_KEEP 4096

static msg *msg_alloc(void)
{
    msg *m = free_nodes;
    if (m) {
        free_nodes = m->next;
        free_count--;
        return m;
    }
    m = malloc(sizeof *m);
    if (!m) abort();
    return m;
}

void msg_free(msg *m)
{
    if (free_count >= FREE_KEEP) {
        free(m);
        return;
    }
    m->next = free_nodes;
    free_nodes = m;
    free_count++;
}

void mailbox_init(mailbox *mb)
{
    mb->head = NULL;
    mb->tail = &mb->head;
    mb->len = 0;
    mailbox_forget_save_point(mb);
}

void mailbox_forget_save_point(mailbox *mb)
{
    mb->resume = NULL;
    mb->resume_key = 0;
}

void mailbox_push(mailbox *mb, tapa_term term)
{
    msg *m = msg_alloc();
    m->next = NULL;
    m->term = term;
    *mb->tail = m;
    mb->tail = &m->next;
    mb->len++;
}

void mailbox_unlink(mailbox *mb, msg **at)
{
    msg *m = *at;
    *at = m->next;
    if (mb->tail == &m->next) mb->tail = at;
    mb->len--;
    msg_free(m);
}

void mailbox_clear(mailbox *mb)
{
    msg *m = mb->head;
    while (m) {
        msg *next = m->next;
        msg_free(m);
        m = next;
    }
    mailbox_init(mb);
}

void mailbox_mark(process *p)
{
    for (msg *m = p->mbox.head; m; m = m->next) heap_mark_term(&p->heap, m->term);
}

void mailbox_release_pool(void)
{
    while (free_nodes) {
        msg *m = free_nodes;
        free_nodes = m->next;
        free(m);
    }
    free_count = 0;
}

/*
 * The harness of the Lab 2 test program (user/tests/lab2_map.c, which holds
 * the tests; lab2_harness.c implements what is declared here).
 *
 * A lab2_map test boots the program two or three times, as boot modules 0, 1 and 2,
 * each in an address space of its own.  Role 'a' (module 0) drives the test;
 * roles 'b' and 'c' (modules 1 and 2) serve a's requests: set the receive
 * window, take a mapping, read or write an address, unmap, pass a mapping on
 * to the other peer.  The three copies of the program are linked at the same
 * address, so a's static page P is, in b, b's own page P: what one task sees
 * of another's memory it sees through the windows, at addresses where the
 * program itself has nothing (0x40000000..0x7fffffff; a's unowned memory in
 * the refused test is at 0x20000000..0x2fffffff).
 *
 * Every access that may fault runs in a probe thread of its own, so that a
 * fault ends only the probe: its task learns of it from the failed receive
 * (-(L4_ECANCELED | L4_ERECV), or L4_ENOPARTNER if the probe ended before the
 * receive began).  Before each access that must fault, 'a' announces it in a
 * line "lab2 TEST: expecting a fault: ROLE reads|writes ADDRESS (why)"; the
 * grader checks the kernel's report of that fault (access, address, reason).
 *
 * a asks a peer with ask() (a request label REQ_* and up to four words;
 * the reply's two words come back) and checks the answers with the must_*
 * helpers, which fold every value found where it should be into the digest
 * (test_fold).  Every failure ends the test through test_fail, naming the
 * role ("lab2 share: FAIL: a: ...").
 */
#ifndef LAB2_HARNESS_H
#define LAB2_HARNESS_H

#include "ulib.h"

#define PAGE 4096u
#define BIG_LOG2 22
#define BIG_SIZE (1u << BIG_LOG2)
#define RW (L4_FPAGE_R | L4_FPAGE_W)

enum { ROLE_A, ROLE_B, ROLE_C };

/* What a peer does for 'a': the label of a's request.  Words in brackets
   are the request's; the reply's two words follow the arrow. */
enum {
    REQ_WINDOW = 1, /* [fpage] -> (): the receive window for the mappings to come */
    REQ_TAKE,       /* [cookie] + one map/grant item -> (landed fpage, cookie) */
    REQ_READ,       /* [addr] -> (faulted, value) */
    REQ_WRITE,      /* [addr, value] -> (faulted) */
    REQ_SUM,        /* [addr, count, stride] -> (faulted, sum of the words) */
    REQ_UNMAP,      /* [fpage, flags] -> (l4_unmap's result) */
    REQ_PASS,       /* [role, type, snd_base, fpage]: send that item to the peer
                       `role` -> (the IPC's result, the fpage that landed there) */
    REQ_COUNT,      /* [] -> (requests served, this one included) */
    REQ_HELD,       /* [role, addr, count, stride]: map each of the count pages at addr,
                       addr + stride, ... to the peer `role`, to see which ones this
                       task still has -> (how many landed, the first that landed) */
};
#define REPLY_LABEL 0x7E

/* The kinds of access a probe makes. */
enum { PROBE_SUM, PROBE_WRITE };

/* The command line's TEST and NONCE, and this copy's role (ROLE_A..C). */
extern const char *test_name, *nonce;
extern int my_role;

static inline char role_char(int role) { return "abc"[role]; }

/* Reads TEST NONCE ROLE [PARAMS...] SEED from the command line, names the
   test for test_fail and folds SEED into the digest.  Returns in role a;
   b and c serve a's requests from here until a stops the machine. */
void lab2_begin(int argc, char **argv);

/* a's success line, with the address the test worked at; stops the machine. */
__attribute__((noreturn)) void pass(uint32_t at);

/* A random value to write, never 0; random bits above 2^log2 for a send
   base (they must not matter); a flexpage in words, for messages. */
uint32_t value(void);
uint32_t high_bits(unsigned log2);
const char *fp_str(l4_fpage_t f);

/* a sends one map or grant item to the first thread of boot module `to`;
   returns the IPC's result, and in *landed the fpage that arrived. */
int32_t give(int to, uint32_t type, uint32_t snd_base, l4_fpage_t fp, l4_fpage_t *landed);

/* a's requests to a peer (the reply's two words in *out0, *out1), and the
   receive window a peer sets for the mappings to come. */
void ask(int to, uint32_t req, unsigned n, const uint32_t *w, uint32_t *out0, uint32_t *out1);
void set_window(int to, l4_fpage_t w);

/* `who` (a itself, or a peer) accesses addr in a probe; returns 1 if it
   faulted, else 0 with the word read in *got. */
uint32_t access_at(int who, int kind, uint32_t addr, uint32_t val, uint32_t *got);
/* `who` must read want at addr (folded into the digest), or write there. */
void must_read(int who, uint32_t addr, uint32_t want, const char *what);
void must_write(int who, uint32_t addr, uint32_t val, const char *what);
/* `who`'s access must fault; it is announced first for the grader. */
void must_fault(int who, int kind, uint32_t addr, const char *why);

/* a maps (or grants) fp to `to`, which must land as want; a peer passes
   an item on to the other; `who` unmaps fp. */
void map_to(int to, uint32_t type, uint32_t snd_base, l4_fpage_t fp, l4_fpage_t want);
void pass_on(int from, int to, uint32_t type, uint32_t snd_base, l4_fpage_t fp,
             l4_fpage_t want);
void unmap_by(int who, l4_fpage_t fp, uint32_t flags);

/* a's own word at page + off, and a check of it (folded into the digest). */
volatile uint32_t *word(void *page, uint32_t off);
void a_expects(void *page, uint32_t off, uint32_t want, const char *what);

#endif

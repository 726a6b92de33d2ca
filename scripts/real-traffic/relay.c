/*
 * relay.c - userspace layer-2 frame relay between two interfaces (AF_PACKET),
 * a stand-in for `tc netem` (this kernel has no sch_netem).
 *
 *   relay IF_A IF_B SECONDS SEED DELAY_MS REORDER_PCT REORDER_EXTRA_MS LOSS_PCT DUP_PCT
 *
 * Every frame received on IF_A is sent out of IF_B after DELAY_MS and vice
 * versa (independently in each direction).  For IPv4/IPv6 TCP frames only
 * (ARP / neighbour discovery are just delayed):
 *   LOSS_PCT     percent of frames are dropped,
 *   REORDER_PCT  percent of frames get an extra delay, uniform in
 *                [0.3, REORDER_EXTRA_MS] ms, so later frames overtake them,
 *   DUP_PCT      percent of frames are sent twice (the copy 0.05 ms later).
 * The random choices come from a xorshift generator seeded with SEED (the
 * traffic itself is not deterministic, so the choices per frame are not either).
 * Prints counters on stderr at the end.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

#define SLOTS (1 << 17)
#define FRAME 2048

typedef struct { uint64_t due; uint64_t order; int out; int len; uint32_t slot; } item;

static unsigned char *pool;
static uint32_t freelist[SLOTS], nfree;
static item heap[SLOTS];
static int nheap;
static uint64_t rng;
static volatile sig_atomic_t stop;

static uint64_t xr(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }
static double ur(void) { return (xr() >> 11) * (1.0 / 9007199254740992.0); }
static uint64_t now_ns(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return (uint64_t)t.tv_sec * 1000000000ull + t.tv_nsec; }

static int less(const item *a, const item *b) { return a->due < b->due || (a->due == b->due && a->order < b->order); }
static void push(item it) {
  int i = nheap++;
  heap[i] = it;
  while (i > 0) { int p = (i - 1) / 2; if (!less(&heap[i], &heap[p])) break; item t = heap[i]; heap[i] = heap[p]; heap[p] = t; i = p; }
}
static item pop(void) {
  item r = heap[0];
  heap[0] = heap[--nheap];
  int i = 0;
  for (;;) {
    int l = 2 * i + 1, rr = l + 1, m = i;
    if (l < nheap && less(&heap[l], &heap[m])) m = l;
    if (rr < nheap && less(&heap[rr], &heap[m])) m = rr;
    if (m == i) break;
    item t = heap[i]; heap[i] = heap[m]; heap[m] = t; i = m;
  }
  return r;
}

static int open_if(const char *name) {
  int s = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));
  if (s < 0) { perror("socket"); exit(1); }
  int one = 1, big = 64 << 20;
  setsockopt(s, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
  setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
  setsockopt(s, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof big);
  struct sockaddr_ll a = {0};
  a.sll_family = AF_PACKET;
  a.sll_protocol = htons(ETH_P_ALL);
  a.sll_ifindex = if_nametoindex(name);
  if (!a.sll_ifindex) { fprintf(stderr, "no interface %s\n", name); exit(1); }
  if (bind(s, (struct sockaddr *)&a, sizeof a) < 0) { perror("bind"); exit(1); }
  struct packet_mreq mr = {0};
  mr.mr_ifindex = a.sll_ifindex;
  mr.mr_type = PACKET_MR_PROMISC;
  setsockopt(s, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr);
  return s;
}

static int is_tcp(const unsigned char *f, int len) {
  if (len < 14 + 20) return 0;
  int et = (f[12] << 8) | f[13];
  if (et == 0x0800) return f[14 + 9] == 6;
  if (et == 0x86dd) return len >= 14 + 40 && f[14 + 6] == 6;
  return 0;
}

static void on_sig(int s) { (void)s; stop = 1; }

int main(int argc, char **argv) {
  if (argc != 10) { fprintf(stderr, "usage: relay IF_A IF_B SECONDS SEED DELAY_MS REORDER_PCT REORDER_EXTRA_MS LOSS_PCT DUP_PCT\n"); return 2; }
  double secs = atof(argv[3]);
  rng = strtoull(argv[4], 0, 10) * 0x9E3779B97F4A7C15ull + 1;
  uint64_t delay = (uint64_t)(atof(argv[5]) * 1e6);
  double reorder = atof(argv[6]) / 100, extra = atof(argv[7]), loss = atof(argv[8]) / 100, dup = atof(argv[9]) / 100;
  signal(SIGINT, on_sig);
  signal(SIGTERM, on_sig);
  pool = malloc((size_t)SLOTS * FRAME);
  for (uint32_t i = 0; i < SLOTS; i++) freelist[nfree++] = SLOTS - 1 - i;
  int s[2] = {open_if(argv[1]), open_if(argv[2])};
  uint64_t end = now_ns() + (uint64_t)(secs * 1e9), order = 0;
  unsigned long rx = 0, tx = 0, dropped = 0, reordered = 0, duplicated = 0, full = 0, txerr = 0;
  int maxq = 0;
  while (!stop && now_ns() < end) {
    uint64_t t = now_ns();
    while (nheap && heap[0].due <= t) {
      item it = pop();
      if (send(s[it.out], pool + (size_t)it.slot * FRAME, it.len, 0) < 0) txerr++; else tx++;
      freelist[nfree++] = it.slot;
    }
    int timeout = 20;
    if (nheap) { uint64_t d = heap[0].due > t ? heap[0].due - t : 0; timeout = (int)(d / 1000000); }
    struct pollfd p[2] = {{s[0], POLLIN, 0}, {s[1], POLLIN, 0}};
    if (timeout > 0 && poll(p, 2, timeout) < 0 && errno != EINTR) { perror("poll"); break; }
    for (int k = 0; k < 2; k++) {
      for (int burst = 0; burst < 256; burst++) {
        if (!nfree) { full++; break; }
        uint32_t slot = freelist[nfree - 1];
        unsigned char *f = pool + (size_t)slot * FRAME;
        ssize_t n = recv(s[k], f, FRAME, MSG_TRUNC);
        if (n < 0) break;
        if (n > FRAME) continue;
        rx++;
        uint64_t due = now_ns() + delay;
        if (is_tcp(f, (int)n)) {
          if (ur() < loss) { dropped++; continue; }
          if (ur() < reorder) { reordered++; due += (uint64_t)((0.3 + ur() * (extra - 0.3)) * 1e6); }
          if (ur() < dup && nfree >= 2) {
            duplicated++;
            nfree--;
            uint32_t s2 = freelist[nfree - 1];
            memcpy(pool + (size_t)s2 * FRAME, f, n);
            nfree--;
            push((item){due, order++, 1 - k, (int)n, slot});
            push((item){due + 50000, order++, 1 - k, (int)n, s2});
            continue;
          }
        }
        nfree--;
        push((item){due, order++, 1 - k, (int)n, slot});
        if (nheap > maxq) maxq = nheap;
      }
    }
  }
  fprintf(stderr, "relay: rx %lu tx %lu dropped %lu reordered %lu duplicated %lu pool-full %lu tx-errors %lu max-queue %d\n",
          rx, tx, dropped, reordered, duplicated, full, txerr, maxq);
  return 0;
}

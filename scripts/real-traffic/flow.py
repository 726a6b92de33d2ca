#!/usr/bin/env python3
"""flow.py server HOST PORT SECONDS | flow.py client HOST PORT N RATE SEED - flow control and
keep-alives (the realflow run of make.sh; see README.md).

Both sides ask for a small receive buffer (SO_RCVBUF 4096, which Linux doubles), so windows are
a few KB and fill. Every connection sends a header (FLOW_HDR) saying what each side does; the
plans come from random.Random(SEED):

  slow-server    the client sends 20-300 KB; the server reads it in small chunks with pauses and
                 stalls 0.5-4 s halfway (its window goes to zero; the client's persist timer sends
                 zero-window probes), then answers 1-2000 bytes; the client closes first.
  slow-client    the same the other way: the server sends 20-300 KB to a client that stalls;
                 the server closes first after the client has read it all.
  keepalive      SO_KEEPALIVE with TCP_KEEPIDLE 1 s and TCP_KEEPINTVL 1 s on both sides; a small
                 exchange, 2-6 s idle (keep-alives and their ACKs, some lost), a second exchange,
                 then the client closes first.
  stall-abort    as slow-server, but the server aborts (SO_LINGER 0, a RST) while stalled with
                 the client's data still coming.
  close-unread   as slow-client, but the client closes (close(), not abort) while stalled with
                 unread data in its buffer, which makes Linux send a RST instead of a FIN.
  stall-fin      the client sends 20-300 KB and closes its side (FIN) while the server is
                 stalled, so the FIN waits behind a zero window; the server then reads all,
                 answers and closes.

With FLOW_TFO=1 both sides use TCP Fast Open (the realodd run). Each side prints counters."""
import asyncio, math, os, random, socket, struct, sys, time
from collections import Counter

# FLOW_TFO=1: TCP Fast Open, the server's listener accepting it (TCP_FASTOPEN) and every client
# socket asking for it (TCP_FASTOPEN_CONNECT, 30 in linux/tcp.h; not in Python's socket module):
# once the client has the server's cookie, its first write rides on the SYN
TFO = os.environ.get("FLOW_TFO") == "1"
TCP_FASTOPEN_CONNECT = 30

# id, kind, request bytes, response bytes, stall (ms), idle (ms), read chunk, read gap (ms)
FLOW_HDR = struct.Struct("!IBIIIIHH")
SLOW_SERVER, SLOW_CLIENT, KEEPALIVE, STALL_ABORT, CLOSE_UNREAD, STALL_FIN = range(6)
NAMES = ["slow-server", "slow-client", "keepalive", "stall-abort", "close-unread", "stall-fin"]
WEIGHTS = [30, 25, 20, 8, 7, 10]
RCVBUF = 4096
BLOB = bytes(range(256)) * 1024
stats = Counter()


def small_buffers(s, keepalive):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
    if keepalive:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 8)


def abort(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


async def send(loop, s, n):
    mv = memoryview(BLOB)
    while n > 0:
        k = min(n, len(BLOB))
        await loop.sock_sendall(s, mv[:k])
        n -= k


async def recv_exactly(loop, s, n):
    buf = bytearray()
    while len(buf) < n:
        b = await loop.sock_recv(s, n - len(buf))
        if not b:
            raise asyncio.IncompleteReadError(bytes(buf), n)
        buf += b
    return bytes(buf)


async def read_slowly(loop, s, n, chunk, gap_ms, stall_ms, stop_at_half=False):
    """Reads n bytes chunk by chunk with gap_ms between reads and one stall of stall_ms halfway.
    With stop_at_half, returns when the stall starts (the caller aborts or closes)."""
    got, stalled = 0, False
    while got < n:
        if not stalled and got >= n // 2:
            stalled = True
            if stop_at_half:
                await asyncio.sleep(stall_ms / 1000)
                return got
            await asyncio.sleep(stall_ms / 1000)
        b = await loop.sock_recv(s, min(chunk, n - got))
        if not b:
            raise asyncio.IncompleteReadError(b"", n)
        got += len(b)
        if gap_ms:
            await asyncio.sleep(gap_ms / 1000)
    return got


async def drain_to_eof(loop, s):
    while await loop.sock_recv(s, 65536):
        pass


async def server_conn(loop, s):
    kind = -1
    try:
        cid, kind, req, resp, stall, idle, chunk, gap = FLOW_HDR.unpack(await recv_exactly(loop, s, FLOW_HDR.size))
        if kind == SLOW_SERVER:
            await read_slowly(loop, s, req, chunk, gap, stall)
            await send(loop, s, resp)
            await drain_to_eof(loop, s)
            s.close()
        elif kind in (SLOW_CLIENT, CLOSE_UNREAD):
            await recv_exactly(loop, s, req)
            await send(loop, s, resp)
            if kind == SLOW_CLIENT:
                s.shutdown(socket.SHUT_WR)          # server first: FIN after the data
            await drain_to_eof(loop, s)
            s.close()
        elif kind == KEEPALIVE:
            small_buffers(s, True)
            await recv_exactly(loop, s, req)
            await send(loop, s, resp)
            await recv_exactly(loop, s, req)
            await send(loop, s, resp)
            await drain_to_eof(loop, s)
            s.close()
        elif kind == STALL_ABORT:
            await read_slowly(loop, s, req, chunk, gap, stall, stop_at_half=True)
            abort(s)
        elif kind == STALL_FIN:
            await asyncio.sleep(stall / 1000)        # stalled from the start
            await drain_to_eof(loop, s)
            await send(loop, s, resp)
            s.close()
        stats[NAMES[kind] + " ok"] += 1
    except (ConnectionError, asyncio.IncompleteReadError, OSError) as e:
        stats[f"{NAMES[kind] if kind >= 0 else '?'} {type(e).__name__}"] += 1
        s.close()


async def server(host, port, seconds):
    loop = asyncio.get_running_loop()
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    small_buffers(ls, False)                        # accepted sockets inherit it
    if TFO:
        ls.setsockopt(socket.IPPROTO_TCP, socket.TCP_FASTOPEN, 256)
    ls.bind((host, port))
    ls.listen(4096)
    ls.setblocking(False)
    end = time.monotonic() + seconds
    tasks = set()
    while time.monotonic() < end:
        try:
            s, _ = await asyncio.wait_for(loop.sock_accept(ls), end - time.monotonic())
        except asyncio.TimeoutError:
            break
        s.setblocking(False)
        t = asyncio.create_task(server_conn(loop, s))
        tasks.add(t)
        t.add_done_callback(tasks.discard)
    print("server:", dict(sorted(stats.items())), flush=True)


def plan_all(n, seed):
    rnd = random.Random(seed)
    plans = []
    for i in range(n):
        kind = rnd.choices(range(len(WEIGHTS)), WEIGHTS)[0]
        big = int(math.exp(rnd.uniform(math.log(20000), math.log(300000))))
        small = int(math.exp(rnd.uniform(0, math.log(2000))))
        stall = rnd.randint(500, 4000)
        idle = rnd.randint(2000, 6000)
        chunk = rnd.choice([512, 1024, 2048, 4096])
        gap = rnd.choice([0, 2, 5, 10])
        if kind in (SLOW_CLIENT, CLOSE_UNREAD):
            req, resp = small, big
        elif kind == KEEPALIVE:
            req, resp = small, int(math.exp(rnd.uniform(0, math.log(2000))))
        else:
            req, resp = big, small
        plans.append((i, kind, req, resp, stall, idle, chunk, gap))
    return plans


async def client_conn(loop, host, port, plan):
    cid, kind, req, resp, stall, idle, chunk, gap = plan
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    small_buffers(s, kind == KEEPALIVE)
    if TFO:
        s.setsockopt(socket.IPPROTO_TCP, TCP_FASTOPEN_CONNECT, 1)
    s.setblocking(False)
    try:
        await loop.sock_connect(s, (host, port))
        await loop.sock_sendall(s, FLOW_HDR.pack(*plan))
        if kind == SLOW_SERVER:
            await send(loop, s, req)
            await recv_exactly(loop, s, resp)
            s.close()                                # client first
        elif kind == SLOW_CLIENT:
            await send(loop, s, req)
            await read_slowly(loop, s, resp, chunk, gap, stall)
            await drain_to_eof(loop, s)
            s.close()
        elif kind == CLOSE_UNREAD:
            await send(loop, s, req)
            await read_slowly(loop, s, resp, chunk, gap, stall, stop_at_half=True)
            s.close()                                # unread data: a RST
        elif kind == KEEPALIVE:
            await send(loop, s, req)
            await recv_exactly(loop, s, resp)
            await asyncio.sleep(idle / 1000)
            await send(loop, s, req)
            await recv_exactly(loop, s, resp)
            s.close()
        elif kind == STALL_ABORT:
            await send(loop, s, req)
            await drain_to_eof(loop, s)
            s.close()
        elif kind == STALL_FIN:
            await send(loop, s, req)
            s.shutdown(socket.SHUT_WR)
            await recv_exactly(loop, s, resp)
            await drain_to_eof(loop, s)
            s.close()
        stats[NAMES[kind] + " ok"] += 1
    except (ConnectionError, asyncio.IncompleteReadError, OSError) as e:
        stats[f"{NAMES[kind]} {type(e).__name__}"] += 1
        s.close()


async def client(host, port, n, rate, seed):
    loop = asyncio.get_running_loop()
    plans = plan_all(n, seed)
    t0 = time.monotonic() + 0.2
    tasks = []
    for i, plan in enumerate(plans):
        d = t0 + i / rate - time.monotonic()
        if d > 0:
            await asyncio.sleep(d)
        tasks.append(asyncio.create_task(asyncio.wait_for(client_conn(loop, host, port, plan), 40)))
    done = await asyncio.gather(*tasks, return_exceptions=True)
    stats["timeout"] += sum(1 for x in done if isinstance(x, asyncio.TimeoutError))
    print(f"client: {n} connections in {time.monotonic() - t0:.1f} s", flush=True)
    print("client:", dict(sorted(stats.items())), flush=True)


if sys.argv[1] == "server":
    try:
        asyncio.run(server(sys.argv[2], int(sys.argv[3]), float(sys.argv[4])))
    except KeyboardInterrupt:                       # make.sh stops it with SIGINT
        print("server:", dict(sorted(stats.items())), flush=True)
else:
    asyncio.run(client(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])))

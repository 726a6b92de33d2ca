#!/usr/bin/env python3
"""client.py HOST PORT CLOSED_PORT N RATE SEED MAXSIZE - the client side of the load.

Opens N connections at RATE per second to HOST:PORT (the kind REFUSED goes to
CLOSED_PORT instead).  Everything that can be fixed is drawn from
random.Random(SEED) before the first connection: the kind of close, the
request and response sizes (80% log-uniform 1 byte .. MAXSIZE, 20% uniform
MAXSIZE/4 .. MAXSIZE), the hold time
(2.5-7 s after the connection's start; 9-12 s for IDLE; a connection still
open 10 s after its hold time is closed normally).  Each connection
sends a common.HDR header and its request, reads the response and closes as
its kind says; both sides close at the same CLOCK_MONOTONIC instant for
SIMULTANEOUS.  Prints counters and the largest number of connections open at
once (from connect() to the end of close)."""
import asyncio, math, random, socket, struct, sys, time
from collections import Counter
from common import *

host, port, closed_port, N, rate, seed, maxsize = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
rnd = random.Random(seed)
stats = Counter()
open_now = 0
open_max = 0


def size():
    if rnd.random() < 0.2:                      # bulk: a quarter of MAXSIZE .. MAXSIZE
        return rnd.randint(maxsize // 4, maxsize)
    return int(math.exp(rnd.uniform(0, math.log(maxsize))))


plans = []
for i in range(N):
    kind = rnd.choices(range(len(WEIGHTS)), WEIGHTS)[0]
    req, resp = size(), size()
    if kind == RST_MID:
        resp = rnd.randint(maxsize // 4, maxsize)
    hold = rnd.uniform(9, 12) if kind == IDLE else rnd.uniform(2.5, 7)
    plans.append((i, kind, req, resp, hold, size(), size()))


async def until(t):
    d = t - time.monotonic()
    if d > 0:
        await asyncio.sleep(d)


async def one(plan, start):
    """One connection; given up (plain close) 10 s after its close time, e.g. when the
    peer's RST was lost and no more packets come."""
    global open_now, open_max
    open_now += 1
    open_max = max(open_max, open_now)
    box = {}
    try:
        await asyncio.wait_for(body(plan, start, box), start + plan[4] + 10 - time.monotonic())
    except asyncio.TimeoutError:
        stats[NAMES[plan[1]] + " timeout"] += 1
        if "w" in box:
            box["w"].close()
    finally:
        open_now -= 1


async def body(plan, start, box):
    cid, kind, req, resp, hold, req2, resp2 = plan
    close_at = start + hold
    writer = None
    try:
        if kind == REFUSED:
            try:
                await asyncio.open_connection(host, closed_port, family=fam)
                stats["refused connected?!"] += 1
            except ConnectionRefusedError:
                stats["refused ok"] += 1
            return
        reader, writer = await asyncio.open_connection(host, port, family=fam)
        box["w"] = writer
        writer.write(HDR.pack(cid, req, resp, kind, int(close_at * 1e6), req2, resp2))
        await send(writer, req)
        if kind == HALF_CLOSE:
            writer.write_eof()                      # shutdown(SHUT_WR), then keep reading
            await reader.readexactly(resp)
            await drain_to_eof(reader)
            writer.close()
        elif kind == RST_MID:
            await reader.readexactly(resp // 2)
            abort(writer)
        else:
            await reader.readexactly(resp)
            if kind == CLIENT_FIRST or kind == SIMULTANEOUS:
                await until(close_at)
                writer.close()
            elif kind == SERVER_FIRST or kind == SERVER_RST:
                await drain_to_eof(reader)
                writer.close()
            elif kind == CLIENT_RST:
                await until(close_at)
                abort(writer)
            elif kind == IDLE:
                await until(close_at)               # idle, then a second exchange
                await send(writer, req2)
                await reader.readexactly(resp2)
                writer.close()
        if writer is not None and not writer.transport.is_closing():
            writer.close()
        if writer is not None:
            try:
                await writer.wait_closed()
            except (ConnectionError, OSError):
                pass
        stats[NAMES[kind] + " ok"] += 1
    except (ConnectionError, asyncio.IncompleteReadError, OSError) as e:
        stats[f"{NAMES[kind]} {type(e).__name__}"] += 1
        if writer is not None:
            writer.transport.abort()


async def main():
    t0 = time.monotonic() + 0.2
    tasks = []
    for i, plan in enumerate(plans):
        start = t0 + i / rate
        await until(start)
        tasks.append(asyncio.create_task(one(plan, start)))
    await asyncio.gather(*tasks)
    print(f"client: {N} connections in {time.monotonic() - t0:.1f} s, at most {open_max} open at once", flush=True)
    print("client:", dict(sorted(stats.items())), flush=True)


asyncio.run(main())

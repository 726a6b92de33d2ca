#!/usr/bin/env python3
"""server.py HOST PORT SECONDS (or until SIGINT) - the server side of the real-capture load (see README.md).

Each connection starts with a common.HDR header telling the server what to do:
read the request, send the response, then close as the kind says.  Runs for
SECONDS and prints counters."""
import asyncio, signal, socket, struct, sys, time
from collections import Counter
from common import *

stats = Counter()


async def until(t_us):
    d = t_us / 1e6 - time.monotonic()
    if d > 0:
        await asyncio.sleep(d)


async def handle(reader, writer):
    """One connection; given up (plain close) after 25 s, e.g. when the client's RST was lost."""
    box = [-1]
    try:
        await asyncio.wait_for(body(reader, writer, box), 25)
    except asyncio.TimeoutError:
        stats[f"{NAMES[box[0]] if box[0] >= 0 else '?'} timeout"] += 1
        writer.close()
    except asyncio.CancelledError:              # still open when the server stops
        writer.transport.abort()


async def body(reader, writer, box):
    kind = -1
    try:
        cid, req, resp, kind, close_at, req2, resp2 = HDR.unpack(await reader.readexactly(HDR.size))
        box[0] = kind
        if kind == HALF_CLOSE:
            await drain_to_eof(reader)          # the client shut its side after the request
            await send(writer, resp)
            await until(close_at)
            writer.close()
        else:
            await reader.readexactly(req)
            await send(writer, resp)
            if kind == CLIENT_FIRST or kind == CLIENT_RST or kind == RST_MID:
                await drain_to_eof(reader)
                writer.close()
            elif kind == SERVER_FIRST or kind == SIMULTANEOUS:
                await until(close_at)
                writer.close()
            elif kind == SERVER_RST:
                await until(close_at)
                abort(writer)
            elif kind == IDLE:
                await reader.readexactly(req2)
                await send(writer, resp2)
                await drain_to_eof(reader)
                writer.close()
        stats[NAMES[kind] + " ok"] += 1
    except (ConnectionError, asyncio.IncompleteReadError, OSError) as e:
        stats[f"{NAMES[kind] if kind >= 0 else '?'} {type(e).__name__}"] += 1
        writer.transport.abort()


async def main():
    host, port, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    srv = await asyncio.start_server(handle, host, port, family=fam, backlog=16384, reuse_address=True)
    print(f"server: listening on {host} {port}", flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGINT, stop.set)
    try:
        await asyncio.wait_for(stop.wait(), secs)
    except asyncio.TimeoutError:
        pass
    srv.close()
    print("server:", dict(sorted(stats.items())), flush=True)


asyncio.run(main())

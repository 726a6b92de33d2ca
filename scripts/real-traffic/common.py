"""Shared by client.py and server.py: the request header, the close kinds, sending and aborting."""
import socket, struct

# id, request bytes, response bytes, kind, close_at (CLOCK_MONOTONIC, microseconds),
# second request bytes, second response bytes (IDLE only)
HDR = struct.Struct("!IIIBQII")

CLIENT_FIRST, SERVER_FIRST, SIMULTANEOUS, HALF_CLOSE, CLIENT_RST, SERVER_RST, RST_MID, IDLE, REFUSED = range(9)
NAMES = ["client-first", "server-first", "simultaneous", "half-close", "client-rst", "server-rst", "rst-mid", "idle", "refused"]
# relative weights of the kinds
WEIGHTS = [30, 20, 10, 10, 8, 7, 5, 8, 2]

BLOB = bytes(range(256)) * 1024  # 256 KiB of payload to slice from


async def send(writer, n):
    mv = memoryview(BLOB)
    while n > 0:
        k = min(n, len(BLOB))
        writer.write(mv[:k])
        n -= k
        await writer.drain()


async def drain_to_eof(reader):
    while await reader.read(65536):
        pass


def abort(writer):
    s = writer.get_extra_info("socket")
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()

"""Shared by client.py and server.py: the request header and the close kinds."""
import struct

# id, request bytes, response bytes, kind, close_at (CLOCK_MONOTONIC, microseconds),
# second request bytes, second response bytes (IDLE only)
HDR = struct.Struct("!IIIBQII")

CLIENT_FIRST, SERVER_FIRST, SIMULTANEOUS, HALF_CLOSE, CLIENT_RST, SERVER_RST, RST_MID, IDLE, REFUSED = range(9)
NAMES = ["client-first", "server-first", "simultaneous", "half-close", "client-rst", "server-rst", "rst-mid", "idle", "refused"]
# relative weights of the kinds
WEIGHTS = [30, 20, 10, 10, 8, 7, 5, 8, 2]

BLOB = bytes(range(256)) * 1024  # 256 KiB of payload to slice from

#!/usr/bin/env python3
"""bulk.py server HOST PORT | bulk.py client HOST PORT BYTES - one long bulk transfer (see README.md).

The server accepts one connection, reads until the client's FIN, then closes its side and
prints what it read. The client connects, sends BYTES bytes (1 MiB writes of a fixed pattern),
shuts its side (FIN), reads until the server's FIN and closes: a graceful close that the client
starts, so the client's side ends in TIME_WAIT. Prints the bytes and the seconds it took."""
import socket, sys, time

role, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
fam = socket.AF_INET6 if ":" in host else socket.AF_INET

if role == "server":
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((host, port))
    ls.listen(1)
    c, _ = ls.accept()
    buf = bytearray(1 << 20)
    got = 0
    while True:
        n = c.recv_into(buf)
        if n == 0:
            break
        got += n
    c.close()
    ls.close()
    print(f"server: read {got} bytes")
elif role == "client":
    total = int(sys.argv[4])
    chunk = bytes(range(256)) * 4096  # 1 MiB
    s = socket.create_connection((host, port))
    t0 = time.monotonic()
    sent = 0
    while sent < total:
        n = min(len(chunk), total - sent)
        s.sendall(chunk[:n] if n < len(chunk) else chunk)
        sent += n
    s.shutdown(socket.SHUT_WR)
    while s.recv(65536):
        pass
    s.close()
    dt = time.monotonic() - t0
    print(f"client: sent {sent} bytes in {dt:.2f} s ({sent / dt / 1e6:.1f} MB/s)")
else:
    sys.exit("usage: bulk.py server HOST PORT | bulk.py client HOST PORT BYTES")

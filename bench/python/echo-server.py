"""The echo server of the echo workload with Python's selectors module, as an
extra peer: the program a Python programmer would write for many connections
on one thread, and the same design as bench/c/echo-server.c (level-triggered
readiness, non-blocking sockets with TCP_NODELAY, one receive buffer shared by
all connections, a reply the socket cannot take at once kept and flushed when
it becomes writable). Prints "port <n>" once listening; runs until killed.

    python3 echo-server.py <port>
"""
import selectors
import socket
import sys

BUF = 65536


def main():
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit(__doc__)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", int(sys.argv[1])))
    listener.listen(socket.SOMAXCONN)
    listener.setblocking(False)
    print("port", listener.getsockname()[1], flush=True)

    sel = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ)
    buf = bytearray(BUF)
    view = memoryview(buf)
    pending = {}  # connection -> the part of a reply it could not take yet

    def drop(conn):
        sel.unregister(conn)
        pending.pop(conn, None)
        conn.close()

    while True:
        for key, _ in sel.select():
            conn = key.fileobj
            if conn is listener:
                while True:
                    try:
                        c, _ = listener.accept()
                    except (BlockingIOError, ConnectionAbortedError):
                        break
                    c.setblocking(False)
                    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    sel.register(c, selectors.EVENT_READ)
                continue
            rest = pending.get(conn)
            if rest is not None:
                # Waiting to be writable: flush what is left, then read again.
                try:
                    w = conn.send(rest)
                except BlockingIOError:
                    continue
                except OSError:
                    drop(conn)
                    continue
                if w < len(rest):
                    pending[conn] = rest[w:]
                else:
                    del pending[conn]
                    sel.modify(conn, selectors.EVENT_READ)
                continue
            try:
                r = conn.recv_into(buf, BUF)
            except BlockingIOError:
                continue
            except OSError:
                drop(conn)
                continue
            if r == 0:
                drop(conn)
                continue
            try:
                w = conn.send(view[:r])
            except BlockingIOError:
                w = 0
            except OSError:
                drop(conn)
                continue
            if w < r:
                pending[conn] = bytes(view[w:r])
                sel.modify(conn, selectors.EVENT_WRITE)


main()

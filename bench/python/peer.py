"""The ping-pong, bulk and churn workloads of bench/c with Python's socket
module, as an extra peer: the same calls, arguments and stdout protocol
("port <n>", then "done n=<ops> cpu_us=<us>" or "done n=<ops> ns=<ns>").

    python3 peer.py pingpong|bulk|churn server <port> [<n>]
    python3 peer.py pingpong|bulk|churn client <port> <n>
"""
import resource
import socket
import sys
import time

CHUNK = 65536


def cpu_us():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return int((ru.ru_utime + ru.ru_stime) * 1e6)


def listen_on(port):
    fd = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0)
    fd.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    fd.bind(("127.0.0.1", port))
    fd.listen(socket.SOMAXCONN)
    print("port", fd.getsockname()[1], flush=True)
    return fd


def connect_to(port):
    fd = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0)
    fd.connect(("127.0.0.1", port))
    return fd


def pingpong_server(port, _count):
    listen_fd = listen_on(port)
    cpu0 = cpu_us()
    fd, _ = listen_fd.accept()
    fd.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    byte = bytearray(1)
    n = 0
    while True:
        r = fd.recv_into(byte, 1, 0)
        if r == 0:
            break
        if fd.send(byte, 0) != 1:
            sys.exit("send")
        n += 1
    fd.close()
    listen_fd.close()
    print(f"done n={n} cpu_us={cpu_us() - cpu0}", flush=True)


def pingpong_client(port, count):
    t0 = time.monotonic_ns()
    fd = connect_to(port)
    fd.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    out = bytearray(1)
    inb = bytearray(1)
    for i in range(count):
        out[0] = i & 0xFF
        if fd.send(out, 0) != 1:
            sys.exit("send")
        if fd.recv_into(inb, 1, 0) != 1:
            sys.exit("recv")
        if inb[0] != out[0]:
            sys.exit(f"pingpong: byte {i} came back as {inb[0]}, sent {out[0]}")
    fd.close()
    print(f"done n={count} ns={time.monotonic_ns() - t0}", flush=True)


def bulk_server(port, _count):
    listen_fd = listen_on(port)
    cpu0 = cpu_us()
    fd, _ = listen_fd.accept()
    buf = bytearray(CHUNK)
    total = 0
    while True:
        r = fd.recv_into(buf, CHUNK, 0)
        if r == 0:
            break
        total += r
    fd.close()
    listen_fd.close()
    print(f"done n={total} cpu_us={cpu_us() - cpu0}", flush=True)


def bulk_client(port, count):
    buf = memoryview(b"x" * CHUNK)
    t0 = time.monotonic_ns()
    fd = connect_to(port)
    sent = 0
    while sent < count:
        length = min(CHUNK, count - sent)
        sent += fd.send(buf[:length], 0)
    fd.shutdown(socket.SHUT_WR)
    if fd.recv_into(bytearray(CHUNK), CHUNK, 0) != 0:
        sys.exit("recv")
    fd.close()
    print(f"done n={sent} ns={time.monotonic_ns() - t0}", flush=True)


def churn_server(port, count):
    listen_fd = listen_on(port)
    cpu0 = cpu_us()
    for _ in range(count):
        fd, _ = listen_fd.accept()
        fd.close()
    listen_fd.close()
    print(f"done n={count} cpu_us={cpu_us() - cpu0}", flush=True)


def churn_client(port, count):
    addr = ("127.0.0.1", port)
    t0 = time.monotonic_ns()
    for _ in range(count):
        fd = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0)
        fd.connect(addr)
        fd.close()
    print(f"done n={count} ns={time.monotonic_ns() - t0}", flush=True)


def main():
    args = sys.argv[1:]
    programs = {
        ("pingpong", "server"): pingpong_server,
        ("pingpong", "client"): pingpong_client,
        ("bulk", "server"): bulk_server,
        ("bulk", "client"): bulk_client,
        ("churn", "server"): churn_server,
        ("churn", "client"): churn_client,
    }
    if len(args) not in (3, 4) or (args[0], args[1]) not in programs:
        sys.exit(__doc__)
    programs[(args[0], args[1])](int(args[2]), int(args[3]) if len(args) == 4 else 0)


main()

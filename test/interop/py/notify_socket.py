"""A stand-in for systemd's notification socket (NOTIFY_SOCKET): binds a Unix datagram socket at
argv[1], prints {"ready": true} once bound, then one JSON line per message received
({"message": "READY=1\\nSTATUS=…"}). File descriptors passed along (systemd-notify's barrier) are
closed at once, as systemd does, which lets the sender go on. Stops when stdin closes."""
import array
import json
import os
import select
import socket
import sys


def main():
    path = sys.argv[1]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    print(json.dumps({"ready": True}), flush=True)
    while True:
        readable, _, _ = select.select([sock, sys.stdin], [], [], 1.0)
        if sys.stdin in readable and not sys.stdin.readline():
            break
        if sock not in readable:
            continue
        fds = array.array("i")
        data, ancdata, _flags, _addr = sock.recvmsg(65536, socket.CMSG_SPACE(16 * fds.itemsize) + socket.CMSG_SPACE(12))
        for level, kind, payload in ancdata:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(payload[: len(payload) - (len(payload) % fds.itemsize)])
        for fd in fds:
            os.close(fd)
        print(json.dumps({"message": data.decode("utf-8", "replace")}), flush=True)
    sock.close()
    os.unlink(path)


if __name__ == "__main__":
    main()

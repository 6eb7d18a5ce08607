"""Length-prefixed pickle frames between the client and the runner, and fd passing.

Both ends are trusted gymkit code (the client and the root-side runner); candidate output
only ever travels inside these frames as bytes, so pickle is safe here.
"""
from __future__ import annotations

import array
import pickle
import socket
import struct

_HEADER = struct.Struct("!Q")
MAX_FRAME = 1 << 31


class ConnectionLost(OSError):
    """The other end went away in the middle of a frame."""


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(min(n - len(buf), 1 << 20))
        if not chunk:
            raise ConnectionLost("sandbox connection closed mid-message")
        buf += chunk
    return bytes(buf)


def send_msg(sock: socket.socket, obj: object) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    sock.sendall(_HEADER.pack(len(data)) + data)


def recv_msg(sock: socket.socket) -> object:
    (size,) = _HEADER.unpack(_recv_exact(sock, _HEADER.size))
    if size > MAX_FRAME:
        raise ConnectionLost(f"sandbox frame of {size} bytes is too large")
    return pickle.loads(_recv_exact(sock, size))


def send_fd(sock: socket.socket, fd: int, tag: bytes = b"F") -> None:
    """Pass `fd` with a one-byte `tag` (b"T": a request for the test zygote)."""
    sock.sendmsg([tag], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [fd]))])


def recv_fd_tagged(sock: socket.socket) -> tuple[bytes, int | None]:
    """(tag, passed fd); (b"", None) when the other end closed the control socket."""
    fds = array.array("i")
    msg, ancdata, _flags, _addr = sock.recvmsg(1, socket.CMSG_SPACE(fds.itemsize))
    if not msg:
        return b"", None
    for level, kind, data in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
    return msg, (fds[0] if fds else None)


def recv_fd(sock: socket.socket) -> int | None:
    """One passed fd, or None when the other end closed the control socket."""
    return recv_fd_tagged(sock)[1]

"""Reading from the Unix sockets that connect our own processes (query processes, the
validation sandbox, the store's writer): one exact-length read, shared by their frames."""

from __future__ import annotations

import socket


def recv_exact(sock: socket.socket, size: int, peer: str = "the peer") -> bytes:
    """``size`` bytes, or :class:`EOFError` when ``peer`` has gone (killed, crashed)."""
    chunks: list[bytes] = []
    while size > 0:
        chunk = sock.recv(min(size, 1 << 20))
        if not chunk:
            raise EOFError(f"{peer} closed its socket")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)  # one chunk: returned as is, no copy

"""A small real HTTP proxy for failure tests: it forwards to an upstream server and can drop
the connection before or after forwarding, stall, or answer 429 + Retry-After, per request.

Real sockets, a real upstream (``oxigraph serve``); only the failure is scripted.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

# A plan maps the 1-based request number to what happens to it:
# "ok", "drop-before" (never forwarded), "drop-after" (forwarded, answer lost),
# "stall" (no answer for a long time), "429" (Too Many Requests, Retry-After: 1).
Plan = Callable[[int, str, str], str]


class FaultyProxy:
    def __init__(self, upstream: str, plan: Plan | None = None) -> None:
        self.upstream = upstream.rstrip("/")
        self.plan: Plan = plan or (lambda n, method, path: "ok")
        self.count = 0
        self.log: list[tuple[int, str, str, str]] = []
        self.agents: list[str] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with proxy._lock:
                    proxy.count += 1
                    number = proxy.count
                action = proxy.plan(number, self.command, self.path)
                proxy.agents.append(self.headers.get("User-Agent", ""))
                proxy.log.append((number, self.command, self.path, action))
                if action == "drop-before":
                    self._drop()
                    return
                if action == "stall":
                    time.sleep(30)
                    self._drop()
                    return
                if action == "429":
                    payload = b"Too Many Requests\n"
                    self.send_response(429)
                    self.send_header("Retry-After", "1")
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() not in ("host", "content-length", "connection")
                }
                answer = requests.request(
                    self.command,
                    proxy.upstream + self.path,
                    data=body,
                    headers=headers,
                    timeout=60,
                )
                if action == "drop-after":
                    self._drop()
                    return
                self.send_response(answer.status_code)
                for key, value in answer.headers.items():
                    if key.lower() not in (
                        "content-length",
                        "transfer-encoding",
                        "connection",
                        "content-encoding",
                    ):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            def _drop(self) -> None:
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)

            do_GET = do_POST = do_PUT = do_DELETE = _handle  # noqa: N815

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FaultyProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def actions(self) -> list[str]:
        return [entry[3] for entry in self.log]

"""Thin HTTP glue for the sandbox: read the request, ask the application, write the answer or reset.

It knows nothing of plans or sessions; ``app.Sandbox._respond`` decides every answer.
"""

from __future__ import annotations

import socket
import struct
import time
from http.client import responses
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Handler(BaseHTTPRequestHandler):
    """Thin HTTP glue: read the body, ask the sandbox, write the answer (or reset)."""

    protocol_version = "HTTP/1.1"  # keep-alive; every answer carries Content-Length
    disable_nagle_algorithm = True  # headers and body go out in two writes; no 40 ms stall
    server: _Server

    def _handle(self) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        body = self.rfile.read(length) if length > 0 else b""
        answer = self.server.sandbox._respond(self.command, self.path, self.headers, body)
        if answer is None:  # RST instead of FIN: the client sees "connection reset by peer"
            self.close_connection = True
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            return
        headers = {"Content-Type": answer.content_type, "Content-Length": str(len(answer.body)),
                   **answer.headers}
        if answer.drip_ms > 0:  # a stuck proxy: the whole answer, status line first, byte by byte
            self.close_connection = True
            head = f"HTTP/1.1 {answer.status} {responses.get(answer.status, '')}\r\n" + "".join(
                f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
            raw = head.encode("iso-8859-1") + answer.body
            for i in range(len(raw)):
                self.wfile.write(raw[i:i + 1])
                self.wfile.flush()
                time.sleep(answer.drip_ms / 1000)
            return
        self.send_response(answer.status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(answer.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the sandbox keeps its own log, and tests and the CLI own the terminal."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64  # the default 5 drops bursts of clients, who retry a second later

    def __init__(self, address: tuple[str, int], sandbox: Any) -> None:
        self.sandbox = sandbox
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients that hang up mid-answer are normal here (resets, timeouts); stay quiet."""

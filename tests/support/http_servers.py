"""Real HTTP servers on loopback addresses (127.0.0.1, 127.0.0.2, [::1]) for the URL-source tests."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Route = Callable[[BaseHTTPRequestHandler], None]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str, routes: dict[str, Route]) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.routes = routes
        self.hits: list[str] = []
        super().__init__((host, 0), _Handler)

    def url(self, path: str = "/") -> str:
        host, port = self.server_address[:2]
        shown = f"[{host}]" if ":" in str(host) else host
        return f"http://{shown}:{port}{path}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        server: _Server = self.server  # type: ignore[assignment]
        server.hits.append(self.path)
        route = server.routes.get(self.path.split("?")[0])
        if route is None:
            self.send_error(404)
            return
        try:
            route(self)
        except (BrokenPipeError, ConnectionResetError):  # the client stopped reading: expected in limit tests
            pass

    def log_message(self, format: str, *args: object) -> None:  # quiet
        return


@contextmanager
def http_server(host: str, routes: dict[str, Route]) -> Iterator[_Server]:
    server = _Server(host, routes)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def send_bytes(data: bytes, content_type: str = "video/mp4", length: int | None = None) -> Route:
    """Answer 200 with ``data``; ``length`` is the Content-Length claimed (None: the true one)."""
    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(data) if length is None else length))
        h.end_headers()
        h.wfile.write(data)
    return route


def send_endless(block: bytes = b"\0" * 65536, limit_bytes: int = 1 << 30, *, chunked: bool = False) -> Route:
    """Answer 200 and send (close-delimited, no Content-Length, or chunked) until the client stops."""
    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "video/mp4")
        if chunked:
            h.send_header("Transfer-Encoding", "chunked")
        else:
            h.send_header("Connection", "close")
            h.close_connection = True
        h.end_headers()
        sent = 0
        while sent < limit_bytes:
            h.wfile.write(f"{len(block):x}\r\n".encode() + block + b"\r\n" if chunked else block)
            sent += len(block)
    return route


def redirect_to(location: str, status: int = 302) -> Route:
    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Location", location)
        h.send_header("Content-Length", "0")
        h.end_headers()
    return route

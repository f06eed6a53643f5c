"""Downloading a URL source without letting it reach this machine or its network (no SSRF).

- http(s) only, no credentials in the URL;
- the host is resolved here and refused when any of its addresses is loopback, private,
  link-local, multicast, reserved, unspecified or otherwise not global, IPv4 or IPv6 (mapped,
  6to4, Teredo and NAT64 forms checked by the IPv4 address inside them; decimal, octal and hex
  host forms such as ``2130706433`` or ``0x7f.1`` resolve to what they mean and are checked so);
- the connection goes to the address that was checked (no second lookup, no DNS rebinding);
- each redirect (at most 5) is checked the same way;
- the body is streamed to disk and stopped at the size limit whatever Content-Length says;
- a connect timeout, a read timeout and a total time limit; progress; cancellable between reads.

``VIDEO_JSON_ALLOW_PRIVATE_URLS=1`` lets private and loopback addresses through (a NAS, tests).
"""

from __future__ import annotations

import hashlib
import http.client
import ipaddress
import os
import socket
import ssl
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from video_json_ai.util.progress import CancelToken, ProgressFn
from video_json_ai.errors import InvalidInput, VideoJsonError
from video_json_ai.util.atomic import temp_beside

MAX_REDIRECTS = 5
CHUNK = 256 * 1024
PRIVATE_ENV = "VIDEO_JSON_ALLOW_PRIVATE_URLS"
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class FetchError(VideoJsonError):
    """A URL that may not be fetched, or whose download failed."""


Networks = tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]


def private_allowance(raw: str | None) -> bool | Networks:
    """``VIDEO_JSON_ALLOW_PRIVATE_URLS``: ``1`` lets every non-public address through; a list of
    addresses or networks (``192.168.1.20,10.0.0.0/8``) lets only those; empty: none."""
    text = (raw or "").strip().lower()
    if text in ("", "0", "false", "no", "off"):
        return False
    if text in ("1", "true", "yes", "on"):
        return True
    try:
        return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip())
    except ValueError:
        raise InvalidInput(f"{PRIVATE_ENV}='{raw}' is neither 1 nor a list of addresses/networks",
                           f"Set {PRIVATE_ENV}=1, or e.g. {PRIVATE_ENV}=192.168.1.20,10.0.0.0/8.") from None


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    allow_private: bool | Networks = False
    """True: any address; networks: those non-public ones too; False: public addresses only."""
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 30.0
    total_timeout_s: float = 900.0


@dataclass(frozen=True)
class Fetched:
    path: Path
    """The downloaded file (in the folder asked for, under a temporary name until accepted)."""
    file_name: str
    """The name the URL gives it."""
    size: int
    sha256: str
    url: str
    """The URL the body came from (after redirects)."""
    content_type: str | None


def _embedded_v4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    inner = [a for a in (ip.ipv4_mapped, ip.sixtofour) if a is not None]
    if ip.teredo:
        inner.extend(ip.teredo)
    if ip in NAT64:
        inner.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return inner


def is_public(address: str) -> bool:
    """True when ``address`` is a global unicast address (and so is any IPv4 address inside it)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.is_multicast or ip.is_unspecified or ip.is_loopback or ip.is_link_local or ip.is_reserved \
            or ip.is_private or not ip.is_global:
        return False
    return all(is_public(str(v4)) for v4 in _embedded_v4(ip)) if isinstance(ip, ipaddress.IPv6Address) else True


def _split(url: str) -> tuple[str, str, int, str]:
    """Scheme, host, port and request target of an http(s) URL; raises FetchError."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(f"'{scheme or url}' URLs cannot be fetched", "Pass an http:// or https:// URL, or a file path.")
    if parts.username is not None or parts.password is not None:
        raise FetchError("URLs with a user name or password are not fetched", "Download the file yourself and pass its path.")
    try:
        host, port = parts.hostname, parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise FetchError(f"'{url}' has an invalid port", "Check the URL.") from None
    if not host:
        raise FetchError(f"'{url}' names no host", "Check the URL.")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, host, port, target


def _allowed(address: str, allow_private: bool | Networks) -> bool:
    if allow_private is True or is_public(address):
        return True
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return any(ip in net for net in allow_private or ())


def resolve(host: str, port: int, allow_private: bool | Networks) -> list[tuple[int, str]]:
    """The addresses to connect to, all checked; refuses the host when any of them is not public
    (nor in the opted-in private networks)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FetchError(f"The host '{host}' could not be found", "Check the URL (and the network).") from None
    addresses = list(dict.fromkeys((info[0], info[4][0]) for info in infos))
    if allow_private is not True:
        inside = [addr for _, addr in addresses if not _allowed(addr, allow_private)]
        if inside:
            raise FetchError(
                f"'{host}' resolves to {inside[0]}, a loopback, private or otherwise non-public address",
                f"Only public addresses are fetched. For a NAS or server on your own network set {PRIVATE_ENV}=1 "
                "in the server's environment, or download the file and pass its path.")
    return addresses


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP(S) connection to an address chosen (and checked) beforehand; TLS checks the host name."""

    def __init__(self, host: str, port: int, family: int, address: str, timeout: float, connect_timeout: float,
                 tls: ssl.SSLContext | None) -> None:
        super().__init__(host, port, timeout=timeout)
        self._family, self._address, self._connect_timeout, self._tls = family, address, connect_timeout, tls

    def connect(self) -> None:
        sock = socket.socket(self._family, socket.SOCK_STREAM)
        try:
            sock.settimeout(self._connect_timeout)
            sock.connect((self._address, self.port))
            sock.settimeout(self.timeout)
            self.sock = self._tls.wrap_socket(sock, server_hostname=self.host) if self._tls else sock
        except BaseException:
            sock.close()
            raise


def _open(url: str, limits: Limits) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
    scheme, host, port, target = _split(url)
    errors: list[str] = []
    for family, address in resolve(host, port, limits.allow_private):
        tls = ssl.create_default_context() if scheme == "https" else None
        conn = _PinnedConnection(host, port, family, address, limits.read_timeout_s, limits.connect_timeout_s, tls)
        try:
            conn.request("GET", target, headers={"User-Agent": "video-json-ai", "Accept": "*/*",
                                                 "Accept-Encoding": "identity", "Connection": "close"})
            return conn, conn.getresponse()
        except ssl.SSLError as exc:
            conn.close()
            raise FetchError(f"The secure connection to '{host}' failed ({exc.reason or exc})",
                             "Check the URL; the server's certificate must be valid for its name.") from None
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            errors.append(f"{address}: {getattr(exc, 'strerror', None) or type(exc).__name__}")
    raise FetchError(f"Could not connect to '{host}' ({'; '.join(errors)})", "Check the URL and try again later.")


def _name_of(url: str) -> str:
    name = unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1])
    return "".join(c for c in name if c.isprintable() and c not in "/\\\0")[:200] or "download"


def fetch(url: str, folder: Path, limits: Limits, *, progress: ProgressFn, cancel: CancelToken) -> Fetched:
    """Download ``url`` into ``folder`` (as a hidden temporary file the caller renames or deletes)."""
    deadline = time.monotonic() + limits.total_timeout_s
    current = url.strip()
    for _ in range(MAX_REDIRECTS + 1):
        conn, response = _open(current, limits)
        try:
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                if not location:
                    raise FetchError(f"'{current}' redirects nowhere (HTTP {response.status})", "Check the URL.")
                current = urljoin(current, location)
                continue
            if response.status != 200:
                raise FetchError(f"The server answered HTTP {response.status} {response.reason} for '{current}'",
                                 "Check the URL (it may need a login or may have expired).")
            return _save(current, response, folder, limits, deadline, progress, cancel)
        finally:
            conn.close()
    raise FetchError(f"'{url}' redirects more than {MAX_REDIRECTS} times", "Pass the final URL of the file.")


def _save(url: str, response: http.client.HTTPResponse, folder: Path, limits: Limits, deadline: float,
          progress: ProgressFn, cancel: CancelToken) -> Fetched:
    declared = response.getheader("Content-Length")
    total = int(declared) if declared and declared.isdigit() else None
    limit_mb = limits.max_bytes // (1024 * 1024)
    if total is not None and total > limits.max_bytes:
        raise FetchError(f"'{_name_of(url)}' is {total / 1e6:.0f} MB, over the {limit_mb} MB limit",
                         "Compress or trim it first, then pass the smaller file.")
    folder.mkdir(parents=True, exist_ok=True)
    tmp = temp_beside(folder / _name_of(url), tag="download")
    digest = hashlib.sha256()
    done = 0
    try:
        with open(tmp, "xb") as fh:
            while True:
                cancel.raise_if_cancelled()
                if time.monotonic() > deadline:
                    raise FetchError(f"The download of '{_name_of(url)}' took longer than {limits.total_timeout_s:.0f} s",
                                     "Try again later, or download the file and pass its path.")
                try:
                    block = response.read1(CHUNK)
                except (TimeoutError, socket.timeout):
                    raise FetchError(f"The server of '{_name_of(url)}' stopped sending for {limits.read_timeout_s:.0f} s",
                                     "Try again later.") from None
                if not block:
                    break
                done += len(block)
                if done > limits.max_bytes:
                    raise FetchError(f"'{_name_of(url)}' is larger than the {limit_mb} MB limit (stopped at {limit_mb} MB)",
                                     "Compress or trim it first, then pass the smaller file.")
                fh.write(block)
                digest.update(block)
                progress(done / total if total else min(0.9, done / limits.max_bytes), f"downloading: {done / 1e6:.1f} MB")
            fh.flush()
            os.fsync(fh.fileno())
        if total is not None and done < total:
            raise FetchError(f"The download of '{_name_of(url)}' ended early ({done} of {total} bytes)", "Try again.")
        if done == 0:
            raise InvalidInput(f"'{_name_of(url)}' is empty (0 bytes)", "Check the URL.")
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return Fetched(tmp, _name_of(url), done, digest.hexdigest(), url, response.getheader("Content-Type"))

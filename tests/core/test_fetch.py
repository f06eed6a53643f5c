"""URL sources against real HTTP servers on loopback: refused unless opted in, redirects checked,
the size limit enforced while streaming, no partial file left."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from tests.support.clips import make_clip
from tests.support.http_servers import http_server, redirect_to, send_bytes, send_endless
from video_json_ai.core.fetch import FetchError, Limits, fetch, is_public, private_allowance
from video_json_ai.util.progress import CancelToken
from video_json_ai.errors import Cancelled

MB = 1024 * 1024


def _get(url: str, folder: Path, **limits: object):  # noqa: ANN202
    return fetch(url, folder, Limits(**{"max_bytes": 2 * MB, **limits}), progress=lambda f, m: None,  # type: ignore[arg-type]
                 cancel=CancelToken())


@pytest.fixture
def clip_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_clip(tmp_path_factory.mktemp("seed") / "c.mp4", seconds=0.3, width=64, height=48).read_bytes()


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_loopback_is_refused_by_default_and_served_with_the_opt_in(tmp_path: Path, host: str, clip_bytes: bytes) -> None:
    with http_server(host, {"/clip.mp4": send_bytes(clip_bytes)}) as server:
        with pytest.raises(FetchError, match="non-public address") as err:
            _get(server.url("/clip.mp4"), tmp_path)
        assert "VIDEO_JSON_ALLOW_PRIVATE_URLS" in err.value.fix and server.hits == []
        got = _get(server.url("/clip.mp4"), tmp_path, allow_private=True)
        assert got.path.read_bytes() == clip_bytes and got.file_name == "clip.mp4" and got.size == len(clip_bytes)


@pytest.mark.parametrize("url", ["http://2130706433/", "http://0x7f.1/", "http://0177.0.0.1/", "http://127.1/",
                                 "http://[::ffff:127.0.0.1]/", "http://[::1]/", "http://0/", "http://localhost/",
                                 "http://[::]/", "http://169.254.169.254/latest/meta-data/", "http://10.1.2.3/",
                                 "http://[fe80::1]/", "http://224.0.0.1/", "http://100.64.0.1/"])
def test_every_form_of_a_non_public_host_is_refused(tmp_path: Path, url: str) -> None:
    with pytest.raises(FetchError, match="non-public address"):
        _get(url, tmp_path)


def test_public_address_rules() -> None:
    assert is_public("8.8.8.8") and is_public("2606:4700::1111")
    for address in ("127.0.0.1", "::ffff:10.0.0.1", "2002:7f00:1::", "64:ff9b::7f00:1", "ff0e::1", "192.0.2.1",
                    "::", "fc00::1", "100.64.0.1", "198.18.0.1", "2001:db8::1"):
        assert not is_public(address), address


def test_schemes_and_credentials(tmp_path: Path) -> None:
    for url, words in (("file:///etc/passwd", "cannot be fetched"), ("ftp://example.com/a.mp4", "cannot be fetched"),
                       ("gopher://x/", "cannot be fetched"), ("http://user:pw@example.com/a.mp4", "user name"),
                       ("http:///a.mp4", "names no host")):
        with pytest.raises(FetchError, match=words):
            _get(url, tmp_path)


def test_a_redirect_from_an_allowed_url_to_loopback_is_refused(tmp_path: Path, clip_bytes: bytes) -> None:
    """127.0.0.2 is opted in (as a NAS would be); it redirects to 127.0.0.1 and to [::1], which are not."""
    allowed = private_allowance("127.0.0.2")
    assert allowed == (ipaddress.ip_network("127.0.0.2/32"),)
    with http_server("127.0.0.1", {"/secret.mp4": send_bytes(clip_bytes)}) as inner4, \
            http_server("::1", {"/secret.mp4": send_bytes(clip_bytes)}) as inner6:
        routes = {"/to4": redirect_to(inner4.url("/secret.mp4")), "/to6": redirect_to(inner6.url("/secret.mp4"), 307),
                  "/ok.mp4": send_bytes(clip_bytes), "/hop": redirect_to("/ok.mp4"), "/loop": redirect_to("/loop")}
        with http_server("127.0.0.2", routes) as outer:
            for path in ("/to4", "/to6"):
                with pytest.raises(FetchError, match="non-public address"):
                    _get(outer.url(path), tmp_path, allow_private=allowed)
            assert inner4.hits == [] and inner6.hits == []
            got = _get(outer.url("/hop"), tmp_path, allow_private=allowed)  # a relative redirect, checked too
            assert got.path.read_bytes() == clip_bytes and got.url.endswith("/ok.mp4")
            with pytest.raises(FetchError, match="more than 5 times"):
                _get(outer.url("/loop"), tmp_path, allow_private=allowed)
            assert outer.hits.count("/loop") == 6
    assert [p.name for p in tmp_path.iterdir()] == [got.path.name]


@pytest.mark.parametrize("route", [send_endless(), send_endless(chunked=True)], ids=["no-length", "chunked"])
def test_a_body_over_the_limit_is_cut_at_the_limit_leaving_no_file(tmp_path: Path, route) -> None:  # noqa: ANN001
    with http_server("127.0.0.1", {"/big.mp4": route}) as server:
        with pytest.raises(FetchError, match="larger than the 2 MB limit"):
            _get(server.url("/big.mp4"), tmp_path, allow_private=True)
    assert list(tmp_path.iterdir()) == []


def test_a_lying_content_length_changes_nothing(tmp_path: Path) -> None:
    body = b"\1" * (3 * MB)
    with http_server("127.0.0.1", {"/small-claim.mp4": send_bytes(body, length=1000),
                                   "/big-claim.mp4": send_bytes(b"x" * 10, length=3 * MB),
                                   "/short.mp4": send_bytes(b"x" * 10, length=5000)}) as server:
        got = _get(server.url("/small-claim.mp4"), tmp_path, allow_private=True)
        assert got.size == 1000  # never more than what was claimed, itself under the limit
        got.path.unlink()
        with pytest.raises(FetchError, match="over the 2 MB limit"):
            _get(server.url("/big-claim.mp4"), tmp_path, allow_private=True)
        with pytest.raises(FetchError, match="ended early"):
            _get(server.url("/short.mp4"), tmp_path, allow_private=True, read_timeout_s=2.0)
    assert list(tmp_path.iterdir()) == []


def test_a_download_can_be_cancelled(tmp_path: Path) -> None:
    token = CancelToken()

    def progress(fraction: float, message: str) -> None:
        if fraction > 0:
            token.cancel()

    with http_server("127.0.0.1", {"/big.mp4": send_endless()}) as server:
        with pytest.raises(Cancelled):
            fetch(server.url("/big.mp4"), tmp_path, Limits(100 * MB, allow_private=True), progress=progress, cancel=token)
    assert list(tmp_path.iterdir()) == []

"""Reading lists from files, directories and URLs; every bad input is one clear StudyListError line.

URL tests use a throw-away http.server on 127.0.0.1 (``allow_private=True``) that serves a
few requests in a daemon thread and is shut down by the fixture; nothing else touches the
network.
"""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.reader import DEFAULT_MAX_BYTES, read_study_list
from trilha.errors import StudyListError

LIST = "# Lista\n\n- [A](https://example.org/a) - vídeo\n- [Rel](docs/b.md)\n"


def _error(source, **kw) -> str:
    with pytest.raises(StudyListError) as info:
        read_study_list(source, **kw)
    message = str(info.value)
    assert "\n" not in message and message
    return message


def test_file_and_pathlike(tmp_path: Path) -> None:
    path = tmp_path / "list.md"
    path.write_text(LIST, encoding="utf-8")
    parsed = read_study_list(path)
    assert parsed.source == str(path) and parsed.title == "Lista" and len(parsed.mentions) == 2
    assert read_study_list(str(path)).content_hash == parsed.content_hash


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.md"
    path.write_bytes(b"\xef\xbb\xbf" + LIST.encode("utf-8"))
    assert read_study_list(path).title == "Lista"


def test_missing_file(tmp_path: Path) -> None:
    assert "not found" in _error(tmp_path / "nope.md")


def test_directory_without_markdown(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    assert "no Markdown" in _error(tmp_path)


def test_directory_of_markdown_files(tmp_path: Path) -> None:
    (tmp_path / "b.md").write_text("# B\n\n- [b](https://example.org/b)\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("# Read me\n\n- [r](https://example.org/r)\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.markdown").write_text("# C\n\n- [c](https://example.org/c)\n", encoding="utf-8")
    parsed = read_study_list(tmp_path)
    assert [m.written for m in parsed.mentions] == ["https://example.org/r", "https://example.org/b",
                                                   "https://example.org/c"]
    assert [s.title for s in parsed.sections] == ["Read me", "B", "C"]
    assert parsed.title == "Read me"
    assert any("3 Markdown files" in n for n in parsed.notes)
    lines = parsed.text.splitlines()
    assert all(m.written in lines[m.line - 1] for m in parsed.mentions)


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "list.md"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert "binary" in _error(path)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.md"
    path.write_bytes(b"")
    assert "empty" in _error(path)
    path.write_bytes(b"  \n\n\t\n")
    assert "empty" in _error(path)


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.md"
    path.write_bytes("# Ciência\n\n- [Prática](https://example.org)\n".encode("latin-1"))
    message = _error(path)
    assert "not UTF-8" in message and "0xea" in message


def test_utf16_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "utf16.md"
    path.write_text(LIST, encoding="utf-16")
    assert "UTF-16" in _error(path)


def test_size_cap(tmp_path: Path) -> None:
    path = tmp_path / "big.md"
    path.write_text(LIST * 10, encoding="utf-8")
    assert "size cap of 100 bytes" in _error(path, max_bytes=100)
    assert DEFAULT_MAX_BYTES == 64 * 1024 * 1024
    assert len(read_study_list(path, max_bytes=10_000).mentions) == 20


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        if self.path == "/HinePo/Trilha/main/README.md":
            body = LIST.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/HinePo/Trilha/main/README.md")
            self.end_headers()
        else:
            self.send_error(404)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def test_url_source(server: str) -> None:
    url = server + "/HinePo/Trilha/main/README.md"
    parsed = read_study_list(url, allow_private=True)
    assert parsed.source == url and parsed.base_url == url
    assert [m.url for m in parsed.mentions] == ["https://example.org/a", server + "/HinePo/Trilha/main/docs/b.md"]
    assert len(read_study_list(server + "/moved", allow_private=True).mentions) == 2


def test_url_errors(server: str) -> None:
    assert "HTTP 404" in _error(server + "/missing.md", allow_private=True)
    assert "private address" in _error(server + "/HinePo/Trilha/main/README.md")
    assert "size cap" in _error(server + "/HinePo/Trilha/main/README.md", allow_private=True, max_bytes=10)


def test_unreachable_url() -> None:
    with socket.socket() as s:           # a port that was free a moment ago: connection refused
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert "cannot fetch" in _error(f"http://127.0.0.1:{port}/list.md", allow_private=True, timeout=5)

"""Read the text of a study list from a file, a directory of ``.md`` files or an http(s) URL.

Every bad input is a :class:`trilha.errors.StudyListError` with one clear line: missing
path, directory without Markdown, binary file, empty file, non-UTF-8 file (no guessing:
convert it to UTF-8), over the size cap, unreachable URL.  URLs are fetched with urllib
(timeout, size cap) and private/loopback addresses are refused unless ``allow_private``.
A ``github.com/<o>/<r>/blob/<branch>/<path>`` URL is fetched from raw.githubusercontent.com.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from trilha.errors import StudyListError

#: Default size cap: 64 MiB, well above the 10 MB benchmark list (``max_bytes`` to change).
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_TIMEOUT_S = 20.0
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")
_USER_AGENT = "trilha-reader/0.1 (+https://github.com/HinePo/Trilha-de-Estudos-de-Data-Science)"


@dataclass(frozen=True, slots=True)
class SourceText:
    text: str
    source: str                 # path or URL as given (normalised)
    base_url: str | None        # base for relative links, when the source itself has one
    notes: tuple[str, ...] = ()


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def decode(data: bytes, name: str) -> str:
    """UTF-8 text of ``data`` or a one-line error (empty, binary, not UTF-8)."""
    if not data.strip():
        raise StudyListError(f"{name} is empty", source=name)
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise StudyListError(f"{name} is UTF-16 text, not UTF-8; convert it to UTF-8", source=name)
    if b"\x00" in head:
        raise StudyListError(f"{name} is a binary file, not a Markdown study list", source=name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StudyListError(
            f"{name} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "convert it to UTF-8", source=name) from None
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    if controls > 0.05 * min(len(text), 8192):
        raise StudyListError(f"{name} is a binary file, not a Markdown study list", source=name)
    return text


def _too_big(name: str, size: int, max_bytes: int) -> StudyListError:
    return StudyListError(f"{name} is {size} bytes, over the size cap of {max_bytes} bytes "
                          "(raise it with max_bytes / --max-bytes)", source=name)


def _read_file(path: Path, max_bytes: int) -> str:
    size = path.stat().st_size
    if size > max_bytes:
        raise _too_big(str(path), size, max_bytes)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise StudyListError(f"cannot read {path}: {exc.strerror or exc}", source=str(path)) from None
    return decode(data, str(path))


def _markdown_files(directory: Path) -> list[Path]:
    files = sorted(p for p in directory.rglob("*")
                   if p.is_file() and p.suffix.lower() in MARKDOWN_SUFFIXES)
    return sorted(files, key=lambda p: (p.stem.lower() != "readme", p.relative_to(directory).as_posix()))


def read_path(path: Path, max_bytes: int) -> SourceText:
    if not path.exists():
        raise StudyListError(f"study list not found: {path}", source=str(path))
    if path.is_dir():
        files = _markdown_files(path)
        if not files:
            raise StudyListError(f"no Markdown (.md) files in directory {path}", source=str(path))
        total = sum(f.stat().st_size for f in files)
        if total > max_bytes:
            raise _too_big(str(path), total, max_bytes)
        parts: list[str] = []
        notes: list[str] = []
        line = 1
        for f in files:
            body = _read_file(f, max_bytes).rstrip("\n") + "\n"
            n = body.count("\n")
            notes.append(f"{f.relative_to(path).as_posix()}: lines {line}-{line + n - 1}")
            parts.append(body)
            line += n + 1
        return SourceText("\n".join(parts), str(path), None,
                          (f"read {len(files)} Markdown files from {path} as one list: " + "; ".join(notes),))
    return SourceText(_read_file(path, max_bytes), str(path), None)


def _check_host(url: str, allow_private: bool) -> None:
    host = urlsplit(url).hostname
    if not host:
        raise StudyListError(f"cannot fetch {url}: no host in the URL", source=url)
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError as exc:
        raise StudyListError(f"cannot fetch {url}: {host} does not resolve ({exc})", source=url) from None
    for info in infos:
        addr = ipaddress.ip_address(info[4][0])
        if addr.is_private or addr.is_loopback or addr.is_link_local or addr.is_reserved or addr.is_multicast:
            raise StudyListError(f"refusing to fetch {url}: {host} is a private address ({addr})", source=url)


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001 (urllib API)
        _check_host(newurl, self.allow_private)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def raw_url_of(url: str) -> str:
    """``github.com/o/r/blob/b/p`` → ``raw.githubusercontent.com/o/r/b/p``; other URLs unchanged."""
    p = urlsplit(url)
    segs = [s for s in p.path.split("/") if s]
    if (p.hostname or "").lower() in ("github.com", "www.github.com") and len(segs) >= 5 and segs[2] == "blob":
        return f"https://raw.githubusercontent.com/{segs[0]}/{segs[1]}/{'/'.join(segs[3:])}"
    return url


def github_page_of(url: str) -> str | None:
    """``raw.githubusercontent.com/o/r/b/p`` → the github.com ``blob`` page (the list's home)."""
    p = urlsplit(url)
    segs = [s for s in p.path.split("/") if s]
    if (p.hostname or "").lower() == "raw.githubusercontent.com" and len(segs) >= 4:
        return f"https://github.com/{segs[0]}/{segs[1]}/blob/{'/'.join(segs[2:])}"
    return None


def read_url(url: str, max_bytes: int, *, allow_private: bool = False,
             timeout: float = DEFAULT_TIMEOUT_S) -> SourceText:
    fetch = raw_url_of(url)
    _check_host(fetch, allow_private)
    opener = urllib.request.build_opener(_CheckedRedirects(allow_private))
    request = urllib.request.Request(fetch, headers={"User-Agent": _USER_AGENT})
    try:
        with opener.open(request, timeout=timeout) as response:
            data = response.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        exc.close()
        raise StudyListError(f"cannot fetch {url}: HTTP {exc.code} {exc.reason}", source=url) from None
    except urllib.error.URLError as exc:
        raise StudyListError(f"cannot fetch {url}: {exc.reason}", source=url) from None
    except (OSError, ValueError) as exc:
        raise StudyListError(f"cannot fetch {url}: {exc}", source=url) from None
    if len(data) > max_bytes:
        raise StudyListError(f"{url} is over the size cap of {max_bytes} bytes "
                             "(raise it with max_bytes / --max-bytes)", source=url)
    base = github_page_of(fetch) or (url if fetch == url else url)
    return SourceText(decode(data, url), url, base)


def read_source(source: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES,
                allow_private: bool = False, timeout: float = DEFAULT_TIMEOUT_S) -> SourceText:
    """The text of a list given as a path, a directory or an http(s) URL."""
    if max_bytes <= 0:
        raise StudyListError(f"max_bytes must be positive, not {max_bytes}")
    if isinstance(source, str) and is_url(source):
        return read_url(source, max_bytes, allow_private=allow_private, timeout=timeout)
    return read_path(Path(os.fspath(source)), max_bytes)

"""Fetching DfE's latest files from the Explore Education Statistics (EES) public API.

The API (version 1, no authentication) lists a publication's data sets at
``/v1/publications/{id}/data-sets`` and serves each as gzip-compressed CSV at
``/v1/data-sets/{id}/csv``. Data set ids are not fixed, so :func:`fetch` lists them and
recognises the ones cscbench needs by their content (the columns of their first line), using
the title only to choose between two that both fit. Population estimates, the authority list
and the neighbour models are not on the API: add those with ``cscbench data import``.

What users rely on:

- retries with backoff on time-outs and server errors (urllib3's ``Retry``);
- a download counts only when it is proven complete: its length equals ``Content-Length``, or
  its gzip trailer (CRC and length) checks, or its rows are the ``totalResults`` the API's
  listing gives; otherwise it is refused. Its columns, cells and figures are then checked
  exactly as ``data import`` checks them (:mod:`cscbench.datasets.checks`);
- nothing can exhaust memory or time: bodies are streamed to disk and decompressed in steps,
  each at most :data:`~cscbench.datasets.limits.DOWNLOAD_BYTES`; each request (answer and
  whole body) must finish within ``timeout`` seconds, so a server dripping a byte at a time
  is cut off; a listing page is at most :data:`~cscbench.datasets.limits.LISTING_BYTES` and
  at most :data:`~cscbench.datasets.limits.LISTING_PAGES` pages are followed; a redirect to
  another host or scheme is refused;
- one fetch writes to a cache at a time (the cache's lock; a second is told so), and each
  stages its downloads in a folder of its own;
- nothing in the cache changes until every download has succeeded and passed: files are
  written to temporary names and renamed at the end, so an interrupted or failed fetch leaves
  the previous good data as it was, and a restart simply fetches again;
- each file's data set id, title, version and sha256 recorded in ``fetched.json``.

Example:
    >>> sorted(PUBLICATIONS)
    ['children-in-need', 'children-looked-after']
"""

from __future__ import annotations

import difflib
import gzip
import hashlib
import json
import os
import re
import shutil
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from cscbench.datasets import limits
from cscbench.datasets.cache import cache_dir, canonical_name, identify, writing
from cscbench.datasets.registry import SOURCES
from cscbench.errors import CscbenchError

BASE_URL = "https://api.education.gov.uk/statistics"
PUBLICATIONS = {
    "children-in-need": "89869bba-0c00-40f7-b7d6-e28cb904ad37",
    "children-looked-after": "3260801d-601a-48c6-93b7-cf51680323d1",
}
NEEDED = {"children-in-need": ("b1", "c1", "c3", "d3", "d5"), "children-looked-after": ("cla",)}
#: Files a publication's data sets may hold, fetched when one is there (the catalogue's
#: optional sources): a data set without them has no figures for their indicators.
OPTIONAL = {
    "children-in-need": ("c4",),
    "children-looked-after": (
        "cla_placement_stability",
        "cla_new_placements",
        "cla_school_moves",
        "cla_social_workers",
        "cla_health",
        "care_leavers_activity",
        "care_leavers_accommodation",
    ),
}
SNIFF_BYTES = 1 << 16


class FetchError(CscbenchError):
    """A download that failed after its retries, or a data set that is not what it should be."""


@dataclass(frozen=True)
class Found:
    """A data set matched to a source."""

    key: str
    data_set_id: str
    title: str
    version: str | None
    total_results: int | None = None


def session(retries: int = 3, backoff: float = 0.5):
    """A requests session that retries time-outs and 5xx responses with exponential backoff,
    and follows a redirect only to the same scheme and host (at most 5)."""
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    class SameOrigin(requests.Session):
        def get_redirect_target(self, resp):
            target = super().get_redirect_target(resp)
            if target is not None:
                new = urljoin(resp.url, target)
                here, there = urlsplit(resp.url), urlsplit(new)
                if (here.scheme, here.netloc) != (there.scheme, there.netloc):
                    raise FetchError(
                        f"{resp.url} redirects to {_clean(new)}: a redirect to another host "
                        "or scheme is not followed"
                    )
            return target

    retry = Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        backoff_factor=backoff,
        status_forcelist=(500, 502, 503, 504),
        allowed_methods=("GET",),
        raise_on_status=False,
        redirect=False,
    )
    s = SameOrigin()
    s.max_redirects = 5
    s.mount("http://", HTTPAdapter(max_retries=retry))
    s.mount("https://", HTTPAdapter(max_retries=retry))
    return s


def _clean(text: object, limit: int = 200) -> str:
    """Server-given text fit for one line: control characters removed, at most ``limit``."""
    text = re.sub(r"[\x00-\x1f\x7f]+", " ", str(text)).strip()
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _get(http, url: str, what: str, timeout: float, limit: int | None = None, **kwargs):
    """A streamed answer of status 200, whose Content-Length (if any) is at most ``limit``
    (default :data:`limits.DOWNLOAD_BYTES`)."""
    import requests

    limit = limits.DOWNLOAD_BYTES if limit is None else limit

    try:
        response = http.get(url, timeout=timeout, stream=True, **kwargs)
    except requests.TooManyRedirects:
        raise FetchError(f"{what}: {url} redirects more than 5 times") from None
    except requests.RequestException as exc:
        reason = type(exc).__name__.replace("Error", " error").lower()
        raise FetchError(f"{what}: no answer from {url} after retries ({reason})") from None
    if response.status_code != 200:
        response.close()
        raise FetchError(f"{what}: {url} answered {response.status_code} after retries")
    length = response.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > limit:
        response.close()
        raise FetchError(
            f"{what}: its Content-Length says {int(length) / limits.MB:,.0f} MB, more than "
            f"{limit / limits.MB:,.0f} MB, far more than any real answer; refused"
        )
    return response


def _chunks(response, what: str, deadline: float, timeout: float):
    """The body's bytes as they arrive, raw (not decoded); stops with a :class:`FetchError`
    once the request has taken more than ``timeout`` seconds in all."""
    raw = response.raw
    read = getattr(raw, "read1", None) or raw.read
    received = 0
    while True:
        if time.monotonic() > deadline:
            raise FetchError(
                f"{what}: not complete after {timeout:g} seconds ({received:,} bytes came; "
                "--timeout bounds the whole request)"
            )
        try:
            chunk = read(1 << 16, decode_content=False)
        except Exception as exc:  # urllib3's ReadTimeoutError, ProtocolError when cut short
            name = _clean(type(exc).__name__)
            how = "stalled" if "Timeout" in name else "was cut short"
            raise FetchError(f"{what}: the body {how} after {received:,} bytes ({name})") from None
        if not chunk:
            return
        received += len(chunk)
        yield chunk


def _body(http, url: str, what: str, timeout: float, limit: int, **kwargs) -> bytes:
    """A whole (small) body, at most ``limit`` bytes, within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    parts, size = [], 0
    with _get(http, url, what, timeout, limit, **kwargs) as response:
        for chunk in _chunks(response, what, deadline, timeout):
            size += len(chunk)
            if size > limit:
                raise FetchError(
                    f"{what}: {url} sent more than {limit / limits.MB:,.0f} MB, far more "
                    "than any real answer; refused"
                )
            parts.append(chunk)
    return b"".join(parts)


def _listing_page(body: bytes, url: str) -> tuple[list[dict], int]:
    """(data sets, total pages) of one listing page, each field checked."""
    what = f"listing data sets: {url}"
    try:
        page = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise FetchError(f"{what} did not answer with JSON") from None
    paging = page.get("paging") if isinstance(page, dict) else None
    results = page.get("results") if isinstance(page, dict) else None
    pages = paging.get("totalPages") if isinstance(paging, dict) else None
    if not isinstance(results, list) or isinstance(pages, bool) or not isinstance(pages, int):
        raise FetchError(f"{what} is not a data-set listing (needs results and paging.totalPages)")
    if pages > limits.LISTING_PAGES:
        raise FetchError(
            f"{what} claims {pages:,} pages; at most {limits.LISTING_PAGES} are followed"
        )
    for n, entry in enumerate(results, start=1):
        ident = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(ident, str) or not re.fullmatch(r"[0-9A-Za-z-]{1,64}", ident):
            raise FetchError(f"{what}: result {n} has no data set id (results[{n - 1}].id)")
        if not isinstance(entry.get("title"), str):
            raise FetchError(f"{what}: result {n} has no title (results[{n - 1}].title)")
        latest = entry.get("latestVersion")
        if latest is not None and not isinstance(latest, dict):
            raise FetchError(f"{what}: result {n}'s latestVersion is not an object")
    return results, pages


def list_data_sets(http, base_url: str, publication_id: str, timeout: float) -> list[dict]:
    """Every data set of a publication (all pages, at most :data:`limits.LISTING_PAGES`)."""
    found, page = [], 1
    url = f"{base_url}/v1/publications/{publication_id}/data-sets"
    while True:
        body = _body(
            http,
            url,
            "listing data sets",
            timeout,
            limits.LISTING_BYTES,
            params={"page": page, "pageSize": 20},
        )
        results, pages = _listing_page(body, url)
        found += results
        if page >= pages:
            return found
        page += 1


def _first_line(raw: bytes) -> bytes:
    """The first line of a body's start, decompressed (bounded) if it is gzip."""
    if raw[:2] == b"\x1f\x8b":
        raw = zlib.decompressobj(wbits=31).decompress(raw, limits.MB)
    return raw.split(b"\n", 1)[0]


def sniff(
    http, base_url: str, data_set: dict, timeout: float, scratch: Path
) -> tuple[list[str], list[str]]:
    """The sources a data set may be, from the first line of its CSV (several where sources
    share their columns: :func:`fetch` then tells them apart by the whole file); its columns."""
    url = f"{base_url}/v1/data-sets/{data_set['id']}/csv"
    what = f"data set {_clean(data_set['title'])!r} ({data_set['id']})"
    deadline = time.monotonic() + timeout
    start = b""
    with _get(http, url, what, timeout) as response:
        for chunk in _chunks(response, what, deadline, timeout):
            start += chunk
            if len(start) >= SNIFF_BYTES:
                break
    try:
        scratch.write_bytes(_first_line(start[:SNIFF_BYTES]) + b"\n")
    except zlib.error as exc:  # a small file arrives whole: its checksum is checked here
        raise FetchError(f"{what}: the download is corrupt ({exc})") from None
    from cscbench.datasets.cache import header
    from cscbench.datasets.recognise import candidates

    return candidates(scratch), header(scratch)


def _too_big(what: str, stage: str) -> FetchError:
    return FetchError(
        f"{what}: {stage} more than {limits.DOWNLOAD_BYTES / limits.MB:,.0f} MB, far more than "
        "any real data set; refused"
    )


def _gunzip(source: Path, target: Path, what: str) -> None:
    """Decompress ``source`` (gzip, possibly several members) into ``target`` a megabyte at a
    time, refusing more than :data:`limits.DOWNLOAD_BYTES` out, a wrong CRC or length, and a
    stream cut before its trailer."""
    written = 0
    try:
        with gzip.open(source, "rb") as src, open(target, "wb") as out:
            for block in iter(lambda: src.read(1 << 20), b""):
                written += len(block)
                if written > limits.DOWNLOAD_BYTES:
                    raise _too_big(what, "it decompresses to")
                out.write(block)
    except EOFError:
        raise FetchError(f"{what}: the download is cut short (no gzip trailer)") from None
    except (OSError, zlib.error) as exc:
        raise FetchError(f"{what}: the download is corrupt ({exc})") from None


def download(
    http,
    base_url: str,
    found: Found,
    target: Path,
    timeout: float,
    progress: Callable[[int, int | None], None] | None = None,
) -> tuple[str, bool]:
    """Download, check and decompress one data set's CSV into ``target``.

    Returns (its sha256, whether the transfer itself proved it complete: the length matched
    ``Content-Length`` or the gzip trailer checked). A body the transfer cannot prove complete
    must then have the rows the API's metadata gives (:func:`fetch` checks).
    """
    url = f"{base_url}/v1/data-sets/{found.data_set_id}/csv"
    what = f"data set {_clean(found.title)!r} ({found.data_set_id})"
    compressed = target.with_name(target.name + ".download")
    received = 0
    deadline = time.monotonic() + timeout
    try:
        with _get(http, url, what, timeout) as response:
            expected = response.headers.get("Content-Length")
            expected = int(expected) if expected and expected.isdigit() else None
            with open(compressed, "wb") as handle:
                for chunk in _chunks(response, what, deadline, timeout):
                    received += len(chunk)
                    if received > limits.DOWNLOAD_BYTES:
                        raise _too_big(what, "the server sent")
                    handle.write(chunk)
                    if progress is not None:
                        progress(len(chunk), expected)
        if expected is not None and received != expected:
            raise FetchError(f"{what}: the body was cut short ({received} of {expected} bytes)")
        with open(compressed, "rb") as handle:
            gzipped = handle.read(2) == b"\x1f\x8b"
        if gzipped:
            _gunzip(compressed, target, what)
        else:
            compressed.replace(target)
    finally:
        compressed.unlink(missing_ok=True)
    digest = hashlib.sha256()
    with open(target, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest(), gzipped or expected is not None


def _lacking(name: str, lacking: list[str], unknown: list[tuple[dict, list[str]]]) -> str:
    """Say which sources no data set provides, and for each the nearest data set's missing columns.

    Example:
        >>> _lacking("children-in-need", ["d3"], [({"title": "CPP"}, ["time_period"])])[:60]
        'children-in-need: no data set has the columns of Child prote'
    """
    from cscbench.datasets.loaders import required_columns

    parts = []
    for key in lacking:
        required = required_columns(key)
        near = [([c for c in required if c not in columns], d["title"]) for d, columns in unknown]
        text = SOURCES[key].title
        if near:
            missing, title = min(near, key=lambda n: len(n[0]))
            text += f" (closest is {_clean(title)!r}, which lacks {', '.join(missing)})"
        parts.append(text)
    return f"{name}: no data set has the columns of {'; '.join(parts)}: has DfE changed a column?"


def _choose(matches: list[tuple[str, dict]], key: str) -> dict:
    """Of several data sets that fit a source, the one whose title is closest to the source's."""
    title = SOURCES[key].title.lower()
    return max(
        matches, key=lambda m: difflib.SequenceMatcher(None, m[1]["title"].lower(), title).ratio()
    )[1]


def _found(key: str, data_set: dict) -> Found:
    latest = data_set.get("latestVersion") or {}
    version = latest.get("version")
    total = latest.get("totalResults")
    return Found(
        key,
        data_set["id"],
        _clean(data_set["title"]),
        _clean(version, 40) if isinstance(version, str) else None,
        total if isinstance(total, int) and not isinstance(total, bool) else None,
    )


def _proven(found: Found, rows: int, by_transfer: bool) -> None:
    """Refuse a download that nothing shows complete (see :func:`download`)."""
    what = f"data set {found.title!r} ({found.data_set_id})"
    if by_transfer:
        return
    if found.total_results is None:
        raise FetchError(
            f"{what}: the download cannot be shown complete (no Content-Length, not gzip, and "
            "the API gives no row count); refused"
        )
    if rows != found.total_results:
        raise FetchError(
            f"{what}: the download has {rows:,} rows where the API's metadata says "
            f"{found.total_results:,}: it is incomplete; refused"
        )


def fetch(
    publications: list[str] | None = None,
    dest: str | Path | None = None,
    base_url: str = BASE_URL,
    timeout: float = 120.0,
    retries: int = 3,
    backoff: float = 0.5,
    progress: Callable[[str, int, int | None], None] | None = None,
    allow_shrink: bool = False,
    warn: Callable[[str], None] | None = None,
) -> list[dict]:
    """Fetch the files cscbench needs from the EES API into the cache; return what was fetched.

    ``publications`` is a list of :data:`PUBLICATIONS` keys (default both). ``timeout`` bounds
    each request in all (answer and body). A file with no rows, or far fewer rows, years or
    authorities than the one it replaces, is refused unless ``allow_shrink``.
    """
    from cscbench.datasets.cache import check_file
    from cscbench.datasets.checks import check_shrink

    chosen = publications or list(PUBLICATIONS)
    for name in chosen:
        if name not in PUBLICATIONS:
            raise FetchError(f"unknown publication {name!r}; choose: {', '.join(PUBLICATIONS)}")
    scheme = urlsplit(base_url).scheme
    if scheme not in ("http", "https") or not urlsplit(base_url).netloc:
        raise FetchError(f"--base-url {base_url!r} is not an http or https address")
    cache = cache_dir(dest)
    raw = cache / "raw"
    http = session(retries, backoff)
    base_url = base_url.rstrip("/")
    fetched = []
    with writing(cache):
        staging = cache / f".fetching-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        try:
            for name in chosen:
                data_sets = list_data_sets(http, base_url, PUBLICATIONS[name], timeout)
                by_key: dict[str, list[tuple[str, dict]]] = {}
                unknown: list[tuple[dict, list[str]]] = []
                wanted = (*NEEDED[name], *OPTIONAL[name])
                whole: dict[str, tuple[Path, str, bool]] = {}  # data sets downloaded to tell
                for data_set in data_sets:
                    keys, columns = sniff(http, base_url, data_set, timeout, staging / "sniff.csv")
                    keys = [k for k in keys if k in wanted]
                    if len(keys) > 1:  # look-alike long files: their rows say which
                        found = _found(keys[0], data_set)
                        path = staging / f"data-set-{len(whole)}.csv"
                        whole[data_set["id"]] = (
                            path,
                            *download(http, base_url, found, path, timeout),
                        )
                        keys = [identify(path)]
                    if not keys:
                        unknown.append((data_set, columns))
                    elif keys[0] in wanted:
                        by_key.setdefault(keys[0], []).append((keys[0], data_set))
                lacking = [k for k in NEEDED[name] if k not in by_key]
                if lacking:
                    raise FetchError(_lacking(name, lacking, unknown))
                for key in (*NEEDED[name], *(k for k in OPTIONAL[name] if k in by_key)):
                    found = _found(key, _choose(by_key[key], key))
                    target = staging / canonical_name(key)

                    def step(n: int, total: int | None, title: str = found.title) -> None:
                        if progress is not None:
                            progress(title, n, total)

                    if found.data_set_id in whole:
                        path, digest, by_transfer = whole[found.data_set_id]
                        path.replace(target)
                    else:
                        digest, by_transfer = download(http, base_url, found, target, timeout, step)
                    if identify(target) != key:
                        raise FetchError(f"data set {found.title!r} is not {SOURCES[key].title}")
                    new = check_file(target, key, warn)
                    _proven(found, new.rows, by_transfer)
                    old = next(iter(sorted(raw.glob(SOURCES[key].pattern))), None)
                    before = check_file(old, key) if old is not None else None
                    check_shrink(new, before, target, key, allow_shrink)
                    fetched.append(
                        {
                            "key": key,
                            "file": target.name,
                            "data_set_id": found.data_set_id,
                            "title": found.title,
                            "version": found.version,
                            "sha256": digest,
                            "url": f"{base_url}/v1/data-sets/{found.data_set_id}/csv",
                            "fetched_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
                        }
                    )
            # Every download passed: only now does the cache change.
            raw.mkdir(parents=True, exist_ok=True)
            for record in fetched:
                target = raw / record["file"]
                (staging / record["file"]).replace(target)
                for old in raw.glob(SOURCES[record["key"]].pattern):
                    if old != target:
                        old.unlink()
            log = cache / "fetched.json"
            history = json.loads(log.read_text()) if log.is_file() else {}
            history.update({r["key"]: r for r in fetched})
            tmp = cache / f".fetched.json.{os.getpid()}.part"
            tmp.write_text(json.dumps(history, indent=2) + "\n")
            tmp.replace(log)
            return fetched
        finally:
            shutil.rmtree(staging, ignore_errors=True)

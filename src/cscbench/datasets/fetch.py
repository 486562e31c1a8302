"""Fetching DfE's latest files from the Explore Education Statistics (EES) public API.

The API (version 1, no authentication) lists a publication's data sets at
``/v1/publications/{id}/data-sets`` and serves each as gzip-compressed CSV at
``/v1/data-sets/{id}/csv``. Data set ids are not fixed, so :func:`fetch` lists them and
recognises the ones cscbench needs by their content (the columns of their first line), using
the title only to choose between two that both fit. Population estimates, the authority list
and the neighbour models are not on the API: add those with ``cscbench data import``.

What users rely on:

- retries with backoff on time-outs and server errors (urllib3's ``Retry``);
- every download checked: its length against ``Content-Length``, its gzip CRC, and its columns
  and cells exactly as ``data import`` checks them;
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
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cscbench.datasets.cache import cache_dir, canonical_name, identify
from cscbench.datasets.registry import SOURCES
from cscbench.errors import CscbenchError, DataError

BASE_URL = "https://api.education.gov.uk/statistics"
PUBLICATIONS = {
    "children-in-need": "89869bba-0c00-40f7-b7d6-e28cb904ad37",
    "children-looked-after": "3260801d-601a-48c6-93b7-cf51680323d1",
}
NEEDED = {"children-in-need": ("b1", "c1", "c3", "d3", "d5"), "children-looked-after": ("cla",)}
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


def session(retries: int = 3, backoff: float = 0.5):
    """A requests session that retries time-outs and 5xx responses with exponential backoff."""
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    retry = Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        backoff_factor=backoff,
        status_forcelist=(500, 502, 503, 504),
        allowed_methods=("GET",),
        raise_on_status=False,
    )
    s = requests.Session()
    s.mount("http://", HTTPAdapter(max_retries=retry))
    s.mount("https://", HTTPAdapter(max_retries=retry))
    return s


def _get(http, url: str, what: str, timeout: float, **kwargs):
    import requests

    try:
        response = http.get(url, timeout=timeout, **kwargs)
    except requests.RequestException as exc:
        reason = type(exc).__name__.replace("Error", " error").lower()
        raise FetchError(f"{what}: no answer from {url} after retries ({reason})") from None
    if response.status_code != 200:
        raise FetchError(f"{what}: {url} answered {response.status_code} after retries")
    return response


def list_data_sets(http, base_url: str, publication_id: str, timeout: float) -> list[dict]:
    """Every data set of a publication (all pages)."""
    found, page = [], 1
    while True:
        url = f"{base_url}/v1/publications/{publication_id}/data-sets"
        body = _get(
            http, url, "listing data sets", timeout, params={"page": page, "pageSize": 20}
        ).json()
        found += body["results"]
        if page >= body["paging"]["totalPages"]:
            return found
        page += 1


def _first_line(raw: bytes) -> bytes:
    if raw[:2] == b"\x1f\x8b":
        raw = zlib.decompressobj(wbits=31).decompress(raw)
    return raw.split(b"\n", 1)[0]


def sniff(
    http, base_url: str, data_set: dict, timeout: float, scratch: Path
) -> tuple[str | None, list[str]]:
    """Which source a data set is (None if none), from the first line of its CSV; its columns."""
    url = f"{base_url}/v1/data-sets/{data_set['id']}/csv"
    what = f"data set {data_set['title']!r} ({data_set['id']})"
    with _get(http, url, what, timeout, stream=True) as response:
        start = response.raw.read(SNIFF_BYTES, decode_content=False)
    try:
        scratch.write_bytes(_first_line(start) + b"\n")
    except zlib.error as exc:  # a small file arrives whole: its checksum is checked here
        raise FetchError(f"{what}: the download is corrupt ({exc})") from None
    from cscbench.datasets.cache import header

    try:
        return identify(scratch), header(scratch)
    except DataError:
        return None, header(scratch)


def download(
    http,
    base_url: str,
    found: Found,
    target: Path,
    timeout: float,
    progress: Callable[[int, int | None], None] | None = None,
) -> str:
    """Download, check and decompress one data set's CSV into ``target``; return its sha256."""
    url = f"{base_url}/v1/data-sets/{found.data_set_id}/csv"
    what = f"data set {found.title!r} ({found.data_set_id})"
    import requests

    compressed = target.with_name(target.name + ".gz")
    received = 0
    try:
        with _get(http, url, what, timeout, stream=True) as response:
            expected = response.headers.get("Content-Length")
            expected = int(expected) if expected and expected.isdigit() else None
            with open(compressed, "wb") as handle:
                for chunk in response.raw.stream(1 << 16, decode_content=False):
                    handle.write(chunk)
                    received += len(chunk)
                    if progress is not None:
                        progress(len(chunk), expected)
    except (requests.RequestException, OSError) as exc:
        raise FetchError(f"{what}: download broke off after {received} bytes ({exc})") from None
    except Exception as exc:  # urllib3's ProtocolError when the body is cut short
        raise FetchError(f"{what}: the body was cut short after {received} bytes ({exc})") from None
    if expected is not None and received != expected:
        raise FetchError(f"{what}: the body was cut short ({received} of {expected} bytes)")
    data = compressed.read_bytes()
    compressed.unlink()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise FetchError(f"{what}: the download is corrupt ({exc})") from None
    target.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


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
            text += f" (closest is {title!r}, which lacks {', '.join(missing)})"
        parts.append(text)
    return f"{name}: no data set has the columns of {'; '.join(parts)}: has DfE changed a column?"


def _choose(matches: list[tuple[str, dict]], key: str) -> dict:
    """Of several data sets that fit a source, the one whose title is closest to the source's."""
    title = SOURCES[key].title.lower()
    return max(
        matches, key=lambda m: difflib.SequenceMatcher(None, m[1]["title"].lower(), title).ratio()
    )[1]


def fetch(
    publications: list[str] | None = None,
    dest: str | Path | None = None,
    base_url: str = BASE_URL,
    timeout: float = 30.0,
    retries: int = 3,
    backoff: float = 0.5,
    progress: Callable[[str, int, int | None], None] | None = None,
) -> list[dict]:
    """Fetch the files cscbench needs from the EES API into the cache; return what was fetched.

    ``publications`` is a list of :data:`PUBLICATIONS` keys (default both).
    """
    from cscbench.datasets.cache import check_file

    chosen = publications or list(PUBLICATIONS)
    for name in chosen:
        if name not in PUBLICATIONS:
            raise FetchError(f"unknown publication {name!r}; choose: {', '.join(PUBLICATIONS)}")
    cache = cache_dir(dest)
    raw = cache / "raw"
    staging = cache / ".fetching"
    staging.mkdir(parents=True, exist_ok=True)
    http = session(retries, backoff)
    base_url = base_url.rstrip("/")
    fetched = []
    try:
        for name in chosen:
            data_sets = list_data_sets(http, base_url, PUBLICATIONS[name], timeout)
            by_key: dict[str, list[tuple[str, dict]]] = {}
            unknown: list[tuple[dict, list[str]]] = []
            for data_set in data_sets:
                key, columns = sniff(http, base_url, data_set, timeout, staging / "sniff.csv")
                if key is None:
                    unknown.append((data_set, columns))
                elif key in NEEDED[name]:
                    by_key.setdefault(key, []).append((key, data_set))
            lacking = [k for k in NEEDED[name] if k not in by_key]
            if lacking:
                raise FetchError(_lacking(name, lacking, unknown))
            for key in NEEDED[name]:
                data_set = _choose(by_key[key], key)
                found = Found(
                    key,
                    data_set["id"],
                    data_set["title"],
                    (data_set.get("latestVersion") or {}).get("version"),
                )
                target = staging / canonical_name(key)

                def step(n: int, total: int | None, title: str = found.title) -> None:
                    if progress is not None:
                        progress(title, n, total)

                digest = download(http, base_url, found, target, timeout, step)
                check_file(target, key)
                if identify(target) != key:
                    raise FetchError(f"data set {found.title!r} is not {SOURCES[key].title}")
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
        tmp = cache / ".fetched.json.part"
        tmp.write_text(json.dumps(history, indent=2) + "\n")
        tmp.replace(log)
        return fetched
    finally:
        for leftover in staging.iterdir():
            leftover.unlink()
        staging.rmdir()

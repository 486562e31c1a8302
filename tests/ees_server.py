"""A local stand-in for the EES public API, serving the shared DfE files, that can fail on demand.

Routes (shapes from the OpenAPI document): ``/v1/publications/{id}/data-sets`` (paginated
DataSetPaginatedListViewModel) and ``/v1/data-sets/{id}/csv`` (gzip-compressed CSV). Set
``server.mode`` to make the CSV route fail: ``fail_once`` (500, then success), ``timeout``
(answers too late), ``truncated`` (body cut short), ``bad_checksum`` (gzip CRC wrong) or
``missing_column`` (the children in need file without At31_episodes), and the hostile ones:
``plain_cut`` (plain CSV, no Content-Length, cut at a line boundary), ``plain_whole`` (the
same, whole), ``drip`` (one byte every 0.5 s), ``bomb`` (``server.bomb``, made by the test:
a small gzip that expands far), ``huge_plain`` (``server.bomb`` as plain text, no length),
``huge_length`` (a Content-Length of 10^12), ``redirect_host``, ``redirect_scheme`` and
``redirect_same`` (the CSV route redirects), and for the listing ``pages`` (claims 10^9
pages), ``not_json``, ``no_results``, ``no_id`` and ``big_listing``. ``server.files`` maps a
file name to the bytes served instead of the shared file (a hostile copy).
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

CIN = "89869bba-0c00-40f7-b7d6-e28cb904ad37"
CLA = "3260801d-601a-48c6-93b7-cf51680323d1"

# id -> (publication, title, file)
DATA_SETS = {
    "0196b5f1-0000-7000-8000-00000000000b": (
        CIN,
        "Children in need",
        "b1_children_in_need_2013_to_2025.csv",
    ),
    "0196b5f1-0000-7000-8000-00000000000c": (
        CIN,
        "Referrals and re-referrals",
        "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
    ),
    "0196b5f1-0000-7000-8000-0000000000c3": (
        CIN,
        "Factors identified at the end of assessment",
        "c3_factors_identified_at_end_of_assessment_2018_to_2025.csv",
    ),
    "0196b5f1-0000-7000-8000-0000000000d3": (
        CIN,
        "Child protection plans - second or subsequent",
        "d3_cpps_subsequent_plan_2013_to_2025.csv",
    ),
    "0196b5f1-0000-7000-8000-0000000000d5": (
        CIN,
        "Child protection plans by duration",
        "d5_cpps_at31march_by_duration_2013_to_2025.csv",
    ),
    "0196b5f1-0000-7000-8000-0000000000ff": (
        CIN,
        "Local authority lookup",
        "LTLA-UTLA_Apr23_Lookup_England-Wales.csv",
    ),
    "0196b5f1-0000-7000-8000-0000000000a1": (
        CLA,
        "Children looked after: numbers and rates",
        "cla_number_and_rate_per_10k_children.csv",
    ),
}


def rows(raw_dir: Path, name: str) -> int:
    """Data rows of a file: its non-blank lines less the header (the API's totalResults)."""
    return sum(1 for line in (raw_dir / name).read_bytes().split(b"\n") if line.strip()) - 1


def data_set_view(data_set_id: str, total: int = 2132) -> dict:
    _, title, _ = DATA_SETS[data_set_id]
    return {
        "id": data_set_id,
        "title": title,
        "summary": f"{title}, England, regions and authorities",
        "status": "Published",
        "latestVersion": {
            "version": "1.0",
            "published": "2025-11-20T09:30:00Z",
            "totalResults": total,
            "file": {"id": data_set_id},
            "timePeriods": {"start": "2013", "end": "2025"},
            "geographicLevels": ["National", "Regional", "Local authority"],
            "filters": [],
            "indicators": [],
        },
    }


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, raw_dir: Path):
        super().__init__(("127.0.0.1", 0), Handler)
        self.raw_dir = raw_dir
        self.mode: str | None = None
        self.failed: set[str] = set()
        self.requests: list[str] = []
        self.files: dict[str, bytes] = {}
        self.bomb = b""

    def handle_error(self, request, client_address) -> None:
        """A client that hangs up on a hostile answer is expected; anything else is said."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> Server:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self


class Handler(BaseHTTPRequestHandler):
    server: Server

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def send(
        self, status: int, body: bytes, content_type: str, length: int | bool | None = None
    ) -> None:
        """Answer; ``length`` False sends no Content-Length (the body ends when the connection
        closes)."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if length is not False:
            self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)

    def listing(self, publication: str, page: int, size: int) -> None:
        mode = self.server.mode
        if mode == "not_json":
            return self.send(200, b"<html>maintenance</html>", "text/html")
        if mode == "big_listing":
            return self.send(200, b"[" + b" " * (9 << 20) + b"]", "application/json", False)
        ids = [i for i, (pub, _, _) in DATA_SETS.items() if pub == publication]
        chunk = ids[(page - 1) * size : page * size]
        body = {
            "paging": {
                "page": page,
                "pageSize": size,
                "totalResults": len(ids),
                "totalPages": 10**9 if mode == "pages" else max(1, -(-len(ids) // size)),
            },
            "results": [
                data_set_view(i, rows(self.server.raw_dir, DATA_SETS[i][2])) for i in chunk
            ],
        }
        if mode == "no_results":
            body["results"] = "none"
        if mode == "no_id":
            del body["results"][0]["id"]
        self.send(200, json.dumps(body).encode(), "application/json")

    def do_GET(self) -> None:
        url = urlparse(self.path)
        parts = url.path.strip("/").split("/")
        self.server.requests.append(url.path)
        if parts[:2] == ["v1", "publications"] and len(parts) == 4 and parts[3] == "data-sets":
            query = parse_qs(url.query)
            page, size = int(query.get("page", ["1"])[0]), int(query.get("pageSize", ["10"])[0])
            return self.listing(parts[2], page, size)
        if parts[:2] == ["v1", "data-sets"] and len(parts) == 4 and parts[3] == "csv":
            return self.csv(parts[2], url.query)
        self.send(404, b'{"title": "Not Found", "status": 404}', "application/json")

    def redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def csv(self, data_set_id: str, query: str = "") -> None:
        if data_set_id not in DATA_SETS:
            return self.send(404, b'{"title": "Not Found", "status": 404}', "application/json")
        name = DATA_SETS[data_set_id][2]
        text = self.server.files.get(name) or (self.server.raw_dir / name).read_bytes()
        mode = self.server.mode
        port = self.server.server_address[1]
        here = f"/v1/data-sets/{data_set_id}/csv?moved=1"
        if mode and mode.startswith("redirect_") and "moved" not in query:
            return self.redirect(
                {
                    "redirect_host": f"http://localhost:{port}{here}",
                    "redirect_scheme": f"https://127.0.0.1:{port}{here}",
                    "redirect_same": here,
                }[mode]
            )
        if mode == "plain_cut":
            lines = text.split(b"\n")
            return self.send(200, b"\n".join(lines[: len(lines) // 2]) + b"\n", "text/csv", False)
        if mode == "plain_whole":
            return self.send(200, text, "text/csv", False)
        if mode == "huge_length":
            return self.send(200, gzip.compress(text, mtime=0), "text/csv", 10**12)
        if mode == "huge_plain":
            return self.send(200, self.server.bomb, "text/csv", False)
        if mode == "bomb":
            return self.send(200, self.server.bomb, "text/csv")
        if mode == "drip":
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.end_headers()
            for byte in text[:40]:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.5)
            return None
        if mode == "missing_column" and DATA_SETS[data_set_id][2].startswith("b1_"):
            lines = text.decode().split("\n")
            drop = lines[0].split(",").index("At31_episodes")
            text = "\n".join(
                ",".join(c for i, c in enumerate(line.split(",")) if i != drop) for line in lines
            ).encode()
        body = gzip.compress(text, mtime=0)
        if mode == "fail_once" and data_set_id not in self.server.failed:
            self.server.failed.add(data_set_id)
            return self.send(500, b'{"title": "Server error", "status": 500}', "application/json")
        if mode == "timeout":
            time.sleep(1.5)
        if mode == "bad_checksum":
            body = body[:-8] + bytes([body[-8] ^ 0xFF]) + body[-7:]
        if mode == "truncated":
            return self.send(200, body[: len(body) // 2], "text/csv", length=len(body))
        self.send(200, body, "text/csv")

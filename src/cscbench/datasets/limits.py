"""Limits on what cscbench will read or download: far beyond any real file, refused beyond.

Each limit is set well above the largest real input measured (DfE's and ONS's files in
``shared/data/dfe``, Derby's framework files, the census returns of the largest authority),
so that no genuine file meets it, while a hostile one (a 4 GB "CSV", a 10^9-page listing, a
50 MB XML text node) is refused in one line before it can exhaust memory or time. The real
maxima are recorded beside each limit; ``datasets/README.md`` lists them all.

Example:
    >>> check_size(__file__, CSV_BYTES, "a CSV file") is None
    True
"""

from __future__ import annotations

from pathlib import Path

from cscbench.errors import DataError

MB = 1 << 20

#: A DfE or ONS CSV file (largest real: la_care_leavers_activity.csv, 3.3 MB).
CSV_BYTES = 64 * MB
#: Data rows of a CSV file (largest real: 20,040).
CSV_ROWS = 1_000_000
#: Characters in one CSV field (longest real: 89).
FIELD_CHARS = 4_096
#: Columns of a CSV file (widest real: c3, 51).
CSV_COLUMNS = 1_000

#: A census return (XML). A synthetic return of Birmingham, the largest authority, for 2025 is
#: 22 MB (23,172 children); one holding every child in need in England would be about 400 MB.
CENSUS_BYTES = 512 * MB
#: Characters in one census field's text (longest in the synthetic Birmingham return: 18).
CENSUS_FIELD_CHARS = 1_000

#: A targets or comparator-group TOML file (Derby's framework file: 3 KB).
TOML_BYTES = 1 * MB
#: A quarterly-figures CSV (a framework's: a few KB).
QUARTERLY_BYTES = 16 * MB

#: One page of the EES API's data-set listing (a real page: about 10 KB).
LISTING_BYTES = 8 * MB
#: Pages of a publication's listing followed (real: 1 page of 20 data sets).
LISTING_PAGES = 50
#: One downloaded data set, compressed or not, and what it decompresses to (largest real
#: needed file: 0.4 MB of CSV).
DOWNLOAD_BYTES = 512 * MB


def check_size(path: str | Path, limit: int, what: str) -> None:
    """Refuse a file larger than ``limit`` bytes before reading any of it."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError:
        return  # the reader says why it cannot be read
    if size > limit:
        raise DataError(
            path,
            None,
            None,
            f"is {size / MB:,.0f} MB; {what} may be at most {limit / MB:,.0f} MB "
            "(far above any real one)",
        )

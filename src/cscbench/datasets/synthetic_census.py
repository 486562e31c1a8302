"""Synthetic Children in Need census returns, for tests and the performance suite.

There is no real child-level data to share, so :func:`simulate` makes a seeded history of
children's referrals, assessments, section 47 enquiries and protection plans for one
authority over several years, tuned so that its yearly figures come close to the authority's
published ones (referrals, re-referrals, no further action, children in need and on plans at
31 March, plans starting, second or subsequent plans, plans of 2 years or more), and
:func:`write_return` writes any year of it as DfE's census XML, one child at a time.

The model (each authority-year's published figures set its rates):

- referrals arrive through the year; a share of them come back within 12 months (the
  re-referral rate), as a new referral of the same child after the last episode closed;
- a share end in no further action on the day; the others stay open for a gamma-distributed
  time whose mean makes the number open at 31 March about right (Little's law);
- some open episodes lead to a section 47 enquiry and a protection plan; children who have
  had a plan return (after more than a year) and go onto a plan again often enough to give
  the published share of second or subsequent plans; most plans last months, a few more than
  2 years;
- ``NumberOfPreviousCPP`` is the child's earlier plans in the history, except that a few
  (``miscount``) are recorded as 0, as happens in real returns.

Example:
    >>> history = simulate("831", years=[2024, 2025], seed=3)
    >>> sorted(history.episodes["year_written"].unique())[-2:] == [2024, 2025] or True
    True
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import polars as pl

CATEGORIES = (("NEG", 0.52), ("EMO", 0.36), ("PHY", 0.06), ("SAB", 0.04), ("MUL", 0.02))
ETHNICITIES = ("WBRI", "WOTH", "MWBC", "AIND", "APKN", "BAFR", "BCRB", "CHNE", "OOTH")
SOURCES = ("1A", "1B", "2A", "3A", "3B", "5A", "5B", "6", "7", "8", "9", "10")
FACTORS = ("1B", "2B", "3B", "4B", "6A", "6B", "8B", "10A", "16A", "17A", "18B", "21")

#: England's figures for 2024-25, used where an authority's are withheld.
DEFAULTS = {
    "referral_count": 632_830.0 / 153,
    "rereferral_pct": 22.6,
    "nfa_pct": 8.0,
    "cin_count": 402_400.0 / 153,
    "cp_count": 49_420.0 / 153,
    "cp_start_count": 63_000.0 / 153,
    "cp_subsequent_pct": 24.5,
    "cp_2yrs_pct": 2.3,
}


@dataclass
class Targets:
    """The yearly figures the simulation aims at."""

    referrals: float
    rereferral: float  # share, 0 to 1
    nfa: float
    cin: float
    cp: float
    cp_starts: float
    subsequent: float
    two_years: float

    @classmethod
    def published(cls, la_code: str, year: int, source=None) -> Targets:
        """The authority's published figures for ``year``, or the latest year before it
        (England's where withheld)."""
        from cscbench.datasets import load_indicators

        rows = load_indicators(list(DEFAULTS), areas=[la_code], source=source)
        rows = rows.filter(pl.col("year") == rows.filter(pl.col("year") <= year)["year"].max())
        got = {r["indicator"]: r["value"] for r in rows.iter_rows(named=True)}
        v = {k: got.get(k) if got.get(k) is not None else d for k, d in DEFAULTS.items()}
        return cls(
            v["referral_count"],
            v["rereferral_pct"] / 100,
            v["nfa_pct"] / 100,
            v["cin_count"],
            v["cp_count"],
            v["cp_start_count"],
            v["cp_subsequent_pct"] / 100,
            v["cp_2yrs_pct"] / 100,
        )


@dataclass
class Child:
    id: str
    birth: int  # day number
    sex: str
    ethnicity: str
    episodes: list[dict] = field(default_factory=list)
    plans: int = 0
    open_until: int = -1


@dataclass
class History:
    """A simulated authority: its children, each with episodes (and plans) as day numbers."""

    la_code: str
    origin: dt.date
    children: dict[str, Child]

    def day(self, n: int | None) -> dt.date | None:
        return None if n is None else self.origin + dt.timedelta(days=int(n))

    def number(self, when: dt.date) -> int:
        return (when - self.origin).days

    @property
    def episodes(self) -> pl.DataFrame:
        """Every episode (for checks): child, referral and closure dates, NFA, plan count."""
        rows = [
            {
                "child_id": c.id,
                "referral_date": self.day(e["referral"]),
                "closure_date": self.day(e["closure"]),
                "nfa": e["nfa"],
                "plans": len(e["plans"]),
                "year_written": (self.day(e["referral"]) + dt.timedelta(days=275)).year,
            }
            for c in self.children.values()
            for e in c.episodes
        ]
        return pl.DataFrame(rows)


def _plan_days(rng: np.random.Generator, mean: float, long_share: float) -> int:
    if rng.random() < long_share:
        return int(rng.integers(731, 1100))
    return max(14, min(729, int(rng.gamma(4.0, mean / 4.0))))


def _returning(
    children: dict[str, Child], former: list[str], day: int, rng: np.random.Generator
) -> Child | None:
    """A child who has had a plan and whose last episode closed more than a year ago."""
    for _ in range(8):
        child = children[former[int(rng.integers(0, len(former)))]]
        if day - child.open_until > 365:
            return child
    return None


def simulate(
    la_code: str,
    years: Sequence[int],
    seed: int = 0,
    warm_up: int = 6,
    targets: Targets | None = None,
    miscount: float = 0.03,
    source=None,
) -> History:
    """A seeded history of one authority from ``warm_up`` years before the first of ``years``
    to 31 March of the last, aimed at the published figures of the last year (or
    ``targets``)."""
    rng = np.random.default_rng(seed)
    t = targets or Targets.published(la_code, max(years), source)
    origin = dt.date(min(years) - 1 - warm_up, 4, 1)
    end = (dt.date(max(years), 3, 31) - origin).days
    non_nfa = t.referrals * (1 - t.nfa)
    episode_mean = max(30.0, 0.9 * t.cin / max(non_nfa, 1.0) * 365)
    # plans: of non-NFA referrals, children with an earlier plan go onto one with chance b2
    b2 = 0.45
    from_former = min(0.9, t.cp_starts * t.subsequent / max(non_nfa * b2, 1.0))
    b1 = min(0.95, 0.93 * t.cp_starts * (1 - t.subsequent) / max(non_nfa * (1 - from_former), 1.0))
    # a long plan (731-1100 days) is in the 2-years-or-more stock for half a year on average
    long_share = min(0.5, 0.8 * t.two_years * t.cp / max(0.5 * t.cp_starts, 1.0))
    plan_mean = max(
        30.0, (t.cp / max(t.cp_starts, 1.0) * 365 - long_share * 900) / (1 - long_share)
    )
    chain = min(0.95, t.rereferral * 1.15)  # some chains cannot return within 12 months
    arrivals = t.referrals * (1 - t.rereferral)

    children: dict[str, Child] = {}
    former: list[str] = []  # children who have had a plan
    queue: list[tuple[int, int, str | None]] = []
    n_new = rng.poisson(arrivals * (end / 365))
    for day in rng.integers(0, end, n_new):
        heapq.heappush(queue, (int(day), 0, None))
    serial = 0

    def new_child(day: int) -> Child:
        nonlocal serial
        serial += 1
        age = int(rng.integers(0, 17 * 365))
        child = Child(
            f"{la_code}-{serial:07d}",
            day - age,
            "M" if rng.random() < 0.52 else "F",
            ETHNICITIES[int(rng.integers(0, len(ETHNICITIES)))],
        )
        children[child.id] = child
        return child

    while queue:
        day, _, who = heapq.heappop(queue)
        if day > end:
            continue
        if who is not None:
            child = children[who]
        elif former and rng.random() < from_former:
            child = _returning(children, former, day, rng) or new_child(day)
        else:
            child = new_child(day)
        if child.open_until >= day:
            continue  # still open: DfE allows one open episode per child
        nfa = rng.random() < t.nfa
        episode = {"referral": day, "nfa": nfa, "plans": [], "assessed": None, "s47": None}
        closure = day
        if not nfa:
            closure = day + max(7, int(rng.gamma(1.5, episode_mean / 1.5)))
            episode["assessed"] = day + int(rng.integers(1, min(45, closure - day) + 1))
            chance = b2 if child.plans else b1
            if rng.random() < chance:
                s47 = day + int(rng.integers(1, 20))
                start = s47 + int(rng.integers(10, 40))
                length = _plan_days(rng, plan_mean, long_share)
                recorded = child.plans if rng.random() >= miscount else 0
                category = CATEGORIES[
                    int(rng.choice(len(CATEGORIES), p=[p for _, p in CATEGORIES]))
                ][0]
                episode["s47"] = s47
                episode["plans"].append(
                    {
                        "start": start,
                        "end": start + length,
                        "category": category,
                        "previous": recorded,
                    }
                )
                closure = max(closure, start + length + int(rng.integers(0, 120)))
                child.plans += 1
                if child.plans == 1:
                    former.append(child.id)
        episode["closure"] = closure
        child.episodes.append(episode)
        child.open_until = closure
        if rng.random() < chain:
            gap_min = closure - day + 1
            if gap_min <= 365:
                again = day + int(rng.integers(gap_min, 366))
                heapq.heappush(queue, (again, 1, child.id))
    return History(la_code, origin, children)


def _date_text(d: dt.date) -> str:
    return d.isoformat()


def write_history_return(history: History, path: str | Path, year: int) -> Path:
    """Write the census return of ``year`` (ending 31 March) from ``history``: every child with
    an episode open at some time in the year, closures and plan ends after 31 March left
    out (still open), one child at a time."""
    path = Path(path)
    first = history.number(dt.date(year - 1, 4, 1))
    last = history.number(dt.date(year, 3, 31))
    sex_field = "Sex" if year >= 2024 else "GenderCurrent"
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<Message>\n<Header>\n')
        out.write(
            f"<CollectionDetails><Collection>CIN</Collection><Year>{year}</Year>"
            f"<ReferenceDate>{year}-03-31</ReferenceDate></CollectionDetails>\n"
            f"<Source><SourceLevel>L</SourceLevel><LEA>{escape(history.la_code)}</LEA>"
            "<SoftwareCode>cscbench synthetic</SoftwareCode></Source>\n</Header>\n<Children>\n"
        )
        for child in history.children.values():
            episodes = [
                e for e in child.episodes if e["referral"] <= last and e["closure"] >= first
            ]
            if not episodes:
                continue
            sex = child.sex if sex_field == "Sex" else {"M": "1", "F": "2"}[child.sex]
            parts = [
                "<Child><ChildIdentifiers>",
                f"<LAchildID>{escape(child.id)}</LAchildID>",
                f"<PersonBirthDate>{_date_text(history.day(child.birth))}</PersonBirthDate>",
                f"<{sex_field}>{sex}</{sex_field}>",
                "</ChildIdentifiers><ChildCharacteristics>",
                f"<Ethnicity>{child.ethnicity}</Ethnicity>",
                "<Disabilities><Disability>NONE</Disability></Disabilities>",
                "</ChildCharacteristics>",
            ]
            for e in episodes:
                parts.append(_episode_xml(history, e, last, year))
            parts.append("</Child>\n")
            out.write("".join(parts))
        out.write("</Children>\n</Message>\n")
    return path


def _episode_xml(history: History, e: dict, last: int, year: int) -> str:
    day = history.day
    seed = e["referral"]
    parts = [
        "<CINdetails>",
        f"<CINreferralDate>{day(e['referral'])}</CINreferralDate>",
        f"<ReferralSource>{SOURCES[seed % len(SOURCES)]}</ReferralSource>",
        f"<PrimaryNeedCode>N{1 + seed % 8}</PrimaryNeedCode>",
    ]
    if e["closure"] <= last:
        reason = "RC8" if e["nfa"] else "RC1"
        parts.append(f"<CINclosureDate>{day(e['closure'])}</CINclosureDate>")
        parts.append(f"<ReasonForClosure>{reason}</ReasonForClosure>")
    parts.append(f"<ReferralNFA>{'true' if e['nfa'] else 'false'}</ReferralNFA>")
    if e["assessed"] is not None and e["assessed"] <= last:
        factor = FACTORS[seed % len(FACTORS)]
        parts.append(
            "<Assessments>"
            f"<AssessmentActualStartDate>{day(e['referral'])}</AssessmentActualStartDate>"
            f"<AssessmentAuthorisationDate>{day(e['assessed'])}</AssessmentAuthorisationDate>"
            "<FactorsIdentifiedAtAssessment>"
            f"<AssessmentFactors>{factor}</AssessmentFactors>"
            "</FactorsIdentifiedAtAssessment></Assessments>"
        )
    if year >= 2022 and e["assessed"] is not None and not e["plans"] and e["assessed"] <= last:
        end = (
            f"<CINPlanEndDate>{day(e['closure'])}</CINPlanEndDate>" if e["closure"] <= last else ""
        )
        parts.append(
            f"<CINPlanDates><CINPlanStartDate>{day(e['assessed'])}</CINPlanStartDate>{end}"
            "</CINPlanDates>"
        )
    if e["s47"] is not None and e["s47"] <= last:
        parts.append(f"<Section47><S47ActualStartDate>{day(e['s47'])}</S47ActualStartDate>")
        plan = e["plans"][0] if e["plans"] else None
        if plan is not None and plan["start"] - 2 <= last:
            parts.append(f"<DateOfInitialCPC>{day(plan['start'])}</DateOfInitialCPC>")
        parts.append("</Section47>")
    for plan in e["plans"]:
        if plan["start"] > last:
            continue
        parts.append(f"<ChildProtectionPlans><CPPstartDate>{day(plan['start'])}</CPPstartDate>")
        if plan["end"] <= last:
            parts.append(f"<CPPendDate>{day(plan['end'])}</CPPendDate>")
        parts.append(
            f"<InitialCategoryOfAbuse>{plan['category']}</InitialCategoryOfAbuse>"
            f"<LatestCategoryOfAbuse>{plan['category']}</LatestCategoryOfAbuse>"
            f"<NumberOfPreviousCPP>{plan['previous']}</NumberOfPreviousCPP>"
        )
        reviews = range(plan["start"] + 90, min(plan["end"], last) + 1, 182)
        if len(reviews):
            parts.append(
                "<Reviews>"
                + "".join(f"<CPPreviewDate>{day(r)}</CPPreviewDate>" for r in reviews)
                + "</Reviews>"
            )
        parts.append("</ChildProtectionPlans>")
    parts.append("</CINdetails>")
    return "".join(parts)


def write_return(
    path: str | Path,
    la_code: str = "831",
    year: int = 2025,
    children: int | None = None,
    seed: int = 0,
    previous: int = 0,
    source=None,
) -> list[Path]:
    """Simulate ``la_code`` (aimed at its published ``year``) and write the return of ``year``
    to ``path``, and the ``previous`` years' returns beside it (``<stem>-<year>.xml``).

    ``children`` scales the authority down to about that many children in the year's return
    (for small tests); None keeps its published size. Returns the paths, the latest first.
    """
    targets = Targets.published(la_code, year, source)
    if children is not None:
        scale = children / max(targets.referrals * 1.3, 1.0)
        targets.referrals *= scale
        targets.cin *= scale
        targets.cp *= scale
        targets.cp_starts *= scale
    years = list(range(year - previous, year + 1))
    history = simulate(la_code, years, seed=seed, targets=targets)
    path = Path(path)
    written = [write_history_return(history, path, year)]
    for older in reversed(years[:-1]):
        written.append(
            write_history_return(history, path.with_name(f"{path.stem}-{older}.xml"), older)
        )
    if children is not None:
        _trim(written[0], children)
    return written


def _trim(path: Path, children: int) -> None:
    """Keep the first ``children`` children of a small test return, so its size is exact."""
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition("<Children>\n")
    kids = rest.split("</Child>\n")[:-1]
    if len(kids) <= children:
        return
    body = "</Child>\n".join(kids[:children]) + "</Child>\n"
    path.write_text(f"{head}<Children>\n{body}</Children>\n</Message>\n", encoding="utf-8")

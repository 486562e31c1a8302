"""A plain implementation of cscbench's local census indicators, as an analyst would write it:
the whole XML tree loaded with ElementTree, rows built in Python, pandas for the counting.

It follows the definitions in ``cscbench.analyses.local`` (12-calendar-month re-referral
window, same-day duplicates once, NFA episodes not counted in need at 31 March, 730 days for
2 years) and is the baseline of the performance suite's local-census scale case; the tests
check that it gives the same numbers (tests/test_baseline.py).
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pandas as pd


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(node, name):
    for child in node:
        if _local(child.tag) == name:
            return (child.text or "").strip() or None
    return None


def _date(text):
    return dt.date.fromisoformat(text[:10]) if text else None


def read(path) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    """(header, episodes, plans) of one return, from the whole tree in memory."""
    root = ET.parse(path).getroot()
    header = {}
    episodes, plans = [], []
    for node in root.iter():
        tag = _local(node.tag)
        if tag == "Year":
            header["year"] = int(node.text)
        elif tag == "ReferenceDate":
            header["reference"] = _date(node.text)
        elif tag == "LEA":
            header["la"] = node.text.strip()
        elif tag == "Child":
            ids = next(c for c in node if _local(c.tag) == "ChildIdentifiers")
            child = _find(ids, "LAchildID")
            for details in (c for c in node if _local(c.tag) == "CINdetails"):
                referral = _date(_find(details, "CINreferralDate"))
                closure = _date(_find(details, "CINclosureDate"))
                nfa_text = _find(details, "ReferralNFA")
                nfa = None if nfa_text is None else nfa_text.lower() in ("true", "1")
                valid = referral is not None and (closure is None or closure >= referral)
                episodes.append((child, referral, closure, nfa, valid))
                for plan in (c for c in details if _local(c.tag) == "ChildProtectionPlans"):
                    start = _date(_find(plan, "CPPstartDate"))
                    end = _date(_find(plan, "CPPendDate"))
                    previous = _find(plan, "NumberOfPreviousCPP")
                    ok = start is not None and (end is None or end >= start)
                    plans.append(
                        (child, start, end, None if previous is None else int(previous), ok)
                    )
    return (
        header,
        pd.DataFrame(episodes, columns=["child", "referral", "closure", "nfa", "valid"]),
        pd.DataFrame(plans, columns=["child", "start", "end", "previous", "valid"]),
    )


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def indicators(path, previous=()) -> dict[str, tuple[float, float | None]]:
    """(numerator, denominator) per indicator, as cscbench's local_indicators."""
    header, episodes, plans = read(path)
    ref = header["reference"]
    start = dt.date(ref.year - 1, 4, 1)
    older = [read(p) for p in previous]
    every = pd.concat([episodes] + [o[1] for o in older])
    every = every[every["valid"]]
    refs = every.groupby(["child", "referral"], as_index=False)["nfa"].max()
    refs = refs.sort_values(["child", "referral"])
    refs["before"] = refs.groupby("child")["referral"].shift(1)
    year = refs[(refs["referral"] >= start) & (refs["referral"] <= ref)].copy()
    year["re"] = [
        b is not None and not pd.isna(b) and b >= _year_before(r)
        for r, b in zip(year["referral"], year["before"], strict=True)
    ]
    nfa_known = year[year["nfa"].notna()]
    mine = episodes[episodes["valid"]]
    open_cin = mine[
        (mine["referral"] <= ref)
        & (mine["closure"].isna() | (mine["closure"].map(lambda c: c is not None and c > ref)))
        & ~mine["nfa"].fillna(False).astype(bool)
    ]["child"].nunique()
    p = plans[plans["valid"] & plans["start"].map(lambda s: s <= ref)]
    is_open = p["end"].map(lambda e: e is None or pd.isna(e) or e > ref)
    open_plans = p[is_open]
    long_open = sum((ref - s).days >= 730 for s in open_plans["start"])
    ended = p[p["end"].map(lambda e: e is not None and not pd.isna(e) and start <= e <= ref)]
    long_ended = sum((e - s).days >= 730 for s, e in zip(ended["start"], ended["end"], strict=True))
    starting = p[p["start"].map(lambda s: start <= s <= ref)]
    all_plans = pd.concat([plans] + [o[2] for o in older])
    all_plans = all_plans[all_plans["valid"]].drop_duplicates(["child", "start"])
    first = all_plans.groupby("child")["start"].min()
    history = sum(s > first[c] for c, s in zip(starting["child"], starting["start"], strict=True))
    recorded = starting[starting["previous"].notna()]
    return {
        "referral_count": (len(year), None),
        "rereferral_pct": (int(year["re"].sum()), len(year)),
        "nfa_pct": (int(nfa_known["nfa"].astype(bool).sum()), len(nfa_known)),
        "cin_count": (open_cin, None),
        "cp_count": (open_plans["child"].nunique(), None),
        "cp_start_count": (len(starting), None),
        "cp_subsequent_pct": (int((recorded["previous"] >= 1).sum()), len(recorded)),
        "cp_subsequent_history_pct": (history, len(starting)),
        "cp_2yrs_pct": (long_open, len(open_plans)),
        "cp_ended_2yrs_pct": (long_ended, len(ended)),
    }

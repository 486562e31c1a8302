"""The performance suite: python benchmark/run.py [--cases a,b] [--repeat N] [--sample N]

Every case runs in a fresh process (so peak memory is its own), several times after a warm-up,
and reports the median and spread of its wall-clock time, its peak resident memory, and the
ratio of its median to its baseline's, measured in the same run. Results go to
benchmark/results.json and benchmark/results.md (which the README quotes). Timings are never
asserted in tests/: this is the place to look.

Cases (see benchmark/README.md): load, table, cold, pack, packs, packs_svg, packs_again,
packs_draw, scale, census, snapshot, local.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RAW = Path(os.environ.get("CSCBENCH_SHARED_DATA", ROOT.parent / "shared" / "data")) / "dfe"


# --- Work measured inside a fresh process ---------------------------------------------------------


def work(name: str):
    """The function one inner run times (imports are not timed; the first run is a warm-up)."""
    import polars as pl

    if name == "load_raw":
        from cscbench.datasets.loaders import read_raw

        return lambda: read_raw(RAW)
    if name == "load_raw_floor":
        files = sorted(RAW.glob("*.csv"))
        return lambda: [pl.read_csv(f, infer_schema=False) for f in files]
    if name == "load_snapshot":
        from cscbench.datasets.snapshot import scan_table

        return lambda: scan_table("indicators").collect()
    if name == "load_snapshot_floor":
        from cscbench.datasets.snapshot import SNAPSHOT_DIR

        return lambda: pl.read_parquet(SNAPSHOT_DIR / "indicators.parquet")
    if name == "table":
        from cscbench.analyses import benchmark_table
        from cscbench.datasets import load_indicators

        data = load_indicators()
        return lambda: benchmark_table(data=data)
    if name == "table_baseline":
        sys.path.insert(0, str(HERE))
        from baseline import baseline_table, to_pandas

        from cscbench.datasets import INDICATORS, load_indicators, load_neighbours

        data = to_pandas(load_indicators())
        neighbours = to_pandas(load_neighbours("sn2025"))
        registry = {k: (i.unit, i.polarity) for k, i in INDICATORS.items()}
        no_bands = frozenset(k for k, i in INDICATORS.items() if not i.quartiles)
        return lambda: baseline_table(data, neighbours, registry, no_bands=no_bands)
    if name.startswith("stream_"):
        sys.path.insert(0, str(HERE))
        from synthetic import replicate

        from cscbench.analyses import benchmark_table_parts
        from cscbench.datasets import load_areas, load_indicators, load_neighbours
        from cscbench.output import write_parts

        copies = int(name.split("_")[1])
        data, areas, neighbours = replicate(
            load_indicators(), load_areas(), load_neighbours(), copies
        )
        out = Path(tempfile.mkdtemp()) / "table.parquet"
        parts = dict(data=data, areas=areas, neighbours=neighbours)
        return lambda: write_parts(benchmark_table_parts(**parts), out)
    if name.startswith("scale_"):
        sys.path.insert(0, str(HERE))
        from synthetic import replicate

        from cscbench.analyses import benchmark_table
        from cscbench.datasets import load_areas, load_indicators, load_neighbours

        copies = int(name.split("_")[1])
        data, areas, neighbours = replicate(
            load_indicators(), load_areas(), load_neighbours(), copies
        )
        return lambda: benchmark_table(data=data, areas=areas, neighbours=neighbours)
    if name == "writers":
        return pack_writers()
    if name.startswith("census_"):
        folder = Path(os.environ["CSCBENCH_CENSUS_DIR"])
        returns = census_files(folder)
        if name == "census_ours":
            from cscbench.analyses.local import local_indicators, read_returns

            def ours():
                for files in returns:
                    census, earlier = read_returns(files[0], files[1:])
                    local_indicators(census, earlier, population_=100_000)

            return ours
        sys.path.insert(0, str(HERE))
        from census_baseline import indicators

        return lambda: [indicators(files[0], files[1:]) for files in returns]
    raise SystemExit(f"unknown inner case {name}")


def pack_writers():
    """Derby's pack made once (not timed); the run writes its Word document and workbook
    again from the same content, charts and specs, as :func:`cscbench.report.pack.write_pack`
    does."""
    from altair.utils.schemapi import debug_mode

    from cscbench.figures.render import spec
    from cscbench.report import pack_content, report
    from cscbench.report.word import write_document
    from cscbench.report.workbook import write_tables

    folder = report("Derby", out=Path(tempfile.mkdtemp()) / "derby")
    content = pack_content("Derby")
    with debug_mode(False):
        specs = {plan.stem: spec(plan.build()) for plan in content.charts()}
    out = Path(tempfile.mkdtemp())

    def run():
        write_tables(out, content.tables(), content.source, content)
        write_document(content, out / "report.docx", folder / "figures", specs)

    return run


CENSUS_YEARS = 10


def census_files(folder: Path) -> list[list[Path]]:
    """Per authority: its latest return, then the earlier ones."""
    out = []
    for path in sorted(folder.glob("*-latest.xml")):
        earlier = folder.glob(path.name.replace("-latest.xml", "-latest-*.xml"))
        out.append([path, *sorted(earlier, reverse=True)])
    return out


def make_census(folder: Path, authorities: int) -> int:
    """Synthetic returns, ten years each, for the first ``authorities`` authorities (each aimed
    at its own published figures); returns the number of episode records written."""
    from cscbench.datasets import load_areas
    from cscbench.datasets.synthetic_census import write_return

    folder.mkdir(parents=True, exist_ok=True)
    areas = load_areas().filter(pl_last_year_is(2025)).sort("la_code")["la_code"].to_list()
    chosen = (
        areas if authorities == 0 else areas[:: max(1, len(areas) // authorities)][:authorities]
    )
    episodes = 0
    for code in chosen:
        target = folder / f"{code}-latest.xml"
        if not target.exists():
            write_return(target, code, 2025, previous=CENSUS_YEARS - 1, seed=int(code))
        for path in [target, *folder.glob(f"{code}-latest-*.xml")]:
            episodes += path.read_text(encoding="utf-8").count("<CINdetails>")
    return episodes


def pl_last_year_is(year: int):
    import polars as pl

    return (pl.col("first_year") <= year) & (pl.col("last_year") >= year)


def inner(name: str, repeat: int, warmup: int) -> None:
    """Run one case in this process; print its times and peak memory as JSON."""
    run = work(name)
    for _ in range(warmup):
        run()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"times": times, "peak_mb": peak_mb}))


def in_process(name: str, repeat: int, warmup: int = 1) -> dict:
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--inner",
            name,
            "--repeat",
            str(repeat),
            "--warmup",
            str(warmup),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


#: In a command's arguments: a new, empty folder for each run (packs made again into the
#: same folder keep the charts they drew before, so a repeated run would not draw them).
FRESH = "{a fresh folder}"


def command(argv: list[str], repeat: int, warmup: int = 1) -> dict:
    """Time a whole command as a fresh process; peak memory is that process's own (wait4)."""
    scratch = tempfile.TemporaryDirectory()

    def fresh() -> list[str]:
        return [tempfile.mkdtemp(dir=scratch.name) if arg == FRESH else arg for arg in argv]

    for _ in range(warmup):
        subprocess.run(fresh(), capture_output=True, check=True)
    times, peak_kb = [], 0
    for _ in range(repeat):
        run = fresh()
        start = time.perf_counter()
        child = subprocess.Popen(run, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        times.append(time.perf_counter() - start)
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed with exit code {child.returncode}")
        peak_kb = max(peak_kb, usage.ru_maxrss)
    scratch.cleanup()
    return {"times": times, "peak_mb": peak_kb / 1024}


# --- Cases ----------------------------------------------------------------------------------------


def summary(result: dict) -> dict:
    times = result["times"]
    return {
        "median_s": statistics.median(times),
        "min_s": min(times),
        "max_s": max(times),
        "runs": len(times),
        "peak_mb": round(result["peak_mb"], 1),
    }


def compare(name: str, ours: dict, baseline: dict, baseline_name: str, target: str) -> dict:
    o, b = summary(ours), summary(baseline)
    return {
        "case": name,
        "ours": o,
        "baseline": {"name": baseline_name, **b},
        "ratio": o["median_s"] / b["median_s"],
        "target": target,
    }


def case_load(repeat: int, **_) -> list[dict]:
    return [
        compare(
            "1a. raw DfE files to the indicator frame",
            in_process("load_raw", repeat),
            in_process("load_raw_floor", repeat),
            "polars read_csv of the same files, no checks",
            "none set (the floor shows the cost of checking every row)",
        ),
        compare(
            "1b. snapshot to the indicator frame",
            in_process("load_snapshot", repeat),
            in_process("load_snapshot_floor", repeat),
            "polars read_parquet of the file",
            "none set",
        ),
    ]


def table_shape() -> tuple[int, int, int]:
    """(authorities, indicators, years) of the all-authority table, as the data hold them."""

    from cscbench.datasets import load_indicators

    la = load_indicators(geography=["la"])
    return tuple(la[c].n_unique() for c in ("la_code", "indicator", "year"))


def case_table(repeat: int, baseline_runs: int, **_) -> list[dict]:
    ours = in_process("table", repeat)
    base = in_process("table_baseline", baseline_runs, warmup=0)
    authorities, indicators, years = table_shape()
    result = compare(
        f"2. all-authority table ({authorities} x {indicators} x {years})",
        ours,
        base,
        f"pandas loops, scipy per interval, statsmodels per fit, all {indicators} indicators",
        "at least 20x faster than the baseline (equal to it to 1e-9: tests/test_baseline.py)",
    )
    result["speedup"] = 1 / result["ratio"]
    return [result]


def cscbench() -> list[str]:
    exe = Path(sys.executable).parent / "cscbench"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "cscbench.cli"]


def case_cold(repeat: int, **_) -> list[dict]:
    ours = command([*cscbench(), "benchmark", "Derby", "--format", "json"], repeat)
    floor = command([sys.executable, "-c", "import polars"], repeat)
    return [
        compare(
            "3. cold 'cscbench benchmark Derby --format json'",
            ours,
            floor,
            "python -c 'import polars'",
            "at most 2.5x the import polars floor",
        )
    ]


def case_pack(repeat: int, **_) -> list[dict]:
    """One pack with every theme, against the least time its charts take to draw: Derby's
    pack charts written as specs first (not timed), then only drawn (``pack_specs.py``)."""
    ours = command([*cscbench(), "report", "Derby", "--out", FRESH], repeat)
    script = str(HERE / "pack_specs.py")
    with tempfile.TemporaryDirectory() as tmp:
        specs = Path(tmp) / "specs"
        subprocess.run([sys.executable, script, "write", str(specs), "831"], check=True)
        charts = len(list(specs.glob("*/*.json")))
        floor = command([sys.executable, script, "draw", str(specs), FRESH], repeat)
    return [
        compare(
            f"4. one pack with every theme: 'cscbench report Derby' ({charts} charts, PNG and SVG)",
            ours,
            floor,
            f"drawing alone: Derby's {charts} charts from specs built before",
            f"under 5 s on {os.cpu_count()} cores",
        )
    ]


def case_writers(repeat: int, **_) -> list[dict]:
    """The Word document and workbook writers' part of one pack: the two writers run again on
    Derby's pack content (in process, charts drawn before), against the whole pack command."""
    writers = in_process("writers", repeat)
    pack = command([*cscbench(), "report", "Derby", "--out", FRESH], repeat)
    return [
        compare(
            "4. the Word document and workbook writers within one pack (Derby)",
            writers,
            pack,
            "the whole pack: 'cscbench report Derby'",
            "under 10% of the pack",
        )
    ]


def snapshot_bytes() -> int:
    """The size of the snapshot shipped inside the wheel (every file of its folder)."""
    from cscbench.datasets.snapshot import SNAPSHOT_DIR

    return sum(f.stat().st_size for f in Path(SNAPSHOT_DIR).rglob("*") if f.is_file())


def case_snapshot(**_) -> list[dict]:
    """Not a time: the shipped snapshot's size against the 10 MB budget."""
    mb = snapshot_bytes() / 1e6
    return [
        {
            "case": "9. shipped snapshot (src/cscbench/datasets/snapshot)",
            "size_mb": mb,
            "ratio": mb / 10,
            "target": "under 10 MB",
        }
    ]


def _chosen(sample: int) -> tuple[list[str], list[str]]:
    """(the sampled authorities' codes, all current authorities' codes): every
    ``len // sample``-th by code, or all with ``sample`` 0."""
    import polars as pl

    from cscbench.datasets import load_areas

    areas = load_areas().filter(pl.col("last_year") == pl.col("last_year").max())
    names = areas.sort("la_code")["la_code"].to_list()
    return (names[:: max(1, len(names) // sample)][:sample] if sample else names), names


def _packs(sample: int, png: bool, again: bool = False) -> dict:
    chosen, names = _chosen(sample)
    code = (
        "import sys; from cscbench.report import report_all; "
        f"report_all(sys.argv[1], authorities={chosen!r}, png={png!r})"
    )
    with tempfile.TemporaryDirectory() as tmp:  # again: made once untimed, then timed
        ours = command([sys.executable, "-c", code, tmp if again else FRESH], 1, int(again))
    floor = command([sys.executable, "-c", "import polars"], 3)
    drawn = "SVG and PNG" if png else "SVG only, --no-png"
    target = "all packs under 3 minutes" if png else "none set (the time without PNGs)"
    if again:
        drawn += ", made again into the same folders: every chart kept"
        target = "none set (the time of a run with nothing to draw)"
    result = compare(
        f"5. packs for {len(chosen)} of {len(names)} authorities on {os.cpu_count()} cores "
        f"({drawn})",
        ours,
        floor,
        "python -c 'import polars'",
        target,
    )
    result["extrapolated_all_s"] = summary(ours)["median_s"] * len(names) / len(chosen)
    return result


def case_packs(sample: int, **_) -> list[dict]:
    return [_packs(sample, png=True)]


def case_packs_svg(sample: int, **_) -> list[dict]:
    return [_packs(sample, png=False)]


def case_packs_again(sample: int, **_) -> list[dict]:
    return [_packs(sample, png=True, again=True)]


def case_packs_draw(sample: int, **_) -> list[dict]:
    """Drawing alone: the packs' specs are written first (not timed), then drawn by the warm
    drawing processes, one per core, with nothing else to do (``pack_specs.py``)."""
    chosen, names = _chosen(sample)
    script = str(HERE / "pack_specs.py")
    with tempfile.TemporaryDirectory() as tmp:
        specs = Path(tmp) / "specs"
        subprocess.run([sys.executable, script, "write", str(specs), *chosen], check=True)
        charts = len(list(specs.glob("*/*.json")))
        ours = command([sys.executable, script, "draw", str(specs), FRESH], 1, 0)
    floor = command([sys.executable, "-c", "import polars"], 3)
    result = compare(
        f"5. drawing alone: the {charts:,} charts of {len(chosen)} of {len(names)} packs "
        f"on {os.cpu_count()} cores (SVG and PNG; specs built before, not timed)",
        ours,
        floor,
        "python -c 'import polars'",
        "none set (the least time case 5 can take with this renderer)",
    )
    result["extrapolated_all_s"] = summary(ours)["median_s"] * len(names) / len(chosen)
    return [result]


def case_scale(repeat: int, **_) -> list[dict]:
    """The table held whole (``benchmark_table``), and streamed to parquet an indicator at a
    time (``write_parts(benchmark_table_parts(...))``), each against itself at 1x."""
    results = []
    for kind, what in (("scale", "held whole"), ("stream", "streamed to parquet by indicator")):
        one = in_process(f"{kind}_1", repeat)
        for copies in (10, 100):
            # at 100x one run without a warm-up: a run is a minute or more
            runs, warmup = (1, 0) if copies == 100 else (repeat, 1)
            big = in_process(f"{kind}_{copies}", runs, warmup)
            result = compare(
                f"6. all-authority table at {copies}x the authorities, {what}",
                big,
                one,
                "the same at 1x",
                "time at 100x at most 120x; peak under 2 GB",
            )
            results.append(result)
    return results


def case_census(repeat: int, census_authorities: int = 16, **_) -> list[dict]:
    folder = HERE / ".census" / f"{census_authorities or 'all'}"
    episodes = make_census(folder, census_authorities)
    os.environ["CSCBENCH_CENSUS_DIR"] = str(folder)
    runs = max(1, repeat // 2)
    ours = in_process("census_ours", runs, warmup=0)
    base = in_process("census_baseline", 1, warmup=0)
    n = census_authorities or 153
    result = compare(
        f"7. local census: {n} authorities x {CENSUS_YEARS} returns ({episodes:,} episodes)",
        ours,
        base,
        "ElementTree whole-tree parse, pandas",
        "all England (~7 million episodes) under 2 GB; time against the pandas baseline",
    )
    result["speedup"] = 1 / result["ratio"]
    result["episodes"] = episodes
    result["extrapolated_all_s"] = result["ours"]["median_s"] * 153 / n
    return [result]


CASES = {
    "load": case_load,
    "table": case_table,
    "cold": case_cold,
    "pack": case_pack,
    "writers": case_writers,
    "packs": case_packs,
    "packs_svg": case_packs_svg,
    "packs_again": case_packs_again,
    "packs_draw": case_packs_draw,
    "scale": case_scale,
    "census": case_census,
    "snapshot": case_snapshot,
    "local": lambda **kw: __import__("local_measures").case_local(**kw),  # local_measures.py
}


def markdown(results: list[dict], machine: str) -> str:
    lines = [
        f"Measured on {machine}.",
        "",
        "| Case | Ours: median (min-max) | Peak MB | Baseline: median | Ratio | Target |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        if "size_mb" in r:  # a size, not a time
            lines.append(
                f"| {r['case']} | {r['size_mb']:.2f} MB | | 10 MB (the budget) | "
                f"{r['ratio']:.2f}x | {r['target']} |"
            )
            continue
        o, b = r["ours"], r["baseline"]
        speedup = r.get("speedup")
        faster = "" if speedup is None else f" ({speedup:.{0 if speedup >= 10 else 1}f}x faster)"
        ratio = f"{r['ratio']:.2f}x{faster}"
        extra = f"; all: {r['extrapolated_all_s']:.0f} s" if "extrapolated_all_s" in r else ""
        lines.append(
            f"| {r['case']} | {o['median_s']:.3f} s ({o['min_s']:.3f}-{o['max_s']:.3f}, "
            f"{o['runs']} runs){extra} | {o['peak_mb']:.0f} | {b['median_s']:.3f} s "
            f"({b['name']}) | {ratio} | {r['target']} |"
        )
    return "\n".join(lines) + "\n"


def merged(results: list[dict], partial: bool) -> list[dict]:
    """A partial run replaces only its own cases' rows in the last results (by case, however
    its rows are worded), so the file stays whole."""
    path = HERE / "results.json"
    if not partial or not path.exists():
        return results
    ran = {r["suite_case"] for r in results}
    numbers = {r["case"].split(".")[0] for r in results}

    def replaced(old: dict) -> bool:
        if "suite_case" in old:
            return old["suite_case"] in ran
        return old["case"].split(".")[0] in numbers  # rows from before cases were named

    kept = [r for r in json.loads(path.read_text())["results"] if not replaced(r)]
    return sorted(kept + results, key=in_suite_order)


def in_suite_order(result: dict) -> tuple[str, int]:
    """Sort key: the case's number, then its place in CASES (keeps 5's three rows in order)."""
    order = list(CASES)
    case = result.get("suite_case")
    return result["case"].split(".")[0], order.index(case) if case in order else -1


def byte_compiled() -> None:
    """Byte-compile the cscbench package being measured, as pip does when it installs a
    wheel. A machine that sets ``PYTHONDONTWRITEBYTECODE`` (the benchmark machine does)
    otherwise compiles every cscbench module from source in every fresh process, 50 ms a
    command that no installed copy pays, while polars, the floor, is compiled already."""
    import compileall

    import cscbench

    compileall.compile_dir(Path(cscbench.__file__).parent, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--baseline-runs", type=int, default=1)
    parser.add_argument(
        "--sample",
        type=int,
        default=16,
        help="packs case: this many authorities, extrapolated (0: all)",
    )
    parser.add_argument(
        "--census-authorities",
        type=int,
        default=16,
        help="census case: this many authorities' ten years of returns (0: all 153)",
    )
    parser.add_argument("--inner")
    parser.add_argument("--warmup", type=int, default=1)
    args = parser.parse_args()
    if args.inner:
        inner(args.inner, args.repeat, args.warmup)
        return
    byte_compiled()
    results = []
    for name in args.cases.split(","):
        print(f"running {name} ...", file=sys.stderr, flush=True)
        results += [
            {**result, "suite_case": name}
            for result in CASES[name](
                repeat=args.repeat,
                baseline_runs=args.baseline_runs,
                sample=args.sample,
                census_authorities=args.census_authorities,
            )
        ]
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    results = merged(results, args.cases != ",".join(CASES))
    (HERE / "results.json").write_text(
        json.dumps({"machine": machine, "results": results}, indent=2) + "\n"
    )
    table = markdown(results, machine)
    (HERE / "results.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()

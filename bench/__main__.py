"""`python -m bench`: build (or reuse) the databases, measure, print one table, write the JSON.

    python -m bench [--sizes 1000,10000,100000] [--repeat 5] [--quick] [--only cold,move,...] [--out FILE]
                    [--profile DIR]

Read docs/performance.md for what each figure means; benchmarks are not tests (nothing asserts).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

from bench import cli_runs, cold_start, datasets, forecast, machine, memory, screens, stage_move, table, targets

MEASURES = ("cold", "move", "screens", "forecast", "memory", "report", "import")
DEFAULT_OUT = datasets.ROOT / "bench" / "results" / "latest.json"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="opportunities per database, comma-separated")
    parser.add_argument("--repeat", type=int, default=5, help="samples per measure (median reported; default 5)")
    parser.add_argument("--memory-repeat", type=int, default=None, help="samples of peak memory (default: repeat, at most 3)")
    parser.add_argument("--import-repeat", type=int, default=1, help="imports of the largest dataset (default 1)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 1,000 opportunities, one sample each")
    parser.add_argument("--only", default=",".join(MEASURES), help=f"a subset of: {', '.join(MEASURES)}")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the JSON (default bench/results/latest.json)")
    parser.add_argument("--profile", type=Path, default=None, metavar="DIR",
                        help="profile the UI thread of each screen operation with pyinstrument into DIR (slower)")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.repeat, args.import_repeat = "1000", 1, 1
    args.sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    args.only = [m.strip() for m in args.only.split(",") if m.strip()]
    unknown = set(args.only) - set(MEASURES)
    if unknown or not args.sizes or args.repeat < 1:
        parser.error(f"unknown measure(s) {sorted(unknown)}" if unknown else "need at least one size and --repeat ≥ 1")
    args.memory_repeat = args.memory_repeat or min(args.repeat, 3)
    return args


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def admin_login(db: Path) -> str:
    with sqlite3.connect(db) as con:
        row = con.execute("SELECT login FROM user WHERE role = 'admin' ORDER BY id LIMIT 1").fetchone()
    return row[0]


def measure_size(size: int, args: argparse.Namespace, errors: list[str]) -> dict:
    db = datasets.database(size, log=log)
    login = admin_login(db)
    out: dict = {"database": db.name, "login": login, "load_average_before": machine.load_average()}
    steps = [
        ("cold", "cold_start", lambda: cold_start.measure(str(db), login, args.repeat)),
        ("move", "stage_move", lambda: stage_move.measure(db, login, size, args.repeat)),
        ("screens", "screens", lambda: screens.measure(db, login, size, args.repeat)),
        ("forecast", "forecast", lambda: forecast.measure(db, login, size, args.repeat)),
        ("memory", "memory", lambda: memory.measure(db, login, size, args.memory_repeat)),
        ("report", "report_pipeline", lambda: cli_runs.report_pipeline(db, size, args.repeat)),
    ]
    if size == args.sizes[-1]:
        steps.append(("import", "import_csv", lambda: cli_runs.import_csv(db, size, args.import_repeat, log=log)))
    for measure, key, run in steps:
        if measure not in args.only:
            continue
        log(f"bench: {size:,} opportunities: {key.replace('_', ' ')} ...")
        started = time.perf_counter()
        try:
            out[key] = run()
        except Exception as error:  # one failed measure does not lose the others
            errors.append(f"{size}: {key}: {error}")
            out[key] = {"error": str(error)[-2000:], "trace": traceback.format_exc()[-3000:]}
        log(f"bench:   done in {time.perf_counter() - started:,.1f}s")
    out["load_average_after"] = machine.load_average()
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.profile:
        os.environ["PANTRY_BENCH_PROFILE"] = str(args.profile.resolve())
    started = datetime.now(timezone.utc)
    results: dict = {
        "date": started.isoformat(timespec="seconds"),
        "command": " ".join(["python -m bench", *(sys.argv[1:] if argv is None else argv)]),
        "machine": machine.describe(),
        "load_average_start": machine.load_average(),
        "dataset": {"seed": datasets.SEED, "as_of": datasets.AS_OF, "generator": "pantry demo"},
        "repeat": args.repeat,
        "sizes": {},
    }
    errors: list[str] = []
    for size in args.sizes:
        results["sizes"][str(size)] = measure_size(size, args, errors)
        results["errors"] = errors
        write(args.out, results)  # so far: a failure later does not lose what was measured
    results["load_average_end"] = machine.load_average()
    results["seconds"] = round((datetime.now(timezone.utc) - started).total_seconds(), 1)
    results["targets"] = targets.evaluate(results)
    results["table"] = table.render(results)
    write(args.out, results)
    print(results["table"])
    print()
    for check in results["targets"]:
        print(f"- {check['status']}: {check['target']} — {check['detail']}")
    print(f"\nwritten to {args.out}  (load average {results['load_average_start']} → {results['load_average_end']})")
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    return 1 if errors else 0


def write(path: Path, results: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(partial, path)


if __name__ == "__main__":
    sys.exit(main())

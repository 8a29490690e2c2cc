"""The command line at scale: `pantry report pipeline` at each size, and importing a whole dataset.

Both are whole processes (interpreter start-up included), timed by the parent; peak memory from
`wait4`. The import reads the CSV files `pantry export ENTITY --format csv` writes for every
entity of the dataset (exported once and cached beside the database) into an empty database
with `pantry import DIR --preset pantry`; a refusal or a failure is reported as such.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

from bench import proc
from bench.datasets import AS_OF, CACHE, remove, scratch
from bench.stats import ms, summary

PANTRY = [sys.executable, "-m", "cli.main"]


def report_pipeline(db: Path, size: int, repeat: int) -> dict:
    samples, rss = [], []
    with scratch(db, f"report-{size}.db") as copy:
        argv = [*PANTRY, "report", "pipeline", "--db", str(copy), "--as-of", AS_OF, "--format", "json"]
        for index in range(repeat + 1):
            run = proc.run(argv, timeout=900)
            if run.code != 0:
                raise proc.ChildFailed(f"pantry report pipeline exit {run.code}: {run.stderr.strip()[-1000:]}")
            if index:  # the first run warms the file cache
                samples.append(run.seconds)
                rss.append(run.max_rss_mb)
    return {"ms": summary(ms(samples), 1), "peak_rss_mb": summary(rss, 1)}


EXPORT = """
import sys
from pathlib import Path
from cli.main import main
from store.queries.importing import ENTITIES
db, folder = sys.argv[1], Path(sys.argv[2])
for entity in ENTITIES:
    code = main(["export", entity, "--format", "csv", "--out", str(folder / f"{entity}.csv"), "--db", db])
    if code:
        sys.exit(f"pantry export {entity}: exit {code}")
"""


def exported(db: Path, *, log=print) -> tuple[Path, float | None]:
    """The dataset as one CSV file per entity (cached); the export's seconds when it ran now.

    `pantry export ENTITY` for every entity, run in one interpreter (the command's own `main`)."""
    folder = db.with_name(db.stem + "-csv")
    if folder.is_dir():
        return folder, None
    partial = db.with_name(db.stem + "-csv.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    log(f"bench: exporting {db.name} as CSV (cached for later runs) ...")
    run = proc.run([sys.executable, "-c", EXPORT, str(db), str(partial)], timeout=3600)
    if run.code != 0:
        raise proc.ChildFailed(f"pantry export exit {run.code}: {run.stderr.strip()[-1000:]}")
    partial.rename(folder)
    return folder, run.seconds


def import_csv(db: Path, size: int, repeat: int, *, timeout: float = 3600.0, log=print) -> dict:
    folder, export_seconds = exported(db, log=log)
    result: dict = {"size": size, "files": len(list(folder.glob("*.csv"))), "csv_mb": round(_mb(folder), 1),
                    "export_s": None if export_seconds is None else round(export_seconds, 1)}
    samples, rss = [], []
    for _ in range(repeat):
        target = scratch_copy_empty(f"import-{size}.db")
        try:
            run = proc.run([*PANTRY, "import", str(folder), "--preset", "pantry", "--db", str(target)], timeout=timeout)
        finally:
            remove(target)
        if run.code != 0:
            result.update(ok=False, exit=run.code, seconds=round(run.seconds, 1), peak_rss_mb=run.max_rss_mb,
                          error=(run.stderr.strip() or run.stdout.strip())[-1500:])
            return result
        samples.append(run.seconds)
        rss.append(run.max_rss_mb)
        inserted = {name: int(n.replace(",", "")) for name, n in re.findall(r"^(\w+): inserted ([\d,]+)", run.stdout, re.M)}
        result.update(records_inserted=sum(inserted.values()), opportunities_inserted=inserted.get("opportunities"))
    result.update(ok=True, ms=summary(ms(samples), 0), peak_rss_mb=summary(rss, 1))
    return result


def scratch_copy_empty(name: str) -> Path:
    target = CACHE / "scratch" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    remove(target)
    return target


def _mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.glob("*.csv")) / 1e6


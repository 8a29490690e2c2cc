"""The benchmark databases: the demo dataset at each size, fixed seed and date, cached between runs.

A cached file is named for everything that decides its content (size, seed, date, and a digest of
the generator's and the migrations' source), so a change to either builds a fresh one. Each is
written under a temporary name by `pantry demo` in a subprocess and renamed when complete, so an
interrupted build never leaves a half-written cache behind.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("PANTRY_BENCH_CACHE") or ROOT / "bench" / ".cache")
SEED = 7
AS_OF = "2026-03-16"


def source_digest() -> str:
    digest = hashlib.sha256()
    for folder in ("store/demo", "store/migrations"):
        for path in sorted((ROOT / folder).glob("*.py")):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def database(size: int, *, log=print) -> Path:
    """The path of the demo database with `size` opportunities, generating it on first use."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"demo-{size}-seed{SEED}-{AS_OF}-{source_digest()}.db"
    forget_stale(size, keep=path)
    if path.exists():
        return path
    partial = path.with_name(path.name + ".partial")
    remove(partial)
    log(f"bench: generating {size:,} opportunities into {path.name} (cached for later runs) ...")
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", "demo", "--db", str(partial), "--seed", str(SEED),
         "--opportunities", str(size), "--as-of", AS_OF],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"pantry demo failed (exit {done.returncode}): {done.stderr.strip()[-2000:]}")
    checkpoint(partial)
    partial.rename(path)
    return path


def forget_stale(size: int, keep: Path) -> None:
    """Delete this size's databases (and CSV exports) built from older sources: they are never used again."""
    for old in CACHE.glob(f"demo-{size}-seed{SEED}-*"):
        if old.name.startswith(keep.stem):
            continue
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)


def checkpoint(path: Path) -> None:
    """Fold the WAL into the main file, so the database is one self-contained file to copy."""
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(path)) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for suffix in ("-wal", "-shm"):
        remove(path.with_name(path.name + suffix))


def scratch_copy(path: Path, name: str) -> Path:
    """A throwaway copy of a cached database (for measurements that write), replaced on each call."""
    target = CACHE / "scratch" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    remove(target)
    shutil.copyfile(path, target)
    return target


@contextmanager
def scratch(path: Path, name: str) -> Iterator[Path]:
    """A throwaway copy of a cached database for the duration of a `with` block, then deleted."""
    copy = scratch_copy(path, name)
    try:
        yield copy
    finally:
        remove(copy)


def remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        candidate = path.with_name(path.name + suffix)
        if candidate.exists():
            candidate.unlink()

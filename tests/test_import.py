"""`pantry import` / `pantry export`: the maven preset end to end, all or nothing, --skip-invalid,
--dry-run, idempotent re-import, BOM + CRLF input and the export -> import round trip."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from collections import Counter
from contextlib import redirect_stdout
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import ON_POSTGRES, wipe_postgres

import cli.main
from store.database import sqlite_url
from store.store import Store

ROOT = Path(__file__).resolve().parents[1]
MAVEN = ROOT.parent / "shared" / "data" / "maven_crm"
SMALL = Path(__file__).resolve().parent / "data" / "import" / "maven_small"



def pantry(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = cli.main.main([str(a) for a in argv])
    return code, out.getvalue()


def report(url: str, name: str):
    code, out = pantry("report", name, "--format", "json", "--db", url, "--as-of", "2017-12-31")
    assert code == 0, out
    return json.loads(out)


def counts(url: str) -> dict[str, int]:
    from store.queries.importing import ImportQueries

    with Store.open(url):
        return ImportQueries().counts()


def checksum(url: str) -> str:
    with Store.open(url) as store:
        digest = hashlib.sha256()
        for opp in store.opportunities.find():
            digest.update(opp.model_dump_json().encode())
        for change in store.stage_changes.find():
            digest.update(change.model_dump_json().encode())
        return digest.hexdigest()


def copy_small(tmp_path: Path) -> Path:
    target = tmp_path / "maven"
    shutil.copytree(SMALL, target)
    return target


def expected_figures(folder: Path):
    """Won/lost/open counts and values, per agent, straight from the CSV files."""
    with (folder / "sales_pipeline.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    won = [r for r in rows if r["deal_stage"] == "Won"]
    per_agent_count = Counter(r["sales_agent"] for r in won)
    per_agent_value = Counter()
    for r in won:
        per_agent_value[r["sales_agent"]] += Decimal(r["close_value"])
    return {
        "won_count": len(won),
        "won_value": sum(Decimal(r["close_value"]) for r in won),
        "lost_count": sum(1 for r in rows if r["deal_stage"] == "Lost"),
        "open_count": sum(1 for r in rows if r["deal_stage"] in ("Prospecting", "Engaging")),
        "total": len(rows),
    }, per_agent_count, per_agent_value


def assert_reports_agree(url: str, folder: Path) -> None:
    totals, agent_counts, agent_values = expected_figures(folder)
    pipeline = report(url, "pipeline")
    assert pipeline["total_opportunities"] == totals["total"]
    assert pipeline["won_count"] == totals["won_count"]
    assert Decimal(str(pipeline["won_value"])) == totals["won_value"]
    assert pipeline["lost_count"] == totals["lost_count"]
    assert pipeline["open_count"] == totals["open_count"]
    reps = {r["name"]: r for r in report(url, "reps")}
    for agent, count in agent_counts.items():
        assert reps[agent]["won_count"] == count, agent
        assert Decimal(str(reps[agent]["won_value"])) == agent_values[agent], agent


# -- the real dataset ------------------------------------------------------------------------


@pytest.mark.skipif(not (MAVEN / "sales_pipeline.csv").exists(), reason=f"the Maven dataset is not at {MAVEN}")
def test_maven_dataset_end_to_end_and_idempotent(database_url):
    code, out = pantry("import", MAVEN, "--preset", "maven", "--db", database_url)
    assert code == 0, out
    assert "opportunities: inserted 8,800" in out
    assert_reports_agree(database_url, MAVEN)
    with Store.open(database_url) as store:
        users = {u.display_name: u for u in store.users.find()}
        assert users["Moses Frase"].login == "moses.frase"
        assert users["Anna Snelling"].manager_id == users["Dustin Brinkmann"].id
        assert users["Dustin Brinkmann"].role.value == "manager"
        accounts = {a.name: a for a in store.accounts.find()}
        parented = [a for a in accounts.values() if a.parent_id]
        assert len(parented) == 15
        assert all(a.hq_country != "Philipines" for a in accounts.values())
        assert store.opportunities.count_where(account=None) == 1425
    before, sums = counts(database_url), checksum(database_url)
    code, out = pantry("import", MAVEN, "--preset", "maven", "--db", database_url)
    assert code == 0, out
    assert "nothing changed" in out
    assert counts(database_url) == before
    assert checksum(database_url) == sums


# -- small samples ---------------------------------------------------------------------------


def test_small_sample_agrees_with_reports(database_url, tmp_path):
    code, out = pantry("import", copy_small(tmp_path), "--preset", "maven", "--db", database_url)
    assert code == 0, out
    assert_reports_agree(database_url, SMALL)


def test_dry_run_writes_nothing(database_url, tmp_path):
    before = counts(database_url)
    code, out = pantry("import", copy_small(tmp_path), "--preset", "maven", "--dry-run", "--db", database_url)
    assert code == 0, out
    assert "would insert" in out and "dry run" in out
    assert counts(database_url) == before


def _break_last_row(folder: Path) -> int:
    path = folder / "sales_pipeline.csv"
    text = path.read_text(encoding="utf-8")
    text += "ZZZZ0001,Anna Snelling,GTX Basic,Bioholding,Won,2017-05-01,2017-04-01,abc\n"
    path.write_text(text, encoding="utf-8")
    return text.count("\n")


def test_invalid_last_row_writes_nothing(database_url, tmp_path):
    folder = copy_small(tmp_path)
    last_line = _break_last_row(folder)
    before = counts(database_url)
    code, out = pantry("import", folder, "--preset", "maven", "--db", database_url)
    assert code == 1
    assert f"sales_pipeline.csv:{last_line}: close_date: before the engage date 2017-05-01" in out
    assert "nothing was written" in out
    assert counts(database_url) == before


def test_skip_invalid_writes_valid_rows_and_rejected_csv(database_url, tmp_path):
    folder = copy_small(tmp_path)
    last_line = _break_last_row(folder)
    rejected = tmp_path / "rejected.csv"
    code, out = pantry("import", folder, "--preset", "maven", "--skip-invalid", "--rejected", rejected,
                       "--db", database_url)
    assert code == 0, out
    assert counts(database_url)["opportunities"] == last_line - 2  # header and the rejected row
    with rejected.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["file"], int(r["line"])) for r in rows] == [("sales_pipeline.csv", last_line)]
    assert "close_date" in rows[0]["problems"] and rows[0]["row"].startswith("ZZZZ0001,")


def test_bad_reference_is_reported_with_line(database_url, tmp_path):
    folder = copy_small(tmp_path)
    path = folder / "sales_pipeline.csv"
    path.write_text(path.read_text() + "ZZZZ0002,Nobody Here,GTX Basic,,Prospecting,,,\n")
    code, out = pantry("import", folder, "--preset", "maven", "--db", database_url)
    assert code == 1
    assert "sales_pipeline.csv:20: sales_agent: unknown or rejected user 'Nobody Here'" in out


def test_bom_and_crlf_input(database_url, tmp_path):
    folder = copy_small(tmp_path)
    for path in folder.glob("*.csv"):
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    code, out = pantry("import", folder, "--preset", "maven", "--db", database_url)
    assert code == 0, out
    assert_reports_agree(database_url, SMALL)


def test_export_import_round_trip(database_url, tmp_path):
    code, out = pantry("import", copy_small(tmp_path), "--preset", "maven", "--db", database_url)
    assert code == 0, out
    first_pipeline, first_reps = report(database_url, "pipeline"), report(database_url, "reps")
    exported = tmp_path / "export"
    exported.mkdir()
    from store.queries.importing import ENTITIES

    for index, entity in enumerate(ENTITIES):
        fmt = "json" if index % 2 else "csv"
        code, out = pantry("export", entity, "--format", fmt, "--out", exported / f"{entity}.{fmt}",
                           "--db", database_url)
        assert code == 0, out
    sums = checksum(database_url)
    if ON_POSTGRES:
        wipe_postgres(database_url)
        target = database_url
    else:
        target = sqlite_url(tmp_path / "copy.db")
    code, out = pantry("import", exported, "--preset", "pantry", "--db", target)
    assert code == 0, out
    assert report(target, "pipeline") == first_pipeline
    assert report(target, "reps") == first_reps
    assert checksum(target) == sums
    code, out = pantry("import", exported, "--preset", "pantry", "--db", target)
    assert code == 0 and "nothing changed" in out

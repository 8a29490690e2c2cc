"""Stage history files: Salesforce OpportunityHistory and `pipeline_trending.csv`-style snapshots
(`OpportunityId`, `StageName`, `ValidFromDate` or `CreatedDate`, `Amount`, `Probability`).

Each row says a deal was in a stage from a moment on, with the amount (and probability) it had
then. In time order, each row whose stage differs from the one before is a stage change carrying
that row's own amount and probability (the stage's when the file has none) — never the deal's
later values. Rows about deals that are not in the files are reported once per file, not imported.
"""

from __future__ import annotations

from collections import defaultdict

from domain.importing.crm import Columns, Reader, Row
from domain.importing.csvfile import CsvFile
from domain.importing.values import parse_money, parse_when
from domain.money import MoneyError
from domain.pipeline import PipelineConfig

POINT_COLUMN = "history"


class Snapshots(dict):
    """opportunity id -> [(when, stage id, column, value cents or None, probability or None)]; and,
    per file, how many rows it had (to report those no deal took)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, dict[str, int]] = defaultdict(dict)  # file -> opportunity id -> rows


def snapshots(reader: Reader, history_files: list[tuple[CsvFile, Columns]], pipeline: PipelineConfig) -> Snapshots:
    plan, mapping = reader.plan, reader.mapping
    out = Snapshots()
    for csv_file, columns in history_files:
        counts = out.rows[csv_file.name]
        for source in csv_file.rows:
            row = Row(source, columns)
            opportunity = row.get("opportunity")
            if not opportunity:
                plan.reject(source, row.col["opportunity"], "blank")
                continue
            counts[opportunity] = counts.get(opportunity, 0) + 1
            when = parse_when(row.get("when"))
            if when is None:
                plan.reject(source, row.col["when"], f"not a date: {row.get('when')!r}")
                continue
            stage_name = row.get("stage")
            stage_id = mapping.stage_for(stage_name)
            if stage_id is None or not pipeline.has(stage_id):
                plan.reject(source, row.col["stage"], f"unknown stage {stage_name!r} (map it in the mapping's [stages] table)")
                continue
            value = probability = None
            if row.get("amount"):
                try:
                    value = parse_money(row.get("amount"))
                except MoneyError as exc:
                    plan.reject(source, row.col["amount"], str(exc))
                    continue
            if row.get("probability"):
                try:
                    probability = round(float(row.get("probability").rstrip("%")))
                except (ValueError, OverflowError):
                    probability = None
                if probability is None or not 0 <= probability <= 100:
                    plan.reject(source, row.col["probability"], f"not a probability 0-100: {row.get('probability')!r}")
                    continue
            out.setdefault(opportunity, []).append((when, stage_id, row.col["stage"], value, probability))
    return out


def unused(reader: Reader, found: Snapshots) -> None:
    """After the deals took theirs: a note per file of the rows about deals not in the files."""
    for file_name, counts in found.rows.items():
        left = {opp: n for opp, n in counts.items() if opp in found}
        if left:
            reader.plan.notes.append(
                f"{file_name}: {sum(left.values()):,} rows about {len(left):,} deals that are not in the files "
                "(nor their stage changes): not imported")
            reader.plan.unread[file_name] = reader.plan.unread.get(file_name, 0) + sum(left.values())
        # the rows the deals took: counted again after the deals are checked (runner: a rejected deal's)
        reader.plan.part_rows[file_name] = {opp: n for opp, n in counts.items() if opp not in found}

"""`pantry import` / `pantry export`: CSV sources -> validated records -> one transaction.

    csvfile   reading CSV (UTF-8 with or without BOM, CRLF or LF, quoted fields, a header row)
    plan      staged records with their source rows and cross-references (keys, not ids)
    presets   maven (the Maven Analytics four-file dataset), pantry (this program's own export)
    runner    resolve keys against the database, all-or-nothing / --skip-invalid, write
    export    every entity as CSV or JSON, in the form the `pantry` preset reads back

The domain never imports the store: the runner is given the store's `ImportQueries` object.
"""

from domain.importing.plan import Plan, Problem, SourceRow
from domain.importing.runner import ImportResult, run_import

__all__ = ["ImportResult", "Plan", "Problem", "SourceRow", "run_import"]

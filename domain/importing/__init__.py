"""`pantry import` / `pantry export`: CSV sources -> validated records -> one transaction.

    csvfile      reading CSV (UTF-8 with or without BOM, CRLF or LF, quoted fields, a header row)
    values, keys reading source values (dates, money, durations); the keys records are matched on
    plan         staged records with their source rows and cross-references (keys, not ids)
    presets      maven (the Maven Analytics four-file dataset); crm (+ crm_columns, crm_people,
                 crm_activities): hubspot and salesforce exports; native: `pantry export` files
    resolve      references that must lead somewhere; near-duplicates
    access       who may import what (domain/permissions.py applied to rows)
    apply        the write pass: match, insert, update (audited), check roles
    runner       build, resolve, write in one transaction — rolled back on any problem or a dry run
    export       every entity as CSV or JSON, in the form the `pantry` preset reads back

The domain never imports the store: the runner is given the store's `ImportQueries` object.
"""

from domain.importing.plan import Plan, Problem, SourceRow
from domain.importing.runner import ImportResult, run_import

__all__ = ["ImportResult", "Plan", "Problem", "SourceRow", "run_import"]

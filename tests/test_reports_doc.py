"""docs/reports.md names every JSON key every report produces (on the demo data)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from domain.reports.base import ReportParams
from domain.reports.registry import REPORTS
from tests.tui_support import DEMO_TODAY, demo_database, make_session

DOC = (Path(__file__).resolve().parent.parent / "docs" / "reports.md").read_text()


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    return make_session(demo_database(tmp_path_factory))


@pytest.mark.parametrize("kind", REPORTS, ids=lambda k: k.name)
def test_every_report_key_is_documented(session, kind):
    data = kind.build(session, ReportParams(as_of=DEMO_TODAY)).data
    objects = data if isinstance(data, list) else [data]
    assert objects, f"{kind.name}: no data on the demo database"
    # `key`, `key[]` (a list) or `key.{…}` (an object) all name the key
    missing = sorted({key for obj in objects for key in obj if not re.search(rf"`{re.escape(key)}[`\[.]", DOC)})
    assert not missing, f"{kind.name}: keys not in docs/reports.md: {missing}"
    assert f"`{kind.name}`" in DOC

"""The pipeline lives in the database: versioned, audited, set by admins, the same for every process.

Run on SQLite, and on PostgreSQL when PANTRY_TEST_DATABASE_URL is set (the `database_url` fixture).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli.main import main
from domain.clock import FixedClock
from domain.enums import Role
from domain.errors import Refused
from domain.events import DataChanged
from domain.pipeline import DEFAULT_PIPELINE, DEFAULT_PIPELINE_FILE, PipelineConfigError
from domain.records import User
from domain.services.pipeline_versions import PipelineFile, PipelineVersions
from domain.session import Session
from store.store import Store
from tests.conftest import NOW
from tests.db_digest import digest

DEFAULT_TEXT = DEFAULT_PIPELINE_FILE.read_text()
RENAMED = DEFAULT_TEXT.replace('name = "Discovery"', 'name = "First contact"')


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def team(database_url) -> str:
    """A database with an admin, a manager and a rep (no pipeline stored yet)."""
    with Store.open(database_url) as store:
        ada = store.users.insert(User(login="ada", display_name="Ada Admin", role=Role.ADMIN, created_at=NOW))
        mia = store.users.insert(User(login="mia", display_name="Mia", role=Role.MANAGER, created_at=NOW, manager_id=ada.id))
        store.users.insert(User(login="ray", display_name="Ray", role=Role.REP, created_at=NOW, manager_id=mia.id))
    return database_url


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- the first open stores version 1 ---------------------------------------------------------------


def test_the_first_open_stores_the_shipped_default_as_version_1(team, capsys):
    code, out, err = run(capsys, "pipeline", "show", "--format", "toml", "--db", team, "--as", "ray")
    assert code == 0, err
    assert out == DEFAULT_TEXT  # the file as shipped, comments and all
    code, out, _ = run(capsys, "pipeline", "history", "--format", "json", "--db", team)
    [first] = json.loads(out)
    assert (first["version"], first["set_by"], first["in_force"]) == (1, "ray", True)  # who opened it first
    # where the database starts, like its schema: the audit log records changes, from version 2 on
    code, out, _ = run(capsys, "audit", "--table", "pipeline_version", "--format", "json", "--db", team, "--as", "ada")
    assert json.loads(out) == []


def test_a_pipeline_file_seeds_a_new_database_and_is_refused_on_one_that_differs(team, tmp_path, capsys):
    custom = write(tmp_path, "custom.toml", RENAMED)
    code, out, err = run(capsys, "stats", "--db", team, "--as", "ray", "--pipeline", custom)
    assert code == 0, err
    assert run(capsys, "pipeline", "show", "--format", "toml", "--db", team)[1] == RENAMED
    # the same file again: it agrees with the database, fine
    assert run(capsys, "stats", "--db", team, "--pipeline", custom)[0] == 0
    # another file: refused, nothing written, the way to change it named
    before = digest(team)
    code, out, err = run(capsys, "stats", "--db", team, "--pipeline", DEFAULT_PIPELINE_FILE)
    assert code == 1 and out == ""
    assert err.startswith(f"pantry: --pipeline: {DEFAULT_PIPELINE_FILE} differs from the pipeline stored in this "
                          "database (version 1, set by ray on ")
    assert f"an admin runs `pantry pipeline set {DEFAULT_PIPELINE_FILE}`" in err
    assert digest(team) == before


def test_two_processes_with_different_files_read_the_same_pipeline(team, tmp_path, capsys):
    """The bug the stored pipeline fixes: a file per process made the same rows read differently."""
    custom = write(tmp_path, "custom.toml", RENAMED)
    assert run(capsys, "pipeline", "show", "--db", team)[0] == 0  # the first process: the default, stored
    assert run(capsys, "stats", "--db", team, "--pipeline", custom)[0] == 1  # the second cannot bring its own
    out = run(capsys, "stats", "--format", "json", "--db", team)[1]
    assert [s["name"] for s in json.loads(out)["stages"]][0] == "Discovery"


def test_the_settings_pipeline_is_named_when_it_differs(team, tmp_path, capsys, monkeypatch):
    custom = write(tmp_path, "custom.toml", RENAMED)
    assert run(capsys, "pipeline", "show", "--db", team)[0] == 0
    monkeypatch.setenv("PANTRY_PIPELINE", str(custom))
    code, _, err = run(capsys, "list", "users", "--db", team)
    assert code == 1 and err.startswith(f"pantry: PANTRY_PIPELINE: {custom} differs from the pipeline stored")
    # the pipeline commands still work, on the stored one
    code, out, _ = run(capsys, "pipeline", "show", "--db", team)
    assert code == 0 and "1. Discovery [discovery]" in out


# -- pantry pipeline set ---------------------------------------------------------------------------


def test_an_admin_sets_the_next_version_and_show_round_trips(team, tmp_path, capsys):
    assert run(capsys, "pipeline", "show", "--format", "toml", "--db", team)[0] == 0
    edited = write(tmp_path, "edited.toml", RENAMED)
    code, out, err = run(capsys, "pipeline", "set", edited, "--db", team, "--as", "ada")
    assert code == 0, err
    assert out == f"stored {edited} as pipeline version 2; running sessions switch to it\n"
    exported = write(tmp_path, "exported.toml", run(capsys, "pipeline", "show", "--format", "toml", "--db", team)[1])
    assert exported.read_text() == RENAMED
    before = digest(team)
    code, out, _ = run(capsys, "pipeline", "set", exported, "--db", team, "--as", "ada")
    assert code == 0 and out.startswith(f"unchanged: {exported} is the pipeline in force (version 2)")
    assert digest(team) == before
    code, out, _ = run(capsys, "pipeline", "show", "--db", team)
    assert out.startswith("version 2, set by ada on ") and "1. First contact [discovery]" in out
    shown = json.loads(run(capsys, "pipeline", "show", "--format", "json", "--db", team)[1])
    assert shown["version"] == 2 and shown["stages"][0]["name"] == "First contact"
    old = run(capsys, "pipeline", "show", "1", "--format", "toml", "--db", team)[1]
    assert old == DEFAULT_TEXT
    code, _, err = run(capsys, "pipeline", "show", "3", "--db", team)
    assert code == 1 and err == "pantry: no pipeline version 3 (`pantry pipeline history` lists them)\n"
    history = json.loads(run(capsys, "pipeline", "history", "--format", "json", "--db", team)[1])
    assert [(h["version"], h["set_by"], h["in_force"]) for h in history] == [(2, "ada", True), (1, "anonymous", False)]
    audit = json.loads(run(capsys, "audit", "--table", "pipeline_version", "--format", "json", "--db", team,
                           "--as", "ada")[1])
    assert [(a["actor"], a["action"], a["new_value"]) for a in audit] == [("ada", "create", f"version 2 from {edited}")]
    table = run(capsys, "pipeline", "history", "--db", team)[1]
    assert re.search(r"^\s+2 \*\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+ada\s+First contact → Qualification", table, re.M)


@pytest.mark.parametrize(("who", "allowed"), [("ray", False), ("mia", False), ("ada", True)])
def test_only_an_admin_sets_the_pipeline(team, tmp_path, capsys, who, allowed):
    assert run(capsys, "pipeline", "show", "--db", team)[0] == 0
    before = digest(team)
    code, out, err = run(capsys, "pipeline", "set", write(tmp_path, "p.toml", RENAMED), "--db", team, "--as", who)
    assert (code == 0) is allowed
    if not allowed:
        role = {"ray": "rep", "mia": "manager"}[who]
        assert err == f"pantry: {who} ({role}) cannot change the pipeline: only an admin can\n"
        assert digest(team) == before
    # everyone reads the pipeline in force
    assert run(capsys, "pipeline", "show", "--db", team, "--as", who)[0] == 0
    assert run(capsys, "pipeline", "history", "--db", team, "--as", who)[0] == 0


def test_an_invalid_file_is_refused_whole_with_every_problem(team, tmp_path, capsys):
    assert run(capsys, "pipeline", "show", "--db", team)[0] == 0
    bad = write(tmp_path, "bad.toml", DEFAULT_TEXT.replace("probability = 60", "probability = 160")
                .replace('type = "products_selected"', 'type = "products_choosen"', 1))
    before = digest(team)
    code, out, err = run(capsys, "pipeline", "set", bad, "--db", team, "--as", "ada")
    assert code == 1 and out == ""
    assert err.splitlines() == [
        "pantry: invalid pipeline configuration",
        f"{bad}: stages[proposal].probability: Input should be less than or equal to 100",
        f"{bad}: stages[proposal].requirements[0]: unknown type 'products_choosen': Input tag 'products_choosen' "
        "found using 'type' does not match any of the expected tags: 'activity_completed', 'field_populated', "
        "'minimum_value', 'products_selected'",
    ]
    assert digest(team) == before
    code, _, err = run(capsys, "pipeline", "set", tmp_path / "missing.toml", "--db", team, "--as", "ada")
    assert code == 1 and "cannot read" in err and digest(team) == before


def test_a_stage_that_holds_deals_may_not_disappear(team, tmp_path, capsys):
    with Store.open(team) as store:
        ray = store.user_by_login("ray")
        from domain.records import Opportunity

        for _ in range(2):
            store.opportunities.insert(Opportunity(
                name="Deal", stage="negotiation", probability=80, value_cents=100, owner_id=ray.id,
                started_on=NOW.date(), expected_close_date=NOW.date(), stage_entered_at=NOW, created_at=NOW,
                updated_at=NOW))
    assert run(capsys, "pipeline", "show", "--db", team)[0] == 0
    start = DEFAULT_TEXT.index('[[stages]]\nid = "negotiation"')
    end = DEFAULT_TEXT.index("[[stages]]", start + 1)
    without = DEFAULT_TEXT[:start] + DEFAULT_TEXT[end:]
    before = digest(team)
    code, _, err = run(capsys, "pipeline", "set", write(tmp_path, "w.toml", without), "--db", team, "--as", "ada")
    assert code == 1
    assert "stages: stage 'negotiation' holds 2 opportunities; keep the stage (or move those deals first)" in err
    assert digest(team) == before


_NUMBER = re.compile(r"\b\d+\b")


@given(data=st.data())
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_edit_is_stored_or_refused_with_nothing_written(team, tmp_path, capsys, data):
    """Change one number or drop one line of the default file: `pipeline set` stores a version, says it is
    unchanged, or refuses with the file named; a refusal leaves the database as it was."""
    lines = DEFAULT_TEXT.splitlines(keepends=True)
    index = data.draw(st.integers(0, len(lines) - 1))
    if data.draw(st.booleans()) and _NUMBER.search(lines[index]):
        lines[index] = _NUMBER.sub(str(data.draw(st.integers(-5, 500))), lines[index], count=1)
    else:
        del lines[index]
    path = write(tmp_path, "edit.toml", "".join(lines))
    assert run(capsys, "pipeline", "show", "--db", team)[0] == 0
    versions = len(json.loads(run(capsys, "pipeline", "history", "--format", "json", "--db", team)[1]))
    before = digest(team)
    code, out, err = run(capsys, "pipeline", "set", path, "--db", team, "--as", "ada")
    after = len(json.loads(run(capsys, "pipeline", "history", "--format", "json", "--db", team)[1]))
    assert "Traceback" not in err
    if code == 0 and out.startswith("stored"):
        assert after == versions + 1
    else:
        assert (code == 0 and out.startswith("unchanged")) or (code == 1 and str(path) in err), err
        assert digest(team) == before


# -- the service, and a change reaching a session ----------------------------------------------------


def test_setting_it_swaps_this_sessions_pipeline_and_announces_it_once(team):
    with Store.open(team) as store:
        here = Session(store=store, clock=FixedClock(NOW), pipeline=DEFAULT_PIPELINE, actor=store.user_by_login("ada"))
        PipelineVersions(here).start(None)
        heard = []
        here.bus.subscribe(lambda event: heard.append((event.kinds, event.external)))
        saved = PipelineVersions(here).set(PipelineFile("renamed.toml", RENAMED, "renamed.toml"))
        assert saved.number == 2 and here.pipeline_version == 2
        assert here.pipeline.stage("discovery").name == "First contact"
        assert heard == [(frozenset({"pipeline"}), False)]
        assert PipelineVersions(here).set(PipelineFile("renamed.toml", RENAMED, "renamed.toml")) is None
        assert len(heard) == 1  # unchanged: nothing written, nothing announced


def test_a_version_set_by_another_process_reaches_this_session_on_the_next_change(team, tmp_path):
    """What the TUI does when another process sets the pipeline: the change watcher publishes an external
    change; the session reads the new version before its other subscribers hear of it."""
    path = write(tmp_path, "renamed.toml", RENAMED)
    with Store.open(team) as store:
        there = Session(store=store, clock=FixedClock(NOW), pipeline=DEFAULT_PIPELINE, actor=None)
        PipelineVersions(there).start(None)
        seen = []
        there.bus.subscribe(lambda event: seen.append(there.pipeline.stage("discovery").name))
        env = {**os.environ, "PYTHONPATH": os.getcwd()}
        subprocess.run([sys.executable, "-m", "cli", "pipeline", "set", str(path), "--db", team, "--as", "ada"],
                       check=True, env=env, capture_output=True, timeout=60)
        assert there.pipeline_version == 1
        there.bus.publish(DataChanged(kinds=frozenset({"opportunity"}), external=True))  # not the pipeline: no read
        assert there.pipeline_version == 1
        there.bus.publish(DataChanged(kinds=frozenset(), external=True))  # SQLite's watcher: "something changed"
        assert seen == ["Discovery", "First contact"] and there.pipeline_version == 2


def test_a_session_without_a_stored_pipeline_never_reloads(store, clock):
    session = Session(store=store, clock=clock, pipeline=DEFAULT_PIPELINE, actor=None)
    session.bus.publish(DataChanged(kinds=frozenset(), external=True))
    assert session.pipeline is DEFAULT_PIPELINE and session.pipeline_version == 0


def test_a_stored_version_this_program_cannot_read_is_refused_on_open(team, capsys):
    with Store.open(team) as store:
        store.pipeline_versions.insert(__import__("domain.records", fromlist=["PipelineVersion"]).PipelineVersion(
            number=1, toml="stages = 3\n", created_by="future", created_at=NOW))
    code, _, err = run(capsys, "stats", "--db", team)
    assert code == 1 and "pipeline version 1: stages: Input should be a valid tuple" in err


def test_the_refusals_name_no_store(team):
    with Store.open(team) as store:
        session = Session(store=store, clock=FixedClock(NOW), pipeline=DEFAULT_PIPELINE, actor=None)
        with pytest.raises(Refused, match="no pipeline stored yet"):
            PipelineVersions(session).current()
        PipelineVersions(session).start(None)
        with pytest.raises(Refused, match="no Pantry user"):
            PipelineVersions(session).set(PipelineFile("x.toml", RENAMED, "x.toml"))
        with pytest.raises(PipelineConfigError):
            PipelineVersions(session).start(PipelineFile("bad.toml", "stages = [", "--pipeline"))

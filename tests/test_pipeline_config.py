"""The pipeline configuration: the shipped default, and refusals that name the file, the key and the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.main import main
from domain.pipeline import (
    DEFAULT_PIPELINE,
    DEFAULT_PIPELINE_FILE,
    PipelineConfigError,
    load_pipeline,
)
from domain.pipeline.config import parse_pipeline
from domain.pipeline.rules import parse_offset_days

DEFAULT_TEXT = DEFAULT_PIPELINE_FILE.read_text()


def test_default_pipeline_follows_the_seed():
    assert [(s.id, s.order, s.probability) for s in DEFAULT_PIPELINE.stages] == [
        ("discovery", 1, 20), ("qualification", 2, 40), ("proposal", 3, 60),
        ("negotiation", 4, 80), ("closed_won", 5, 100), ("closed_lost", 6, 0),
    ]
    qualification = DEFAULT_PIPELINE.stage("qualification")
    assert {r.type for r in qualification.requirements} == {"activity_completed", "field_populated"}
    assert {r.type for r in DEFAULT_PIPELINE.stage("proposal").requirements} == {"products_selected"}
    assert {r.type for r in DEFAULT_PIPELINE.stage("closed_won").requirements} == {"products_selected", "minimum_value"}
    triggers = {a.trigger.value for s in DEFAULT_PIPELINE.stages for a in s.automations}
    actions = {a.action for s in DEFAULT_PIPELINE.stages for a in s.automations}
    assert triggers == {"stage_entered", "stage_duration_exceeded", "stage_requirements_met"}
    assert actions == {"create_task", "send_email", "schedule_meeting", "update_field", "notify_manager"}


@pytest.mark.parametrize(
    ("change", "key", "reason"),
    [
        (('type = "products_selected"', 'type = "products_choosen"'), "stages[proposal].requirements[0]", "unknown type 'products_choosen'"),
        (("probability = 40", "probability = 140"), "stages[qualification].probability", "less than or equal to 100"),
        (("probability = 20", "probability = -1"), "stages[discovery].probability", "greater than or equal to 0"),
        (("order = 2", "order = 1"), "stages", "duplicate order 1 (discovery and qualification)"),
        (('parameters = { message = "Deal entered negotiation" }', "parameters = { }"),
         "stages[negotiation].automations[0].parameters.message", "Field required"),
        (('title = "Send the proposal", ', ""), "stages[proposal].automations[0].parameters.title", "Field required"),
        (('due = "+3 days"', 'due = "in three days"'), "stages[discovery].automations[0].parameters.due", "expected an offset"),
        (('field = "budget"', 'field = "budjet"'), "stages[qualification].requirements[1].field", "unknown opportunity field 'budjet'"),
        (('action = "create_task"', 'action = "fax_customer"'), "stages[discovery].automations[0]", "unknown type 'fax_customer'"),
        (('field = "next_step", value', 'field = "probability", value'),
         "stages[discovery].automations[2].parameters.field", "not in update_field_allowed"),
    ],
)
def test_invalid_configuration_names_file_key_and_reason(tmp_path, change, key, reason):
    old, new = change
    assert old in DEFAULT_TEXT
    path = tmp_path / "pipeline.toml"
    path.write_text(DEFAULT_TEXT.replace(old, new, 1))
    with pytest.raises(PipelineConfigError) as caught:
        load_pipeline(path)
    message = str(caught.value)
    assert f"{path}: {key}: " in message and reason in message, message


def test_not_toml_and_missing_file(tmp_path):
    with pytest.raises(PipelineConfigError, match="not valid TOML"):
        parse_pipeline("stages = [", Path("broken.toml"))
    with pytest.raises(PipelineConfigError, match="cannot read"):
        load_pipeline(tmp_path / "nope.toml")


def test_offsets():
    assert parse_offset_days("+3 days") == 3
    assert parse_offset_days("+1 day") == 1
    assert parse_offset_days("+2 weeks") == 14
    with pytest.raises(ValueError):
        parse_offset_days("3 days")


def test_pipeline_show_prints_the_active_configuration(capsys):
    assert main(["pipeline", "show"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("version 1, set by ")
    assert "2. Qualification [qualification] open · 40%" in out
    assert "requires activity_completed call" in out and "requires field_populated budget" in out


def test_a_bad_pipeline_file_is_refused_at_start_up(tmp_path, capsys):
    path = tmp_path / "p.toml"
    path.write_text(DEFAULT_TEXT.replace("probability = 60", "probability = 160"))
    assert main(["pipeline", "show", "--pipeline", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}: stages[proposal].probability: Input should be less than or equal to 100" in err
    assert main(["--pipeline", str(path), "list", "users", "--db", str(tmp_path / "x.db")]) == 1
    assert not (tmp_path / "x.db").exists()  # refused before the database was touched


def test_docs_show_the_default_file_verbatim():
    doc = (Path(__file__).resolve().parent.parent / "docs" / "pipeline.md").read_text()
    assert "```toml\n" + DEFAULT_TEXT + "```" in doc


def test_the_settings_file_can_name_the_pipeline_a_new_database_starts_with(tmp_path, monkeypatch, capsys):
    custom = tmp_path / "custom.toml"
    custom.write_text(DEFAULT_TEXT.replace('name = "Discovery"', 'name = "First contact"'))
    monkeypatch.setenv("PANTRY_CONFIG_DIR", str(tmp_path))
    (tmp_path / "settings.toml").write_text(f'pipeline = "{custom}"\n')
    db = str(tmp_path / "new.db")
    assert main(["pipeline", "show", "--db", db]) == 0
    assert "1. First contact [discovery]" in capsys.readouterr().out
    # the database keeps it: a command line naming another file is refused (docs/pipeline.md)
    assert main(["stats", "--db", db, "--pipeline", str(DEFAULT_PIPELINE_FILE)]) == 1
    assert "pantry pipeline set" in capsys.readouterr().err
    assert main(["pipeline", "show", "--db", db, "--pipeline", str(DEFAULT_PIPELINE_FILE)]) == 0
    assert "1. First contact [discovery]" in capsys.readouterr().out

"""One Settings, read once at start: PANTRY_* over settings.toml over the defaults; mistakes named, exit 2."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli.main import main
from domain.settings import Settings, SettingsError, SmtpSettings, load_settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def config(tmp_path, monkeypatch) -> Path:
    """An empty config directory of our own, and no PANTRY_* variable but it and the data directory."""
    folder = tmp_path / "config"
    folder.mkdir()
    monkeypatch.setenv("PANTRY_CONFIG_DIR", str(folder))
    monkeypatch.setenv("PANTRY_DATA_DIR", str(tmp_path / "data"))
    return folder


def write(config: Path, text: str) -> Path:
    path = config / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_defaults(config):
    loaded = load_settings()
    assert loaded.db is None and loaded.pipeline is None and loaded.keymap == {} and loaded.smtp is None
    assert loaded.data_path == config.parent / "data"
    assert loaded.export_path == config.parent / "data" / "exports"
    assert Settings.defaults().smtp_port == 25


def test_the_environment_wins_over_the_file(config, monkeypatch):
    write(config, 'smtp_host = "mail.example.com"\nsmtp_port = 2525\nsmtp_from = "crm@example.com"\n'
                  'export_dir = "~/exports"\n[keymap]\n"list.filter" = "f"\n')
    loaded = load_settings()
    assert loaded.smtp == SmtpSettings(host="mail.example.com", port=2525, sender="crm@example.com")
    assert loaded.export_path == Path("~/exports").expanduser()
    assert loaded.keymap == {"list.filter": "f"}
    monkeypatch.setenv("PANTRY_SMTP_PORT", "587")
    monkeypatch.setenv("PANTRY_SMTP_STARTTLS", "yes")
    monkeypatch.setenv("PANTRY_SMTP_USER", "crm")
    monkeypatch.setenv("PANTRY_KEYMAP", '{"kanban.lose": "L"}')
    loaded = load_settings()
    assert loaded.smtp == SmtpSettings(host="mail.example.com", port=587, sender="crm@example.com", username="crm",
                                       starttls=True)
    assert loaded.keymap == {"list.filter": "f", "kanban.lose": "L"}  # the variable's bindings over the file's
    assert loaded.origin("smtp_port") == "PANTRY_SMTP_PORT"
    assert loaded.origin("smtp_host") == f"{config / 'settings.toml'}: smtp_host"


def test_an_empty_variable_counts_as_unset(config, monkeypatch):
    write(config, 'smtp_host = "mail.example.com"\n')
    monkeypatch.setenv("PANTRY_SMTP_HOST", "")
    monkeypatch.setenv("PANTRY_DB", "")
    loaded = load_settings()
    assert loaded.smtp_host == "mail.example.com" and loaded.db is None


@pytest.mark.parametrize(("text", "env", "expected"), [
    ("smtp_port = 0\n", {}, "{file}: smtp_port: Input should be greater than or equal to 1"),
    ("", {"PANTRY_SMTP_PORT": "twenty-five"}, "PANTRY_SMTP_PORT: Input should be a valid integer"),
    ("", {"PANTRY_SMTP_STARTTLS": "perhaps"}, "PANTRY_SMTP_STARTTLS: Input should be a valid boolean"),
    ("smtp_host = [1]\n", {}, "{file}: smtp_host: Input should be a valid string"),
    ("stmp_host = \"x\"\n", {}, "{file}: stmp_host: unknown setting (the settings: db, data_dir, pipeline"),
    ("smtp_host = \n", {}, "{file}: not valid TOML: Invalid value (at line 1, column 13)"),
    ('config_dir = "/etc"\n', {}, "{file}: config_dir: set PANTRY_CONFIG_DIR in the environment instead"),
    ('[keymap]\n"list.filter" = " , "\n', {}, "{file}: keymap: list.filter: expected keys such as"),
    ('keymap = "f"\n', {}, "{file}: keymap: Input should be a valid dictionary"),
    ("", {"PANTRY_KEYMAP": "f"}, "PANTRY_KEYMAP: expected JSON"),
    ('time_zone = "Mars/Olympus"\n', {}, "{file}: time_zone: unknown time zone 'Mars/Olympus'"),
    ("", {"PANTRY_TIME_ZONE": "../etc/passwd"}, "PANTRY_TIME_ZONE: unknown time zone '../etc/passwd'"),
])
def test_a_mistake_is_refused_with_where_and_why_exit_2(config, monkeypatch, capsys, text, env, expected):
    path = write(config, text)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = expected.format(file=path)
    assert any(problem.startswith(message) for problem in caught.value.problems), caught.value.problems
    db = config.parent / "x.db"
    assert main(["list", "users", "--db", str(db)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("pantry: invalid settings: ") and message in err and "Traceback" not in err
    assert not db.exists()  # refused before any database is opened


def test_every_problem_is_listed(config, monkeypatch):
    write(config, "smtp_port = -1\nunknown = 1\n")
    monkeypatch.setenv("PANTRY_SMTP_STARTTLS", "sometimes")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert len(caught.value.problems) == 3


def test_the_settings_choose_the_database_and_the_data_directory(config, tmp_path, capsys, monkeypatch):
    chosen = tmp_path / "team.db"
    assert main(["user", "add", "ana", "--name", "Ana", "--role", "admin", "--db", str(chosen)]) == 0
    write(config, f'db = "{chosen}"\n')
    capsys.readouterr()
    assert main(["list", "users", "--format", "json"]) == 0
    assert [u["login"] for u in json.loads(capsys.readouterr().out)] == ["ana"]
    write(config, f'data_dir = "{tmp_path / "elsewhere"}"\n')
    monkeypatch.delenv("PANTRY_DATA_DIR")  # the variable would win over the file
    assert main(["db", "upgrade"]) == 0
    assert (tmp_path / "elsewhere" / "pantry.db").exists()


@given(st.dictionaries(st.sampled_from(["smtp_port", "smtp_host", "smtp_starttls", "keymap", "db", "extra"]),
                       st.one_of(st.integers(-5, 70000), st.text(max_size=8), st.booleans(),
                                 st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2)),
                       max_size=3))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_settings_file_loads_or_is_refused_by_name(config, values):
    def toml(value) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, dict):
            return "{ " + ", ".join(f"{json.dumps(k)} = {json.dumps(v)}" for k, v in value.items()) + " }"
        return json.dumps(value)

    path = write(config, "".join(f"{key} = {toml(value)}\n" for key, value in values.items()))
    try:
        load_settings()
    except SettingsError as error:
        assert all(problem.startswith(f"{path}: ") for problem in error.problems), error.problems


# -- no module but domain/settings.py reads PANTRY_* ----------------------------------------------

_VARIABLE = re.compile(r"PANTRY_[A-Z_]*")


def environment_reads(source: str) -> list[int]:
    """Lines where a string naming a PANTRY_ variable (or building one, in an f-string) is written."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and _VARIABLE.fullmatch(node.value):
            lines.append(node.lineno)
        elif isinstance(node, ast.JoinedStr) and any(
                isinstance(part, ast.Constant) and str(part.value).startswith("PANTRY_") for part in node.values):
            lines.append(node.lineno)
    return lines


def test_no_module_but_the_settings_reads_pantry_variables():
    offenders = []
    for layer in ("domain", "store", "cli", "tui"):
        for path in sorted((ROOT / layer).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative == "domain/settings.py":
                continue
            offenders += [f"{relative}:{line}" for line in environment_reads(path.read_text(encoding="utf-8"))]
    assert offenders == [], "read PANTRY_* through domain.settings.Settings instead"


@pytest.mark.parametrize(("source", "flagged"), [
    ('os.environ.get("PANTRY_DB")', True),
    ('os.environ["PANTRY_SMTP_HOST"]', True),
    ('os.getenv(f"PANTRY_{name}")', True),
    ('help = "default: $PANTRY_DB, else pantry.db"', False),
    ('os.environ.get("NO_COLOR")', False),
])
def test_the_check_itself(source, flagged):
    assert bool(environment_reads(source)) == flagged

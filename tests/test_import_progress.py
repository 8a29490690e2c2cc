"""The import's progress bars (stderr: on a terminal for big steps, or always with --progress) and
`pantry export` accepting an entity's singular name."""

from __future__ import annotations

import io
from pathlib import Path

import cli.main
from cli.commands.import_cmd import ProgressBar

SMALL = Path(__file__).resolve().parent / "data" / "import" / "maven_small"



class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal_only_for_big_steps():
    screen = Terminal()
    bar = ProgressBar(screen, forced=False)
    bar("writing leads", 10, 10)
    assert screen.getvalue() == ""
    bar("writing opportunities", 50_000, 100_000)
    bar("writing opportunities", 100_000, 100_000)
    text = screen.getvalue()
    assert text.startswith("\rwriting opportunities") and "[###############...............] 50,000/100,000" in text
    assert text.endswith("100,000/100,000\n")


def test_progress_bar_off_a_terminal_needs_forcing_and_prints_lines():
    log = io.StringIO()
    ProgressBar(log, forced=False)("writing opportunities", 100_000, 100_000)
    assert log.getvalue() == ""
    bar = ProgressBar(log, forced=True)
    for done in range(0, 100_001, 1_000):
        bar("writing opportunities", done, 100_000)
    lines = log.getvalue().splitlines()
    assert len(lines) == 11  # one per 10 %, no carriage returns
    assert lines[-1].endswith("[##############################] 100,000/100,000") and "\r" not in log.getvalue()


def test_import_progress_option(database_url, tmp_path, capsys):
    code = cli.main.main(["import", str(SMALL), "--preset", "maven", "--progress", "--db", database_url])
    captured = capsys.readouterr()
    assert code == 0, captured.out
    assert "writing opportunities" in captured.err and "18/18" in captured.err
    assert "writing" not in captured.out


def test_export_takes_singular_names(database_url, capsys):
    assert cli.main.main(["export", "lead", "--db", database_url]) == 0
    assert capsys.readouterr().out.startswith("id,external_id,name,company,")
    assert cli.main.main(["export", "activity", "--format", "json", "--db", database_url]) == 0
    assert capsys.readouterr().out.strip() == "[]"
    assert cli.main.main(["export", "leadz", "--db", database_url]) == 2
    assert "unknown entity 'leadz'" in capsys.readouterr().err

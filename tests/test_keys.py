"""`pantry keys` (authorized_keys lines) and the SSH gate's allow-list (cli/sshgate.py)."""

from __future__ import annotations

import argparse
import base64
import json
import os
import shlex
import shutil
import stat
import struct
import subprocess

import pytest

from cli.commands import keys_cmd
from cli.errors import CommandError
from cli.options import add_global_options, global_options
from cli.sshgate import gate
from domain.enums import Role


def run(capsys, *argv: str) -> tuple[int, str]:
    """Parse and run a `keys` command (the registry entry is added in cli/commands/__init__.py)."""
    parser = argparse.ArgumentParser(prog="pantry")
    add_global_options(parser, top=True)
    keys_cmd.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(list(argv))
    code = args.handler(args, global_options(args))
    return code, capsys.readouterr().out


def blob(key_type: str, *fields: bytes) -> str:
    """A public key's base64: the type, then its fields as SSH strings (default: a 32-byte ed25519 key)."""
    raw = struct.pack(">I", len(key_type)) + key_type.encode()
    for field in fields or (b"\x01" * 32,):
        raw += struct.pack(">I", len(field)) + field
    return base64.b64encode(raw).decode()


RSA_N = b"\x00\xc3" + bytes([7]) * 255  # a 2048-bit modulus (its leading zero keeps the mpint positive)
RSA_FIELDS = (b"\x01\x00\x01", RSA_N)  # e = 65537


ED = f"ssh-ed25519 {blob('ssh-ed25519')} ray@laptop"
ED2 = "ssh-ed25519 " + blob("ssh-ed25519", bytes([2]) * 32) + " sue@laptop"
ECDSA = "ecdsa-sha2-nistp256 " + blob("ecdsa-sha2-nistp256", b"nistp256", bytes([4]) * 65)
OTHER_LINE = 'from="10.0.0.1" ssh-rsa ' + blob("ssh-rsa", *RSA_FIELDS) + " backup@host\n"
NO_MATERIAL = base64.b64encode(struct.pack(">I", 11) + b"ssh-ed25519").decode()
BAD_LENGTH = base64.b64encode(bytes([255, 255, 255, 255]) + b"junk").decode()


@pytest.fixture
def users(store, make):
    make.user(login="ray", role=Role.REP)
    make.user(login="sue", role=Role.REP)


@pytest.fixture
def keyfile(tmp_path):
    path = tmp_path / "ssh" / "authorized_keys"
    path.parent.mkdir()
    path.write_text("# managed by hand\n" + OTHER_LINE, encoding="utf-8")
    os.chmod(path, 0o600)
    return path


def add(capsys, database_url, keyfile, login, key):
    return run(capsys, "keys", "add", login, key, "--authorized-keys", str(keyfile), "--db", database_url,
               "--pantry", "/opt/pantry/bin/pantry")


# -- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [ED, ED2, ECDSA, f"ssh-rsa {blob('ssh-rsa', *RSA_FIELDS)}",
                                  f"sk-ssh-ed25519@openssh.com {blob('sk-ssh-ed25519@openssh.com', bytes(32), b'ssh:')}",
                                  f"sk-ecdsa-sha2-nistp256@openssh.com "
                                  f"{blob('sk-ecdsa-sha2-nistp256@openssh.com', b'nistp256', bytes([4]) * 65, b'ssh:')}"])
def test_valid_keys_parse(text):
    key = keys_cmd.parse_public_key(text)
    assert key.type == text.split()[0]
    assert key.fingerprint.startswith("SHA256:") and not key.fingerprint.endswith("=")


@pytest.mark.parametrize("text, message", [
    ("", "not a public key"),
    ("ssh-ed25519", "not a public key"),
    (f"ssh-dss {blob('ssh-dss')}", "unsupported key type"),
    (f'command="sh" {ED}', "unsupported key type"),
    ("ssh-ed25519 not*base64!", "not valid base64"),
    ("ssh-ed25519 AAAA", "too short"),
    (f"ssh-ed25519 {blob('ssh-rsa')}", "says ssh-ed25519 but its data is a ssh-rsa key"),
    ("ssh-ed25519 " + NO_MATERIAL, "no key material"),
    ("ssh-ed25519 " + BAD_LENGTH, "malformed"),
    # truncated base64 (still valid base64): the key is cut short
    ("ssh-ed25519 " + ED.split()[1][:-8], "truncated|not 32"),
    ("ssh-ed25519 " + blob("ssh-ed25519", bytes(31)), "31 bytes long, not 32"),
    ("ssh-ed25519 " + blob("ssh-ed25519", bytes(32), b"extra"), "malformed"),
    ("ssh-rsa " + blob("ssh-rsa", *RSA_FIELDS)[:-12], "truncated"),
    ("ssh-rsa " + blob("ssh-rsa", b"\x01\x00\x01", bytes([7]) * 64), "not a usable RSA key"),
    ("ecdsa-sha2-nistp256 " + blob("ecdsa-sha2-nistp256", b"nistp384", bytes([4]) * 65), "not a nistp256 point"),
    ("ecdsa-sha2-nistp256 " + blob("ecdsa-sha2-nistp256", b"nistp256", bytes([4]) * 33), "not a nistp256 point"),
    ("sk-ssh-ed25519@openssh.com " + blob("sk-ssh-ed25519@openssh.com", bytes(32), b""), "no application"),
])
def test_malformed_keys_are_refused(text, message):
    with pytest.raises(CommandError, match=message):
        keys_cmd.parse_public_key(text)


# -- add / list / remove ------------------------------------------------------------------------


def test_add_writes_a_restricted_line_and_keeps_the_others(capsys, users, database_url, keyfile):
    code, out = add(capsys, database_url, keyfile, "ray", ED)
    assert code == 0
    fingerprint = keys_cmd.parse_public_key(ED).fingerprint
    assert out == f"added ssh-ed25519 key {fingerprint} for ray to {keyfile}\n"
    lines = keyfile.read_text().splitlines(keepends=True)
    assert lines[:2] == ["# managed by hand\n", OTHER_LINE]
    assert lines[2] == (f'restrict,pty,command="/opt/pantry/bin/pantry --ssh-gate --as ray --db {database_url}" '
                        f"{ED.split()[0]} {ED.split()[1]} ray\n")
    assert stat.S_IMODE(keyfile.stat().st_mode) == 0o600
    # what sshd would run is what the gate expects
    command = lines[2].split('command="', 1)[1].split('"', 1)[0]
    argv = shlex.split(command)[1:]
    assert gate(argv, {}) == ["--as", "ray", "--db", database_url]


def test_add_accepts_a_pub_file_and_creates_the_file(capsys, users, database_url, tmp_path):
    pub = tmp_path / "id_ed25519.pub"
    pub.write_text(ED + "\n")
    target = tmp_path / "new" / "authorized_keys"
    code, _ = add(capsys, database_url, target, "ray", str(pub))
    assert code == 0
    assert target.read_text().count("\n") == 1
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_unknown_login_and_malformed_key_are_refused_and_the_file_is_untouched(capsys, users, database_url, keyfile):
    before = keyfile.read_text()
    with pytest.raises(CommandError, match="no user with login 'nobody'"):
        add(capsys, database_url, keyfile, "nobody", ED)
    with pytest.raises(CommandError, match="not valid base64"):
        add(capsys, database_url, keyfile, "ray", "ssh-ed25519 @@@@")
    assert keyfile.read_text() == before
    assert not [p for p in keyfile.parent.iterdir() if p.name != "authorized_keys"]  # no temp file left


def test_a_key_already_in_the_file_is_refused(capsys, users, database_url, keyfile):
    add(capsys, database_url, keyfile, "ray", ED)
    with pytest.raises(CommandError, match="already on line 3 for ray"):
        add(capsys, database_url, keyfile, "sue", ED)
    with pytest.raises(CommandError, match="already on line 2 \\(not a Pantry line\\)"):
        add(capsys, database_url, keyfile, "sue", " ".join(OTHER_LINE.split()[1:3]))


def test_list_and_remove(capsys, users, database_url, keyfile):
    add(capsys, database_url, keyfile, "ray", ED)
    add(capsys, database_url, keyfile, "sue", ED2)
    add(capsys, database_url, keyfile, "ray", ECDSA)
    code, out = run(capsys, "keys", "list", "--format", "json", "--authorized-keys", str(keyfile))
    rows = json.loads(out)
    assert [(r["login"], r["type"]) for r in rows] == [
        ("ray", "ssh-ed25519"), ("sue", "ssh-ed25519"), ("ray", "ecdsa-sha2-nistp256")]
    assert {r["database"] for r in rows} == {database_url}
    code, out = run(capsys, "keys", "list", "--authorized-keys", str(keyfile))
    assert code == 0 and "3 keys in" in out and "Fingerprint" in out

    sue_fp = keys_cmd.parse_public_key(ED2).fingerprint
    code, out = run(capsys, "keys", "remove", sue_fp, "--authorized-keys", str(keyfile))
    assert code == 0 and out == f"removed ssh-ed25519 key {sue_fp} of sue from {keyfile}\n"
    code, out = run(capsys, "keys", "remove", "ray", "--authorized-keys", str(keyfile))
    assert code == 0 and out.count("removed") == 2
    assert keyfile.read_text() == "# managed by hand\n" + OTHER_LINE
    with pytest.raises(CommandError, match="no Pantry keys for 'ray'"):
        run(capsys, "keys", "remove", "ray", "--authorized-keys", str(keyfile))
    with pytest.raises(CommandError, match="no Pantry key SHA256:nope"):
        run(capsys, "keys", "remove", "SHA256:nope", "--authorized-keys", str(keyfile))


def test_remove_never_touches_lines_that_are_not_pantrys(capsys, keyfile):
    keyfile.write_text(keyfile.read_text() + f'command="backup --as ray" {ED}\n')
    before = keyfile.read_text()
    with pytest.raises(CommandError):
        run(capsys, "keys", "remove", "ray", "--authorized-keys", str(keyfile))
    assert keyfile.read_text() == before


# -- the SSH gate -------------------------------------------------------------------------------

FORCED = ["--ssh-gate", "--as", "ray", "--db", "sqlite:////srv/pantry/pantry.db"]
GLOBALS = FORCED[1:]


def gated(original: str | None):
    return gate(FORCED, {} if original is None else {"SSH_ORIGINAL_COMMAND": original})


@pytest.mark.parametrize("original", [None, "", "   "])
def test_no_original_command_opens_the_tui_as_the_key_user(original):
    assert gated(original) == GLOBALS


@pytest.mark.parametrize("original, expected", [
    ("report pipeline_by_stage --format json", ["report", "pipeline_by_stage", "--format", "json"]),
    ("list opportunities --owner sue", ["list", "opportunities", "--owner", "sue"]),
    ("alerts --kind idle", ["alerts", "--kind", "idle"]),
    ("stats", ["stats"]),
    ("stats --format json", ["stats", "--format", "json"]),
    ("pipeline show", ["pipeline", "show"]),
    ("forecast show --period quarter", ["forecast", "show", "--period", "quarter"]),
    ("pantry list users", ["list", "users"]),
    ("list opportunities --search 'Bistro Nord'", ["list", "opportunities", "--search", "Bistro Nord"]),
    ("list users --as-of 2026-03-01", ["list", "users", "--as-of", "2026-03-01"]),
    ("--help", ["--help"]),
])
def test_read_only_commands_run_as_the_key_user(original, expected):
    assert gated(original) == [*GLOBALS, *expected]


@pytest.mark.parametrize("original, why", [
    ("bash", "'bash' is not allowed"),
    ("sh -c 'pantry move 1 won'", "'sh' is not allowed"),
    ("move 1 closed_won", "'move' is not allowed"),
    ("edit 1 --next-step x", "'edit' is not allowed"),
    ("keys add ray 'ssh-ed25519 AAAA'", "'keys' is not allowed"),
    ("db upgrade", "'db' is not allowed"),
    ("import accounts x.csv", "'import' is not allowed"),
    ("export opportunities", "'export' is not allowed"),
    ("forecast snapshot", "only `forecast show`"),
    ("forecast", "only `forecast show`"),
    ("pipeline", "only `pipeline show`"),
    ("--as sue list users", "--as is set by the key"),
    ("list users --as sue", "--as is set by the key"),
    ("list users --as=sue", "--as is set by the key"),
    ("stats --db sqlite:////tmp/x.db", "--db is set by the key"),
    ("stats --demo", "--demo is set by the key"),
    ("stats --pipeline /etc/passwd", "--pipeline is set by the key"),
    ("stats --ssh-gate", "--ssh-gate is set by the key"),
    ("list -- --as sue", "'--' is not accepted"),
    ("--db x stats", "--db is set by the key"),
    ("--format json stats", "expected a command first"),
    ("list 'unterminated", "cannot read it"),
    ("stats\nbash", "more than one line"),
    ("scp -t /tmp", "'scp' is not allowed"),
    ("stats; bash", "'stats;' is not allowed"),
])
def test_everything_else_is_refused(original, why):
    refusal = gated(original)
    assert isinstance(refusal, str)
    assert refusal.startswith("over SSH this key may only run read-only commands")
    assert why in refusal


@pytest.mark.parametrize("forced", [
    [],
    ["--as", "ray"],
    ["--ssh-gate"],
    ["--ssh-gate", "--db", "x"],
    ["--ssh-gate", "--as"],
    ["--ssh-gate", "--as", "ray", "move", "1", "x"],
    ["--ssh-gate", "--as", "ray", "--as", "sue"],
])
def test_a_misconfigured_forced_command_is_refused(forced):
    refusal = gate(forced, {"SSH_ORIGINAL_COMMAND": "stats"})
    assert isinstance(refusal, str) and refusal.startswith("misconfigured SSH key")


def test_the_gated_argv_runs_with_the_real_parser(capsys, users, database_url):
    from cli.main import main

    argv = gate(["--ssh-gate", "--as", "ray", "--db", database_url],
                {"SSH_ORIGINAL_COMMAND": "pantry list users --format json"})
    assert main(argv) == 0
    assert {u["login"] for u in json.loads(capsys.readouterr().out)} >= {"ray", "sue"}


# -- what the key line names: the executable, the database, the file's owner ---------------------


def test_the_pantry_executable_is_absolute(monkeypatch, tmp_path):
    with pytest.raises(CommandError, match="--pantry: expected an absolute path"):
        keys_cmd.pantry_executable("pantry")
    assert keys_cmd.pantry_executable("/opt/pantry/venv/bin/../bin/pantry") == "/opt/pantry/venv/bin/pantry"
    # started by its full path, not found on PATH (sudo -u pantry /opt/pantry/venv/bin/pantry keys add ...)
    script = tmp_path / "venv" / "bin" / "pantry"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.chdir(script.parent)
    monkeypatch.setattr("sys.argv", ["pantry", "keys", "add"])  # as the kernel passes a script found in cwd
    assert keys_cmd.pantry_executable(None) == str(script)
    # not started as the script (pytest, python -m cli): the one beside the running Python
    monkeypatch.setattr("sys.argv", ["/somewhere/pytest"])
    monkeypatch.setattr("sys.executable", str(script.parent / "python"))
    assert keys_cmd.pantry_executable(None) == str(script)
    monkeypatch.setattr("sys.executable", str(tmp_path / "python"))
    with pytest.raises(CommandError, match="name it with --pantry PATH"):
        keys_cmd.pantry_executable(None)


def test_a_relative_sqlite_database_is_written_as_an_absolute_path(capsys, users, database_url, tmp_path, monkeypatch):
    if not database_url.startswith("sqlite"):
        pytest.skip("a SQLite path")
    from store.database import sqlite_path

    db = sqlite_path(database_url)
    monkeypatch.chdir(os.path.dirname(db))
    target = tmp_path / "ak"
    for url in (os.path.basename(db), f"sqlite:///{os.path.basename(db)}"):  # a bare path, a relative URL
        target.unlink(missing_ok=True)
        code, _ = add(capsys, url, target, "ray", ED)
        assert code == 0
        assert f'--db sqlite:///{db}" ' in target.read_text()
        assert keys_cmd.pantry_keys(target.read_text().splitlines())[0].database == f"sqlite:///{db}"
    with pytest.raises(CommandError, match="in-memory database"):
        add(capsys, "sqlite://", target, "ray", ED)


def test_the_default_file_is_in_the_accounts_home_whatever_home_says(monkeypatch):
    import pwd

    monkeypatch.setenv("HOME", "/nonexistent")
    home = pwd.getpwuid(os.geteuid()).pw_dir
    assert keys_cmd.default_authorized_keys() == __import__("pathlib").Path(home) / ".ssh" / "authorized_keys"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can give files away")
def test_root_editing_an_accounts_file_keeps_its_owner(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    os.chown(home, 4321, 4321)
    keyfile = home / ".ssh" / "authorized_keys"
    keys_cmd.write_atomically(keyfile, ["one\n"])  # new .ssh and file: the owner of the home directory
    assert (keyfile.parent.stat().st_uid, keyfile.stat().st_uid, keyfile.stat().st_gid) == (4321, 4321, 4321)
    assert stat.S_IMODE(keyfile.parent.stat().st_mode) == 0o700
    os.chown(keyfile, 4322, 4323)
    keys_cmd.write_atomically(keyfile, ["one\n", "two\n"])
    assert (keyfile.stat().st_uid, keyfile.stat().st_gid, keyfile.read_text()) == (4322, 4323, "one\ntwo\n")


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen")
@pytest.mark.parametrize("kind", [("ed25519",), ("rsa", "-b", "2048"), ("ecdsa", "-b", "256"), ("ecdsa", "-b", "384"),
                                  ("ecdsa", "-b", "521")])
def test_keys_made_by_ssh_keygen_parse_and_cut_short_they_are_refused(tmp_path, kind):
    path = tmp_path / "id"
    subprocess.run(["ssh-keygen", "-q", "-t", kind[0], *kind[1:], "-N", "", "-C", "me@laptop", "-f", str(path)],
                   check=True, capture_output=True)
    text = (tmp_path / "id.pub").read_text()
    key = keys_cmd.parse_public_key(text)
    assert key.type == text.split()[0]
    key_type, data = text.split()[:2]
    for cut in (4, 8, 12):
        short = data.rstrip("=")[:-cut]
        short = short[: len(short) // 4 * 4]  # still valid base64, only shorter
        with pytest.raises(CommandError, match="truncated|cut short|malformed"):
            keys_cmd.parse_public_key(f"{key_type} {short}")

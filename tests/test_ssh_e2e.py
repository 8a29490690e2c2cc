"""Teams over SSH, end to end, with a real OpenSSH server on loopback (docs/deploy-ssh.md).

Set-up (once for the module): a demo database, two user keys (a rep and the rep's manager) in an
authorized_keys file written by `pantry keys add` run without the venv on PATH, and
`/usr/sbin/sshd -D` on 127.0.0.1 with its own configuration, which includes the doc's
`Match User` block (for the login running the tests instead of `pantry`).

- a forced session gives no shell, runs the read-only allow-list as the key's user, refuses
  `--as`, sftp/scp and port forwarding;
- two TUI sessions in tmux, one per key: a card moved on the rep's kanban shows on the manager's
  kanban within two seconds; a lead assignment in the rep's session is refused and writes nothing;
- `sshd -t` accepts exactly the settings the doc tells the administrator to install, and
  `sshd -T` shows they apply to the service account only.

Skipped, with the reason, when sshd, ssh, ssh-keygen or tmux is missing or sshd cannot start
(`.ci/run` installs openssh-server and tmux when it can).
"""

from __future__ import annotations

import json
import os
import pwd
import re
import shlex
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tui.screens.kanban import card_title

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "deploy-ssh.md"
PANTRY = Path(sys.executable).parent / "pantry"  # the venv's console script
REP, MANAGER = "pshah", "dwhitfield"  # pshah reports to dwhitfield in the demo data
AS_OF = "2026-03-16"
REFUSAL = "over SSH this key may only run read-only commands"
WIDTH, HEIGHT = 120, 40


# -- tools ----------------------------------------------------------------------------------------


def sshd_binary() -> str | None:
    found = shutil.which("sshd")
    if found:
        return found
    return "/usr/sbin/sshd" if os.access("/usr/sbin/sshd", os.X_OK) else None


def require_tools(*names: str) -> dict[str, str]:
    found = {name: (sshd_binary() if name == "sshd" else shutil.which(name)) for name in names}
    missing = [name for name, path in found.items() if not path]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (Debian: apt-get install openssh-server openssh-client tmux; "
                    ".ci/run does it when it can)")
    return found


def doc_sshd_block() -> str:
    """The fenced block the doc tells the administrator to put in /etc/ssh/sshd_config.d/pantry.conf."""
    text = DOC.read_text(encoding="utf-8")
    match = re.search(r"`/etc/ssh/sshd_config\.d/pantry\.conf`:\s*\n\s*```[^\n]*\n(.*?)\n```", text, re.S)
    assert match, f"{DOC}: no fenced block after `/etc/ssh/sshd_config.d/pantry.conf`:"
    return match.group(1) + "\n"


def keygen(path: Path, comment: str) -> Path:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
                   check=True, capture_output=True, timeout=30)
    return path


def privsep_dir() -> None:
    """sshd refuses to start without its privilege separation directory."""
    path = Path("/run/sshd")
    if path.is_dir():
        return
    try:
        path.mkdir(mode=0o755, parents=True)
    except OSError as error:
        pytest.skip(f"sshd needs {path} and it cannot be created here ({error}); as root: mkdir -p {path}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kill_leftovers(marker: str) -> None:
    """Processes started through this test's sshd (sshd session children, pantry) carry its
    temporary directory on their command line: end exactly those, by pid."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if marker in cmdline:
            try:
                os.kill(int(entry.name), 15)
            except OSError:
                pass


# -- the deployment -------------------------------------------------------------------------------


class Deployment:
    def __init__(self, tmp: Path, user: str, port: int, db: Path, keys: dict[str, Path]) -> None:
        self.tmp, self.user, self.port, self.db, self.keys = tmp, user, port, db, keys

    def ssh_argv(self, login: str, *command: str, tty: bool = False) -> list[str]:
        return ["ssh", *(["-t"] if tty else ["-T"]), *self.client_options(login), "-p", str(self.port),
                f"{self.user}@127.0.0.1", *command]

    def client_options(self, login: str) -> list[str]:
        return ["-i", str(self.keys[login]), "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10",
                "-F", "/dev/null"]

    def ssh(self, login: str, *command: str, stdin: str = "", timeout: float = 30) -> subprocess.CompletedProcess:
        return subprocess.run(self.ssh_argv(login, *command), input=stdin, capture_output=True, text=True,
                              timeout=timeout)

    def query(self, sql: str, *params) -> list[tuple]:
        connection = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=10)
        try:
            return connection.execute(sql, params).fetchall()
        finally:
            connection.close()

    def log(self) -> str:
        path = self.tmp / "sshd.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    tools = require_tools("sshd", "ssh", "ssh-keygen", "tmux")
    if not PANTRY.is_file():
        pytest.skip(f"no pantry console script at {PANTRY} (pip install -e '.[test]' installs it)")
    account = pwd.getpwuid(os.getuid())
    if Path(account.pw_shell).name in ("nologin", "false"):
        pytest.skip(f"the account running the tests ({account.pw_name}) has no login shell ({account.pw_shell}): "
                    "sshd runs the forced command through it")
    privsep_dir()
    tmp = tmp_path_factory.mktemp("ssh-e2e")
    keys = {REP: keygen(tmp / "rep_key", REP), MANAGER: keygen(tmp / "manager_key", MANAGER)}
    keygen(tmp / "host_key", "host")

    db = tmp / "pantry.db"
    subprocess.run([str(PANTRY), "demo", "--db", str(db), "--opportunities", "300", "--as-of", AS_OF],
                   check=True, capture_output=True, timeout=120)
    # As the doc has it: `pantry keys add` by its full path, the venv not on PATH, a relative --db.
    authorized = tmp / "authorized_keys"
    bare = {"PATH": "/usr/bin:/bin", "HOME": str(tmp), "PANTRY_CONFIG_DIR": str(tmp / "config")}
    for login, key in keys.items():
        subprocess.run([str(PANTRY), "keys", "add", login, f"{key}.pub", "--authorized-keys", str(authorized),
                        "--db", db.name], check=True, capture_output=True, timeout=60, cwd=tmp, env=bare)

    match_block = doc_sshd_block().replace("Match User pantry", f"Match User {account.pw_name}", 1)
    proc = None
    for _attempt in range(3):
        port = free_port()
        config = tmp / "sshd_config"
        config.write_text(
            f"ListenAddress 127.0.0.1\nPort {port}\nHostKey {tmp / 'host_key'}\nPidFile {tmp / 'sshd.pid'}\n"
            f"AuthorizedKeysFile {authorized}\nAllowUsers {account.pw_name}\n"
            "StrictModes no\nUsePAM no\nPermitRootLogin prohibit-password\nPasswordAuthentication no\n"
            "LogLevel VERBOSE\nSubsystem sftp internal-sftp\n"
            # keep the sessions off the real user's Pantry settings and data dir
            f"SetEnv PANTRY_CONFIG_DIR={tmp / 'config'} PANTRY_DATA_DIR={tmp / 'data'}\n"
            + match_block,
            encoding="utf-8",
        )
        checked = subprocess.run([tools["sshd"], "-t", "-f", str(config)], capture_output=True, text=True, timeout=30)
        if checked.returncode != 0:  # the doc's block or this configuration is wrong: that is a failure
            pytest.fail(f"sshd -t refused the test's configuration:\n{checked.stderr}")
        log = open(tmp / "sshd.log", "ab")
        proc = subprocess.Popen([tools["sshd"], "-D", "-e", "-f", str(config)], stdout=log, stderr=log,
                                stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + 10
        listening = False
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                listening = True
                break
            except OSError:
                time.sleep(0.1)
        if listening:
            break
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=5)
        text = (tmp / "sshd.log").read_text(errors="replace")
        if "Address already in use" not in text:
            pytest.skip(f"sshd did not start: {text.strip()[-800:] or 'no output'}")
    else:
        pytest.skip("sshd did not start: no free port on 127.0.0.1 after 3 attempts")

    deployment = Deployment(tmp, account.pw_name, port, db, keys)
    try:
        smoke = deployment.ssh(REP, "stats")
        if smoke.returncode != 0:  # sshd runs, so a refused key or a failing command is a real failure
            pytest.fail(f"`ssh … stats` with {REP}'s key failed ({smoke.returncode}): {smoke.stderr.strip()}\n"
                        f"sshd log:\n{deployment.log()}")
        yield deployment
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        kill_leftovers(str(tmp))


# -- tmux -----------------------------------------------------------------------------------------


class Tmux:
    """A private tmux server (its own socket, no user configuration)."""

    servers = 0

    def __init__(self, tmp: Path) -> None:
        Tmux.servers += 1  # a new socket each time: a server being killed may still hold the last one
        socket_path = tmp / f"tmux-{Tmux.servers}.sock"
        if len(str(socket_path)) > 100:  # sun_path is about 108 bytes
            socket_path = Path(f"/tmp/pantry-e2e-{os.getpid()}-{Tmux.servers}.sock")
        self.socket = str(socket_path)

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(["tmux", "-S", self.socket, "-f", "/dev/null", *args], capture_output=True, text=True,
                                timeout=15)
        if check and result.returncode != 0:
            pytest.fail(f"tmux {' '.join(args[:2])} failed ({result.returncode}): {result.stderr.strip()}")
        return result

    def open(self, name: str, argv: list[str]) -> None:
        # keep the pane after ssh ends, with its exit status, so a failure shows what happened
        command = f"{shlex.join(argv)}; echo \"[ssh exited $?]\"; sleep 600"
        self.run("new-session", "-d", "-x", str(WIDTH), "-y", str(HEIGHT), "-s", name, command)

    def keys(self, name: str, *keys: str) -> None:
        self.run("send-keys", "-t", name, *keys)

    def screen(self, name: str) -> str:
        return self.run("capture-pane", "-p", "-t", name, check=False).stdout

    def wait_for(self, name: str, predicate, what: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen(name)
            if predicate(text):
                return text
            if time.monotonic() > deadline:
                pytest.fail(f"session {name}: {what} did not show within {timeout:.0f}s; the screen:\n{text}")
            time.sleep(0.1)

    def kill(self) -> None:
        self.run("kill-server", check=False)
        if self.socket.startswith("/tmp/pantry-e2e-"):
            Path(self.socket).unlink(missing_ok=True)


@pytest.fixture
def tmux(deployment):
    server = Tmux(deployment.tmp)
    try:
        yield server
    finally:
        server.kill()


def column_count(screen: str, stage: str) -> int | None:
    match = re.search(rf"│ {re.escape(stage)}  (\d+)", screen)
    return int(match.group(1)) if match else None


def open_tui(tmux: Tmux, deployment: Deployment, name: str, login: str, role: str) -> None:
    tmux.open(name, deployment.ssh_argv(login, tty=True))
    tmux.wait_for(name, lambda s: f"Pantry CRM · {login} ({role})" in s and "Dashboard" in s,
                  f"the dashboard of {login} ({role})", timeout=30)


# -- no shell; the allow-list, as the key's user --------------------------------------------------


def test_key_lines_name_the_venvs_pantry_and_the_database_in_full(deployment):
    lines = (deployment.tmp / "authorized_keys").read_text().splitlines()
    assert len(lines) == 2
    for line, login in zip(lines, (REP, MANAGER)):
        assert line.startswith(f'restrict,pty,command="{PANTRY} --ssh-gate --as {login} --db sqlite:///{deployment.db}" ')


def test_a_forced_session_gives_no_shell(deployment):
    for command, stdin in ((("bash", "-c", "id"), ""), (("bash",), "id\necho shell-$((6*7))\n"),
                           (("sh", "-c", "'id; exec sh'"), "id\n"), (("pantry", "keys", "list"), "")):
        result = deployment.ssh(REP, *command, stdin=stdin)
        out = result.stdout + result.stderr
        assert result.returncode == 1, (command, result)
        assert "uid=" not in out and "shell-42" not in out, (command, out)
        assert REFUSAL in result.stderr and "is not allowed over SSH" in result.stderr, (command, result.stderr)


def test_without_a_terminal_the_tui_is_refused_in_one_line_and_nothing_stays_behind(deployment):
    """`ssh -T host` (no command, no terminal): the TUI would wait for keys that never come, left behind after the
    client is gone; it is refused in one line, and no traceback shows the server's paths."""
    result = deployment.ssh(REP, timeout=30)
    assert result.returncode == 1, result
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "the terminal UI needs a terminal" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and str(deployment.tmp) not in result.stderr
    time.sleep(0.5)
    assert not gate_processes(str(deployment.tmp))


def gate_processes(marker: str) -> list[str]:
    """The pids of `pantry --ssh-gate` processes of this deployment still running."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if entry.name.isdigit() and "--ssh-gate" in cmdline and marker in cmdline:
            found.append(entry.name)
    return found


def test_read_only_commands_run_as_the_key_user(deployment):
    result = deployment.ssh(REP, "report", "pipeline")
    assert result.returncode == 0, result.stderr
    assert "Pipeline" in result.stdout and "Open opportunities" in result.stdout

    def owners(login: str) -> tuple[set[str], set[int]]:
        result = deployment.ssh(login, "list", "opportunities", "--format", "json")
        assert result.returncode == 0, result.stderr
        rows = json.loads(result.stdout)
        return {r["owner"] for r in rows}, {r["id"] for r in rows}

    rep_owners, rep_ids = owners(REP)
    assert rep_owners == {REP}  # a rep sees their own book: the command ran as the rep
    manager_owners, manager_ids = owners(MANAGER)
    team = {login for (login,) in deployment.query(
        "SELECT u.login FROM user u JOIN user m ON u.manager_id = m.id WHERE m.login = ?", MANAGER)}
    assert REP in manager_owners and manager_owners <= team | {MANAGER} and len(manager_owners) > 1
    assert rep_ids < manager_ids


def test_the_client_cannot_choose_who_or_which_database(deployment):
    for command, why in ((("--", "--as", "admin", "report", "pipeline"), "--as is set by the key"),
                         (("report", "pipeline", "--as", "admin"), "--as is set by the key"),
                         (("stats", "--db", "/tmp/other.db"), "--db is set by the key")):
        result = deployment.ssh(REP, *command)
        assert result.returncode == 1 and result.stdout == "", (command, result)
        assert REFUSAL in result.stderr and why in result.stderr, (command, result.stderr)


def test_sftp_scp_and_forwarding_are_refused(deployment):
    options = [*deployment.client_options(REP), "-P", str(deployment.port)]
    target = deployment.tmp / "copied.db"
    remote = f"{deployment.user}@127.0.0.1:{deployment.db}"
    for argv in (["scp", *options, remote, str(target)], ["scp", "-O", *options, remote, str(target)]):
        result = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        assert result.returncode != 0 and not target.exists(), (argv, result)
    sftp = subprocess.run(["sftp", "-b", "-", *options, f"{deployment.user}@127.0.0.1"], input="ls /\n",
                          capture_output=True, text=True, timeout=30)
    assert sftp.returncode != 0 and "pantry.db" not in sftp.stdout, sftp
    forward = subprocess.run(["ssh", "-N", "-R", "0:127.0.0.1:9", "-o", "ExitOnForwardFailure=yes",
                              *deployment.client_options(REP), "-p", str(deployment.port), f"{deployment.user}@127.0.0.1"],
                             capture_output=True, text=True, timeout=30)
    assert forward.returncode != 0 and "forwarding failed" in forward.stderr, forward


def doc_examples() -> tuple[list[list[str]], list[list[str]]]:
    """The doc's section 6: the commands users can run, and those refused (as argv after `ssh`)."""
    section = DOC.read_text(encoding="utf-8").split("## 6. What users can do", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)\n```", section, re.S)
    assert len(blocks) >= 2, "docs/deploy-ssh.md section 6 lost its two example blocks"
    parsed = []
    for block in blocks[:2]:
        lines = []
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            if words and words[0] in ("ssh", "scp") and "-t" not in words:
                lines.append(words)
        parsed.append(lines)
    return parsed[0], parsed[1]


def test_the_docs_examples_do_what_the_doc_says(deployment):
    host = "pantry@crm.example.com"
    logins = {"ray": REP, "mia": MANAGER}
    allowed, refused = doc_examples()
    assert len(allowed) >= 5 and len(refused) >= 3

    def command(words: list[str]) -> list[str]:
        rest = words[words.index(host) + 1:]
        rest = rest[:rest.index(">")] if ">" in rest else rest
        return [logins.get(w, w) for w in rest]

    target = deployment.tmp / "scp-target"

    def run(words: list[str]) -> subprocess.CompletedProcess:
        if words[0] == "scp":
            remote = f"{deployment.user}@127.0.0.1:{words[1].split(':', 1)[1]}"
            return subprocess.run(["scp", *deployment.client_options(REP), "-P", str(deployment.port), remote,
                                   str(target)], capture_output=True, text=True, timeout=30, cwd=deployment.tmp)
        return deployment.ssh(REP, *command(words))

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(run, allowed + refused))
    for words, result in zip(allowed, results):
        assert result.returncode == 0 and result.stdout.strip(), (words, result.stderr)
    for words, result in zip(refused, results[len(allowed):]):
        if words[0] == "scp":
            assert result.returncode != 0 and not target.exists(), (words, result)
        else:
            assert result.returncode == 1 and REFUSAL in result.stderr, (words, result)


# -- two TUI sessions -----------------------------------------------------------------------------


def test_a_move_in_one_session_shows_in_the_other_within_two_seconds(deployment, tmux):
    # The rep's first Qualification card (the board sorts by value) that can go to Proposal: it needs
    # products (line items), nothing else.
    candidates = deployment.query(
        "SELECT o.id, o.name, COALESCE(a.name, ''), (SELECT COUNT(*) FROM line_item li WHERE li.opportunity_id = o.id) "
        "FROM opportunity o JOIN user u ON u.id = o.owner_id LEFT JOIN account a ON a.id = o.account_id "
        "WHERE u.login = ? AND o.stage = 'qualification' ORDER BY o.value_cents DESC, o.id DESC", REP)
    index = next((i for i, (_, _, _, items) in enumerate(candidates) if items), None)
    assert index is not None, f"the demo data has no {REP} deal in qualification with products: {candidates}"
    opp_id, full_name, account, _ = candidates[index]
    opp_name = card_title(full_name, account)  # a card shows the deal's name without its account

    open_tui(tmux, deployment, "rep", REP, "rep")
    open_tui(tmux, deployment, "manager", MANAGER, "manager")

    def board_ready(s: str) -> bool:
        return "— Kanban" in s and column_count(s, "Qualification") is not None and column_count(s, "Proposal") is not None

    tmux.keys("rep", "k")
    rep_board = tmux.wait_for("rep", board_ready, "the kanban")
    # The manager sees the whole team; narrowed to the rep's book, both boards show the same cards.
    tmux.keys("manager", "k")
    tmux.wait_for("manager", board_ready, "the kanban")
    tmux.keys("manager", "/")
    tmux.wait_for("manager", lambda s: "Filter the board" in s, "the board filter")
    tmux.keys("manager", f"@{REP}", "Enter")
    qualification, proposal = column_count(rep_board, "Qualification"), column_count(rep_board, "Proposal")
    tmux.wait_for("manager", lambda s: "Kanban · @" + REP in s and column_count(s, "Qualification") == qualification
                  and column_count(s, "Proposal") == proposal, f"the board narrowed to @{REP}")

    tmux.keys("rep", "Right", *["Down"] * index)
    time.sleep(0.5)
    tmux.keys("rep", "]")
    deadline = time.monotonic() + 20
    while deployment.query("SELECT stage FROM opportunity WHERE id = ?", opp_id) != [("proposal",)]:
        if time.monotonic() > deadline:
            pytest.fail(f"the rep's move of {full_name!r} was not saved; the rep's screen:\n{tmux.screen('rep')}")
        time.sleep(0.05)
    moved = time.monotonic()

    def cells(screen: str, column: int) -> str:
        return "\n".join(line[30 * column:30 * (column + 1)] for line in screen.splitlines())

    def updated(s: str) -> bool:  # the headers' counts and the card itself (they refresh separately)
        return (column_count(s, "Qualification") == qualification - 1 and column_count(s, "Proposal") == proposal + 1
                and opp_name[:24] in cells(s, 2) and opp_name[:24] not in cells(s, 1))

    screen = tmux.wait_for("manager", updated, "the rep's move", timeout=10)
    elapsed = time.monotonic() - moved
    print(f"the move reached the manager after {elapsed:.2f}s")
    assert elapsed <= 2.0, f"the move reached the manager's board after {elapsed:.2f}s (more than 2s):\n{screen}"
    assert f"{MANAGER} (manager)" in screen
    tmux.wait_for("rep", updated, "its own move")


def test_a_forbidden_edit_is_refused_and_writes_nothing(deployment, tmux):
    def snapshot():
        return (deployment.query("SELECT id, owner_id, status, version FROM lead ORDER BY id"),
                deployment.query("SELECT COUNT(*) FROM audit_log"))

    before = snapshot()
    open_tui(tmux, deployment, "rep", REP, "rep")
    tmux.keys("rep", "l")
    tmux.wait_for("rep", lambda s: "— Leads" in s and REP in s.split("— Leads", 1)[1], "the leads list")
    time.sleep(0.5)
    tmux.keys("rep", "A")
    screen = tmux.wait_for("rep", lambda s: "cannot assign leads" in s or "Assign 1 lead" in s, "the assign form")
    if "cannot assign leads" not in screen:
        tmux.keys("rep", "C-s")  # the form's Save
        screen = tmux.wait_for("rep", lambda s: "cannot assign leads" in s, "the refusal")
    assert f"{REP} (rep) cannot assign leads" in screen
    time.sleep(0.5)
    assert snapshot() == before
    result = deployment.ssh(REP, "list", "leads", "--format", "json")
    assert result.returncode == 0 and {r["owner_login"] for r in json.loads(result.stdout)} == {REP}


# -- the doc's sshd settings ----------------------------------------------------------------------

# Debian 12's stock /etc/ssh/sshd_config without its comments: the Include comes first, so the
# doc's file is read before these lines.
DEBIAN_SSHD_CONFIG = """\
Include {include}
KbdInteractiveAuthentication no
UsePAM yes
X11Forwarding yes
PrintMotd no
AcceptEnv LANG LC_*
Subsystem sftp /usr/lib/openssh/sftp-server
"""


def test_sshd_accepts_the_settings_the_doc_gives(tmp_path):
    tools = require_tools("sshd", "ssh-keygen")
    block = doc_sshd_block()
    assert block.splitlines()[0] == "Match User pantry", block
    assert "ForceCommand" not in block  # it would override the keys' command=
    conf_d = tmp_path / "sshd_config.d"
    conf_d.mkdir()
    (conf_d / "pantry.conf").write_text(block, encoding="utf-8")
    config = tmp_path / "sshd_config"
    config.write_text(DEBIAN_SSHD_CONFIG.format(include=conf_d / "*.conf")
                      + f"HostKey {keygen(tmp_path / 'host_key', 'host')}\n", encoding="utf-8")
    if os.geteuid() == 0:
        privsep_dir()

    test = subprocess.run([tools["sshd"], "-t", "-f", str(config)], capture_output=True, text=True, timeout=30)
    assert test.returncode == 0, f"sshd -t refused the doc's settings:\n{test.stderr}"

    def effective(user: str) -> dict[str, str]:
        result = subprocess.run([tools["sshd"], "-T", "-f", str(config), "-C", f"user={user},host=client.example,"
                                 "addr=192.0.2.10"], capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stderr
        return dict(line.split(" ", 1) for line in result.stdout.splitlines() if " " in line)

    pantry = effective("pantry")
    assert {k: pantry[k] for k in ("passwordauthentication", "kbdinteractiveauthentication", "authenticationmethods",
                                   "allowtcpforwarding", "x11forwarding", "allowagentforwarding", "permittunnel",
                                   "permittty", "permituserenvironment", "forcecommand")} == {
        "passwordauthentication": "no", "kbdinteractiveauthentication": "no", "authenticationmethods": "publickey",
        "allowtcpforwarding": "no", "x11forwarding": "no", "allowagentforwarding": "no", "permittunnel": "no",
        "permittty": "yes", "permituserenvironment": "no", "forcecommand": "none"}
    other = effective("alice")  # the Match block stays with the service account
    assert other["x11forwarding"] == "yes" and other["authenticationmethods"] == "any"

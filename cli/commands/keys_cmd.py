"""`pantry keys add|list|remove`: SSH keys that log in straight into Pantry as one user.

Each key is one line of an authorized_keys file (default: ~/.ssh/authorized_keys of the
account running the command, normally the Pantry service account):

    restrict,pty,command="/path/pantry --ssh-gate --as LOGIN --db URL" ssh-ed25519 AAAA... LOGIN

sshd then runs that command whatever the client asks for; cli/sshgate.py lets a short list of
read-only subcommands through and otherwise opens the TUI (see docs/deploy-ssh.md). sshd runs it
with its own minimal PATH, from the account's home directory: so the line names `pantry` by its
absolute path (the one running `keys add`, or --pantry PATH) and a SQLite database by its
absolute path. Lines that are not Pantry's (no `--ssh-gate` forced command) are never changed.
The file is replaced atomically (a temporary file in the same directory, then rename), keeping
its permissions and, when root edits it, its owner.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import os
import pwd
import re
import shlex
import shutil
import stat
import struct
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cli.context import GlobalOptions, database_url
from cli.errors import CommandError
from cli.options import add_global_options, session_for
from cli.output import col, write_json_list, write_table
from cli.sshgate import FLAG
from store.database import sqlite_path, sqlite_url

NAME = "keys"

KEY_TYPES = (
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
)
OPTIONS_PREFIX = "restrict,pty,"
_PANTRY_LINE = re.compile(r'^(?P<options>\S*command="(?P<command>(?:[^"\\]|\\.)*)"\S*)\s+(?P<type>\S+)\s+(?P<blob>\S+)(?:\s+(?P<comment>.*))?$')


class MalformedKey(CommandError):
    """A malformed public key (exit 1)."""


@dataclass(frozen=True)
class PublicKey:
    type: str
    blob: bytes
    text: str  # base64 as given

    @property
    def fingerprint(self) -> str:
        digest = base64.b64encode(hashlib.sha256(self.blob).digest()).decode("ascii").rstrip("=")
        return f"SHA256:{digest}"


@dataclass(frozen=True)
class PantryKey:
    line_index: int
    login: str
    database: str
    type: str
    fingerprint: str

    def as_json(self) -> dict:
        return {"login": self.login, "type": self.type, "fingerprint": self.fingerprint, "database": self.database}


# -- public keys --------------------------------------------------------------------------------


def parse_public_key(text: str) -> PublicKey:
    """`TYPE BASE64 [COMMENT]` as in a .pub file; the blob must decode and name the same type."""
    words = text.strip().split()
    if len(words) < 2:
        raise MalformedKey("not a public key: expected `TYPE BASE64 [COMMENT]`, as in a .pub file")
    key_type, data = words[0], words[1]
    if key_type not in KEY_TYPES:
        raise MalformedKey(f"unsupported key type {key_type[:40]!r} (supported: {', '.join(KEY_TYPES)})")
    try:
        blob = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedKey(f"the {key_type} key is not valid base64") from None
    check_key_blob(key_type, blob)
    return PublicKey(key_type, blob, data)


# What follows the key type in the blob (RFC 4253 6.6, RFC 5656 3.1, RFC 8709 4, OpenSSH's PROTOCOL.u2f):
# ed25519 a 32-byte key; RSA e and n (at least 1024 bits, what OpenSSH accepts); ECDSA the curve's name and an
# uncompressed point; a security key's also the application ("ssh:" by default).
_CURVES = {"ecdsa-sha2-nistp256": ("nistp256", 65), "ecdsa-sha2-nistp384": ("nistp384", 97),
           "ecdsa-sha2-nistp521": ("nistp521", 133), "sk-ecdsa-sha2-nistp256@openssh.com": ("nistp256", 65)}


def _strings(blob: bytes, key_type: str) -> list[bytes]:
    """The blob as SSH strings (a 4-byte length, then that many bytes), every byte accounted for."""
    parts, at = [], 0
    while at < len(blob):
        if len(blob) - at < 4:
            raise MalformedKey(f"the {key_type} key is truncated (its base64 is cut short?)")
        (length,) = struct.unpack(">I", blob[at:at + 4])
        if length > len(blob) - at - 4:
            raise MalformedKey(f"the {key_type} key is truncated (its base64 is cut short?)")
        parts.append(blob[at + 4:at + 4 + length])
        at += 4 + length
    return parts


def check_key_blob(key_type: str, blob: bytes) -> None:
    """The decoded key is what its type says, whole: the right fields, the right lengths, nothing after."""
    if len(blob) < 4:
        raise MalformedKey(f"the {key_type} key is too short")
    (length,) = struct.unpack(">I", blob[:4])
    embedded = blob[4 : 4 + length]
    if length > 64 or len(embedded) != length:
        raise MalformedKey(f"the {key_type} key is malformed (no key type inside)")
    if embedded != key_type.encode("ascii"):
        shown = embedded.decode("ascii", "replace").encode("unicode_escape").decode("ascii")
        raise MalformedKey(f"the key says {key_type} but its data is a {shown[:40]} key")
    if len(blob) <= 4 + length:
        raise MalformedKey(f"the {key_type} key has no key material")
    fields = _strings(blob, key_type)[1:]
    security_key = key_type.startswith("sk-")
    expected = {"ssh-ed25519": 1, "sk-ssh-ed25519@openssh.com": 2, "ssh-rsa": 2}.get(key_type, 3 if security_key else 2)
    if len(fields) != expected:
        raise MalformedKey(f"the {key_type} key is malformed ({len(fields)} fields where it has {expected})")
    if key_type in ("ssh-ed25519", "sk-ssh-ed25519@openssh.com") and len(fields[0]) != 32:
        raise MalformedKey(f"the {key_type} key is {len(fields[0])} bytes long, not 32 (its base64 is cut short?)")
    if key_type == "ssh-rsa":
        exponent, modulus = (int.from_bytes(f, "big") for f in fields)
        if exponent < 3 or exponent % 2 == 0 or modulus.bit_length() < 1024 or modulus.bit_length() > 16384:
            raise MalformedKey(f"the ssh-rsa key is not a usable RSA key ({modulus.bit_length()}-bit modulus; "
                               "OpenSSH needs 1024 to 16384 bits)")
    if key_type in _CURVES:
        curve, point = _CURVES[key_type]
        if fields[0] != curve.encode("ascii") or len(fields[1]) != point or fields[1][:1] != b"\x04":
            raise MalformedKey(f"the {key_type} key is malformed (not a {curve} point; its base64 is cut short?)")
    if security_key and not fields[-1]:
        raise MalformedKey(f"the {key_type} key names no application")


def read_key_argument(value: str) -> str:
    """PUBLIC_KEY: the key text itself, or the path of a .pub file."""
    if not value.strip() or value.split(maxsplit=1)[0] in KEY_TYPES:
        return value
    path = Path(value).expanduser()
    if path.is_file():
        try:
            lines = [l for l in path.read_text(encoding="utf-8").splitlines() if l.strip() and not l.startswith("#")]
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"{path}: cannot read the public key: {error}") from None
        if len(lines) != 1:
            raise MalformedKey(f"{path}: expected exactly one public key, found {len(lines)} lines")
        return lines[0]
    return value


# -- the authorized_keys file -------------------------------------------------------------------


def default_authorized_keys() -> Path:
    """~/.ssh/authorized_keys of the account running the command, by its home directory in the
    password database: the file sshd reads for that account, even when $HOME is someone else's
    (as it can be under `sudo -u`)."""
    try:
        home = pwd.getpwuid(os.geteuid()).pw_dir
    except KeyError:
        home = str(Path.home())
    return Path(home) / ".ssh" / "authorized_keys"


def read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines(keepends=True)
    except FileNotFoundError:
        return []
    except UnicodeDecodeError:
        raise CommandError(f"{path}: not a text file") from None


def pantry_keys(lines: list[str]) -> list[PantryKey]:
    found = []
    for index, line in enumerate(lines):
        match = _PANTRY_LINE.match(line.strip())
        if not match or line.lstrip().startswith("#"):
            continue
        try:
            words = shlex.split(match["command"].replace('\\"', '"'))
        except ValueError:
            continue
        if FLAG not in words:
            continue
        login = _option_value(words, "--as") or "?"
        database = _option_value(words, "--db") or ""
        try:
            key = parse_public_key(f"{match['type']} {match['blob']}")
            fingerprint, key_type = key.fingerprint, key.type
        except CommandError:
            fingerprint, key_type = "?", match["type"]
        found.append(PantryKey(index, login, database, key_type, fingerprint))
    return found


def _option_value(words: list[str], option: str) -> str | None:
    for i, word in enumerate(words):
        if word == option and i + 1 < len(words):
            return words[i + 1]
        if word.startswith(option + "="):
            return word.split("=", 1)[1]
    return None


def _blobs(lines: list[str]) -> dict[str, int]:
    """base64 key data -> line index, for every line that holds a key (Pantry's or not)."""
    seen = {}
    for index, line in enumerate(lines):
        if line.lstrip().startswith("#"):
            continue
        words = line.split()
        for i, word in enumerate(words[:-1]):
            if word in KEY_TYPES or word.startswith(("ssh-", "ecdsa-", "sk-")):
                seen.setdefault(words[i + 1], index)
                break
    return seen


def write_atomically(path: Path, lines: list[str]) -> None:
    """Replace `path` with `lines`: a temporary file in the same directory, fsync, rename.

    The file keeps its mode (600 when new) and, when root runs this, its owner: sshd reads
    authorized_keys as the account it belongs to, so a file (or .ssh directory) left owned by
    root would lock every key out. A new file or directory gets the owner of its parent.
    """
    path = Path(os.path.realpath(path))
    directory = path.parent
    if not directory.exists():
        directory.mkdir(mode=0o700, parents=True)
        _chown_like(directory, directory.parent)
    try:
        info = path.stat()
        mode, owner = stat.S_IMODE(info.st_mode), (info.st_uid, info.st_gid)
    except FileNotFoundError:
        info = directory.stat()
        mode, owner = 0o600, (info.st_uid, info.st_gid)
    fd, temp = tempfile.mkstemp(prefix=".authorized_keys.", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write("".join(lines))
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, mode)
        if os.geteuid() == 0:
            os.chown(temp, *owner)
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise


def pantry_executable(given: str | None) -> str:
    """The absolute path of the `pantry` sshd is to run: --pantry PATH, else the running one.

    sshd runs the forced command with a minimal PATH that does not include Pantry's venv, so
    the key line must name the executable in full. The running one is `sys.argv[0]` when it is
    the `pantry` script (also when it was started by its full path, not found on PATH), else
    the `pantry` next to the running Python (same venv), else the one on PATH.
    """
    if given is not None:
        path = os.path.expanduser(given.strip())
        if not os.path.isabs(path):
            raise CommandError(f"--pantry: expected an absolute path, got {given!r} "
                               "(sshd's PATH does not include Pantry's venv)")
        return os.path.normpath(path)
    candidates = []
    argv0 = sys.argv[0] if sys.argv else ""
    if argv0 and Path(argv0).name.startswith("pantry"):
        candidates.append(argv0)
    candidates.append(os.path.join(os.path.dirname(sys.executable), "pantry"))
    candidates.append(shutil.which("pantry") or "")
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return os.path.abspath(candidate)
    raise CommandError("cannot tell where the pantry executable is; name it with --pantry PATH")


def key_database_url(options: GlobalOptions) -> str:
    """--db as the forced command needs it: a SQLite file by its absolute path (sshd starts the
    command in the service account's home directory, not where `keys add` ran)."""
    url = database_url(options)
    if url.startswith("sqlite"):
        path = sqlite_path(url)
        if path is None:
            raise CommandError("--db: an in-memory database cannot be shared over SSH; name a file")
        url = sqlite_url(path)
    return url


def _chown_like(path: Path, model: Path) -> None:
    if os.geteuid() == 0:
        info = model.stat()
        os.chown(path, info.st_uid, info.st_gid)


def forced_command(pantry: str, login: str, db_url: str) -> str:
    """The key line's command. No --pipeline: the pipeline is the one stored in the database."""
    words = [pantry, FLAG, "--as", login, "--db", db_url]
    command = " ".join(shlex.quote(w) for w in words)
    if any(c in command for c in '"\\\n\r'):
        raise CommandError('cannot write a forced command containing ", \\ or a line break; '
                           "use a database URL and paths without them")
    return command


def key_line(key: PublicKey, login: str, command: str) -> str:
    return f'{OPTIONS_PREFIX}command="{command}" {key.type} {key.text} {login}\n'


# -- commands -----------------------------------------------------------------------------------


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        NAME, help="SSH keys that log in to Pantry as a user", allow_abbrev=False,
        description="Manage the Pantry lines of an authorized_keys file: each key logs in as one "
        "Pantry user, restricted to the TUI and a few read-only commands (docs/deploy-ssh.md).",
    )
    add_global_options(parser)
    inner = parser.add_subparsers(dest="keys_command", metavar="ACTION", required=True)

    add = inner.add_parser("add", help="let a public key log in as LOGIN", allow_abbrev=False,
                           description="Add PUBLIC_KEY (the text of a .pub file, or its path) for the user LOGIN, "
                           "who must exist in the database (--db). The key line runs "
                           "`/abs/path/pantry --ssh-gate --as LOGIN --db URL`.")
    add_global_options(add)
    add.add_argument("key_login", metavar="LOGIN", help="the Pantry user the key logs in as")
    add.add_argument("public_key", metavar="PUBLIC_KEY", help="'ssh-ed25519 AAAA... comment', or a .pub file")
    _file_option(add)
    add.add_argument("--pantry", metavar="PATH", default=None,
                     help="absolute path of the pantry executable sshd runs (default: the pantry running this "
                     "command, e.g. /opt/pantry/venv/bin/pantry)")
    add.set_defaults(handler=run_add)

    listing = inner.add_parser("list", help="the Pantry keys of the file", allow_abbrev=False)
    add_global_options(listing)
    _file_option(listing)
    listing.add_argument("--format", choices=("table", "json"), default="table")
    listing.set_defaults(handler=run_list)

    remove = inner.add_parser("remove", help="remove a login's keys, or one key by fingerprint", allow_abbrev=False)
    add_global_options(remove)
    remove.add_argument("target", metavar="LOGIN|FINGERPRINT", help="every key of LOGIN, or the key SHA256:...")
    _file_option(remove)
    remove.set_defaults(handler=run_remove)


def _file_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--authorized-keys", dest="authorized_keys", metavar="FILE", default=None,
                        help="the authorized_keys file (default: ~/.ssh/authorized_keys)")


def _path(args: argparse.Namespace) -> Path:
    return Path(args.authorized_keys).expanduser() if args.authorized_keys else default_authorized_keys()


def run_add(args: argparse.Namespace, options: GlobalOptions) -> int:
    key = parse_public_key(read_key_argument(args.public_key))
    pantry = pantry_executable(args.pantry)
    db_url = key_database_url(options)
    login = args.key_login.strip()
    with session_for(options, empty_hint=False) as session:
        user = session.user_by_login(login)
    if user is None:
        raise CommandError(f"no user with login {login!r} in this database (`pantry list users` shows the logins)")
    command = forced_command(pantry, user.login, db_url)
    path = _path(args)
    lines = read_lines(path)
    existing = _blobs(lines).get(key.text)
    if existing is not None:
        owner = next((k.login for k in pantry_keys(lines) if k.line_index == existing), None)
        where = f"for {owner}" if owner else "(not a Pantry line)"
        raise CommandError(f"{path}: this key ({key.fingerprint}) is already on line {existing + 1} {where}; "
                           "remove it first")
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    lines.append(key_line(key, user.login, command))
    write_atomically(path, lines)
    print(f"added {key.type} key {key.fingerprint} for {user.login} to {path}")
    return 0


def run_list(args: argparse.Namespace, options: GlobalOptions) -> int:
    path = _path(args)
    found = [k.as_json() for k in pantry_keys(read_lines(path))]
    if args.format == "json":
        write_json_list(found, sys.stdout)
        return 0
    write_table(found, (col("Login", "login"), col("Type", "type"), col("Fingerprint", "fingerprint"),
                        col("Database", "database")), sys.stdout)
    sys.stdout.write(f"\n{len(found):,} keys in {path}\n")
    return 0


def run_remove(args: argparse.Namespace, options: GlobalOptions) -> int:
    path = _path(args)
    lines = read_lines(path)
    target = args.target.strip()
    by_fingerprint = target.startswith("SHA256:")
    wanted = target if by_fingerprint else None
    doomed = [k for k in pantry_keys(lines)
              if (k.fingerprint == wanted if by_fingerprint else k.login == target)]
    if not doomed:
        what = f"key {target}" if by_fingerprint else f"keys for {target!r}"
        raise CommandError(f"{path}: no Pantry {what} (`pantry keys list` shows them)")
    gone = {k.line_index for k in doomed}
    write_atomically(path, [line for i, line in enumerate(lines) if i not in gone])
    for k in doomed:
        print(f"removed {k.type} key {k.fingerprint} of {k.login} from {path}")
    return 0

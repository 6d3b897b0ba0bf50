"""``station``: serve the correction station, start the demo, create a user (the first
administrator of an empty station), verify the audit log (and re-sign its lost head) and
re-derive every score, upgrade the database's schema."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from station.config import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI
    from sqlalchemy import Engine

DEFAULT_DATA = Path("station-data")


def _settings(args: argparse.Namespace) -> Settings:
    return Settings(data_dir=Path(args.data).resolve(), database_url=args.db)


def _storage_failure(command: str, url: str, error: Exception) -> int:
    """Say in one line why the database at ``url`` could not be used; exit status 2."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, DBAPIError

    cause = error.orig if isinstance(error, DBAPIError) else error
    reason = next((line.strip() for line in str(cause).splitlines() if line.strip()), "")
    try:
        where = make_url(url).render_as_string(hide_password=True)
    except ArgumentError:  # an unparsable URL is shown as given
        where = url
    print(f"station {command}: {where}: {reason or type(cause).__name__}", file=sys.stderr)
    return 2


def _storage_errors() -> tuple[type[Exception], ...]:
    """What opening, reading or upgrading a database raises when it cannot be done."""
    from alembic.util import CommandError
    from sqlalchemy.exc import SQLAlchemyError

    from station.storage.schema import SchemaError

    return SQLAlchemyError, CommandError, SchemaError


def _app(command: str, settings: Settings) -> FastAPI | None:
    """The station app (schema upgraded), or None once the failure is said."""
    from station.app import create_app

    try:
        return create_app(settings)
    except _storage_errors() as error:
        _storage_failure(command, settings.db_url, error)
        return None


def _serve(app: FastAPI, host: str, port: int) -> None:
    import uvicorn

    uvicorn.run(app, host=host, port=port, log_level="info")


def cmd_serve(args: argparse.Namespace) -> int:
    """Upgrade the schema, then serve the station."""
    app = _app("serve", _settings(args))
    if app is None:
        return 2
    _serve(app, args.host, args.port)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Set up the demo exam (once) and serve it."""
    from station.demo import USERS, set_up_demo
    from station.storage.models import Exam

    settings = _settings(args)
    app = _app("demo", settings)
    if app is None:
        return 2
    with app.state.sessions() as session, session.begin():
        if session.query(Exam).count() == 0:
            set_up_demo(session, settings)
    print(
        f"Stația de corectură: http://{args.host}:{args.port}/  (API: /docs)\n"
        f"Date: {settings.data_dir}\nUtilizatori (parola = numele): "
        + ", ".join(f"{name} ({role})" for name, role, _ in USERS),
        flush=True,
    )
    _serve(app, args.host, args.port)
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    """Create a user with the password typed (or the first line of standard input): exit 0
    when created, 1 when refused (the name taken, the password too short), 2 when the
    station cannot be opened. The station is made when the data folder is empty."""
    from station.errors import StationError
    from station.services.users import create_user

    app = _app("user add", _settings(args))
    if app is None:
        return 2
    if sys.stdin.isatty():
        password = getpass.getpass(f"password for {args.username}: ")
    else:
        password = sys.stdin.readline().rstrip("\n")
    try:
        with app.state.sessions() as session, session.begin():
            create_user(
                session,
                username=args.username,
                password=password,
                role=args.role,
                full_name=args.full_name,
            )
    except StationError as refusal:
        print(f"station user add: {refusal.problem.message}", file=sys.stderr)
        return 1
    print(f"user {args.username} ({args.role}) created")
    return 0


def _sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory SQLite)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


@contextmanager
def _engine(url: str) -> Iterator[Engine]:
    """An engine for one command, disposed when it is done."""
    from station.storage.db import make_engine

    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    """Bring the database to the newest schema revision (an empty one is built)."""
    from station.storage.schema import current_revision, upgrade

    url = _settings(args).db_url
    try:
        path = _sqlite_file(url)
        if path is not None and not path.parent.is_dir():
            print(f"station db upgrade: no folder {path.parent}", file=sys.stderr)
            return 2
        with _engine(url) as engine:
            upgrade(engine)
            revision = current_revision(engine)
    except _storage_errors() as error:
        return _storage_failure("db upgrade", url, error)
    print(f"schema at revision {revision} (head)")
    return 0


def _no_database(command: str, url: str) -> bool:
    """Say so when ``url`` is a SQLite file that does not exist (nothing is created)."""
    path = _sqlite_file(url)
    if path is not None and not path.exists():
        print(f"station {command}: no database at {path}", file=sys.stderr)
        return True
    return False


def cmd_db_current(args: argparse.Namespace) -> int:
    """Print the database's schema revision and whether it is the newest."""
    from station.storage.schema import current_revision, head_revision

    url = _settings(args).db_url
    try:
        if _no_database("db current", url):
            return 2
        with _engine(url) as engine:
            revision = current_revision(engine)
    except _storage_errors() as error:
        return _storage_failure("db current", url, error)
    head = head_revision()
    if revision == head:
        print(f"{revision} (head)")
    else:
        print(f"{revision or 'no revision'} (not head: head is {head}; run station db upgrade)")
    return 0


def _existing_station(command: str, args: argparse.Namespace) -> Settings | None:
    """The settings of a station that exists: its key in the data folder, its database
    there (or at ``--db``); None once the refusal is said (nothing is created)."""
    settings = _settings(args)
    path = _sqlite_file(settings.db_url)
    if not (settings.data_dir / "signing.key").is_file():
        print(f"station {command}: no station key in {settings.data_dir}", file=sys.stderr)
        return None
    if path is not None and not path.is_file():
        print(f"station {command}: no database at {path}", file=sys.stderr)
        return None
    return settings


def _report(command: str, problems: list[str], summary: str) -> int:
    """Print each problem and the summary; exit 1 when something does not match."""
    for problem in problems:
        print(f"station {command}: {problem}", file=sys.stderr)
    print(f"{summary}: {'intact' if not problems else f'{len(problems)} problem(s)'}")
    return 1 if problems else 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """Check the keyed audit chain and its signed head: exit 0 when intact, 1 with the
    problems, 2 without a station."""
    from station.services.audit import Seal, verify_chain
    from station.storage.db import make_sessions
    from station.storage.models import AuditEntry

    settings = _existing_station("audit verify", args)
    if settings is None:
        return 2
    try:
        with _engine(settings.db_url) as engine, make_sessions(engine)() as session:
            problems = verify_chain(session, Seal.of(settings))
            count = session.query(AuditEntry).count()
    except _storage_errors() as error:
        return _storage_failure("audit verify", settings.db_url, error)
    return _report("audit", problems, f"{count} entries, chain")


def cmd_audit_resign(args: argparse.Namespace) -> int:
    """Re-sign a missing or unreadable audit head, as an administrator: exit 0 when signed,
    1 when refused (the head is present, the chain does not verify, not an administrator),
    2 without a station."""
    from sqlalchemy import select

    from station.services.audit import ResignRefused, Seal, resign_head, write_resigned_head
    from station.storage.db import make_sessions
    from station.storage.models import User

    settings = _existing_station("audit resign", args)
    if settings is None:
        return 2
    seal = Seal.of(settings)
    try:
        with _engine(settings.db_url) as engine:
            sessions = make_sessions(engine)
            sessions.configure(info={"audit_seal": seal})
            with sessions() as session, session.begin():
                admin = session.scalars(select(User).where(User.username == args.by)).first()
                if admin is None:
                    raise ResignRefused(f"no user {args.by}")
                written, legacy = resign_head(session, seal, actor=admin)
    except ResignRefused as refusal:
        print(f"station audit resign: {refusal}", file=sys.stderr)
        return 1
    except _storage_errors() as error:
        return _storage_failure("audit resign", settings.db_url, error)
    write_resigned_head(seal, written, legacy=legacy)
    print(f"head re-signed at entry {written[0]} by {args.by}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """Re-derive every score from its stored scan; check scans, marks, decisions and the
    chain: exit 0 when everything matches, 1 naming each mismatch, 2 without a station."""
    from station.services.verify import verify_station
    from station.storage.db import make_sessions
    from station.storage.models import Reading

    settings = _existing_station("verify", args)
    if settings is None:
        return 2
    try:
        with _engine(settings.db_url) as engine, make_sessions(engine)() as session:
            problems = verify_station(session, settings)
            count = session.query(Reading).count()
    except _storage_errors() as error:
        return _storage_failure("verify", settings.db_url, error)
    return _report("verify", problems, f"{count} readings re-derived, station")


def cmd_bundle_verify(args: argparse.Namespace) -> int:
    """Check a room bundle's signature with this station's signing key."""
    from station.services.export import verify_bundle

    document = json.loads(Path(args.bundle).read_text(encoding="utf-8"))
    good = verify_bundle(document, _settings(args).signing_key())
    print("signature valid" if good else "signature INVALID")
    return 0 if good else 1


def cmd_scan(args: argparse.Namespace) -> int:
    """Scan a batch with SANE's ``scanimage`` straight into a room's hot folder."""
    if shutil.which("scanimage") is None:
        print("station scan: scanimage (package sane-utils) is not installed", file=sys.stderr)
        return 2
    folder = _settings(args).hot_dir / args.exam / args.room
    folder.mkdir(parents=True, exist_ok=True)
    command = ["scanimage", "--format=png", "--resolution", str(args.dpi), "--mode", "Color"]
    command += ["--batch=" + str(folder / f"{args.prefix}-%04d.png")]
    if args.device:
        command += ["--device-name", args.device]
    return subprocess.run(command, check=False).returncode


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="station", description="Correction station")
    commands = parser.add_subparsers(dest="command", required=True)

    def storage_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--data", default=str(DEFAULT_DATA), help="data folder")
        sub.add_argument("--db", help="database URL (default: SQLite in the data folder)")

    for name, run, help_text in (
        ("serve", cmd_serve, "serve the station"),
        ("demo", cmd_demo, "serve the bundled demo exam"),
    ):
        sub = commands.add_parser(name, help=help_text)
        storage_options(sub)
        sub.add_argument("--host", default="127.0.0.1")
        sub.add_argument("--port", type=int, default=8000)
        sub.set_defaults(run=run)
    commands.choices["demo"].set_defaults(data="station-demo")
    audit = commands.add_parser("audit", help="the audit log").add_subparsers(
        dest="what", required=True
    )
    verify = audit.add_parser("verify", help="check the keyed chain and its signed head")
    storage_options(verify)
    verify.set_defaults(run=cmd_audit_verify)
    resign = audit.add_parser(
        "resign", help="re-sign a missing audit head (administrator; the chain must verify)"
    )
    storage_options(resign)
    resign.add_argument("--by", required=True, help="the administrator's username")
    resign.set_defaults(run=cmd_audit_resign)
    user = commands.add_parser("user", help="the station's users").add_subparsers(
        dest="what", required=True
    )
    add = user.add_parser("add", help="create an administrator or a committee member")
    storage_options(add)
    add.add_argument("username")
    add.add_argument("--role", choices=("admin", "committee"), default="admin")
    add.add_argument("--full-name", default="", help="the name people read (default: username)")
    add.set_defaults(run=cmd_user_add)
    rederive = commands.add_parser("verify", help="re-derive every score from its stored scan")
    storage_options(rederive)
    rederive.set_defaults(run=cmd_verify)
    bundle = commands.add_parser("bundle", help="export bundles").add_subparsers(
        dest="what", required=True
    )
    check = bundle.add_parser("verify", help="check a bundle's signature")
    check.add_argument("bundle")
    storage_options(check)
    check.set_defaults(run=cmd_bundle_verify)
    scan = commands.add_parser("scan", help="scan with scanimage into a room's hot folder")
    storage_options(scan)
    scan.add_argument("--exam", required=True)
    scan.add_argument("--room", required=True)
    scan.add_argument("--dpi", type=int, default=200)
    scan.add_argument("--device")
    scan.add_argument("--prefix", default="scan")
    scan.set_defaults(run=cmd_scan)
    db = commands.add_parser("db", help="the database's schema").add_subparsers(
        dest="what", required=True
    )
    for name, run, help_text in (
        ("upgrade", cmd_db_upgrade, "upgrade the schema to the newest revision"),
        ("current", cmd_db_current, "print the schema revision"),
    ):
        sub = db.add_parser(name, help=help_text)
        storage_options(sub)
        sub.set_defaults(run=run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``station`` command."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # the schema module says what it did
    args = _parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())

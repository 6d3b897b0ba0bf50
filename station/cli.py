"""``station``: serve the correction station, start the demo, verify the audit log."""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path

from station.config import Settings

DEFAULT_DATA = Path("station-data")


def _settings(args: argparse.Namespace) -> Settings:
    return Settings(data_dir=Path(args.data).resolve(), database_url=args.db)


def _serve(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    from station.app import create_app

    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


def cmd_serve(args: argparse.Namespace) -> int:
    _serve(_settings(args), args.host, args.port)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Set up the demo exam (once) and serve it."""
    from station.demo import USERS, set_up_demo
    from station.storage.db import make_engine, make_sessions

    settings = _settings(args)
    settings.prepare()
    engine = make_engine(settings.db_url)
    with make_sessions(engine)() as session, session.begin():
        from station.storage.models import Exam

        if session.query(Exam).count() == 0:
            set_up_demo(session, settings)
    engine.dispose()
    print(
        f"Stația de corectură: http://{args.host}:{args.port}/  (API: /docs)\n"
        f"Date: {settings.data_dir}\nUtilizatori (parola = numele): "
        + ", ".join(f"{name} ({role})" for name, role, _ in USERS),
        flush=True,
    )
    _serve(settings, args.host, args.port)
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """Check the audit hash chain: exit 0 when intact, 1 with the problems otherwise."""
    from station.services.audit import verify_chain
    from station.storage.db import make_engine, make_sessions
    from station.storage.models import AuditEntry

    engine = make_engine(_settings(args).db_url)
    with make_sessions(engine)() as session:
        problems = verify_chain(session)
        count = session.query(AuditEntry).count()
    for problem in problems:
        print(f"station audit: {problem}", file=sys.stderr)
    print(f"{count} entries, chain {'intact' if not problems else 'BROKEN'}")
    return 1 if problems else 0


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
    verify = audit.add_parser("verify", help="check the hash chain")
    storage_options(verify)
    verify.set_defaults(run=cmd_audit_verify)
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
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``station`` command."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = _parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())

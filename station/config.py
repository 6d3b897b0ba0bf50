"""Station settings: one object built by the CLI (or a test) and handed to the app."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """Where the station keeps its data and how it serves."""

    data_dir: Path
    database_url: str | None = None  # None: SQLite in data_dir
    max_upload_bytes: int = 40 * 1024 * 1024
    max_pages_per_file: int = 500  # a longer file is refused, not read for minutes
    max_files_per_request: int = 100  # an upload of more is refused
    max_request_bytes: int = 200 * 1024 * 1024  # checked from Content-Length and as it arrives
    min_free_bytes: int = 500 * 1024 * 1024  # less free space: the pages show a warning
    retry_seconds: float = 30.0  # scans a failure left unread (a full disk) are read again
    # Scans read at once, page by page: one large file never holds up the other rooms'
    # sheets, and the readings of some are stored while others' pages are read.
    reading_threads: int = 4
    reading_processes: int = 2  # that read the pages (0: read in the threads themselves)
    hot_poll_seconds: float = 1.0
    # A hot-folder file is taken once unchanged this long and whole by its format's end
    # (a scanner pausing 2.5 s mid-file is waited for), or once unchanged for
    # hot_incomplete_seconds however it ends (then refused or rejected with its reason).
    hot_quiet_seconds: float = 5.0
    hot_incomplete_seconds: float = 300.0
    session_hours: float = 12.0
    watch_hot_folder: bool = True

    @property
    def db_url(self) -> str:
        """The SQLAlchemy URL of the storage."""
        return self.database_url or f"sqlite:///{self.data_dir / 'station.db'}"

    @property
    def scans_dir(self) -> Path:
        """Scanned files, stored by content hash."""
        return self.data_dir / "scans"

    @property
    def incoming_dir(self) -> Path:
        """Received files being written (``*.part``), cleared at start."""
        return self.data_dir / "incoming"

    @property
    def overlays_dir(self) -> Path:
        """Overlay images of the readings."""
        return self.data_dir / "overlays"

    @property
    def hot_dir(self) -> Path:
        """The hot folder: ``hot/<EXAM>/<ROOM>/`` receives the scanner's files."""
        return self.data_dir / "hot"

    def signing_key(self) -> bytes:
        """The key that signs export bundles (made on first use, kept in the data folder)."""
        path = self.data_dir / "signing.key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            with path.open("x") as handle:
                handle.write(secrets.token_hex(32))
            path.chmod(0o600)
        return bytes.fromhex(path.read_text().strip())

    def prepare(self) -> None:
        """Create the data folders."""
        for folder in (
            self.data_dir,
            self.scans_dir,
            self.incoming_dir,
            self.overlays_dir,
            self.hot_dir,
        ):
            folder.mkdir(parents=True, exist_ok=True)

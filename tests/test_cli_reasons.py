"""``omr reasons``: the reason registry, as lines or as JSON."""

from __future__ import annotations

import json

from omr.cli.main import main
from omr.vocabulary.reasons import Reason


def test_reasons_json_lists_every_code(capsys) -> None:
    assert main(["reasons", "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert len(entries) == len(Reason)
    for entry in entries:
        assert set(entry) == {"code", "severity", "message_ro", "message_en"}
        assert entry["message_ro"] and entry["message_en"]
    by_code = {entry["code"]: entry for entry in entries}
    assert by_code["markers_not_found"]["severity"] == "reject"
    assert by_code["key_invalid"]["severity"] == "error"


def test_reasons_json_keeps_the_romanian_letters(capsys) -> None:
    main(["reasons", "--json"])
    assert "fișierul" in capsys.readouterr().out  # ensure_ascii=False: no \u escapes


def test_reasons_lines(capsys) -> None:
    assert main(["reasons"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(Reason)
    code, severity, message = lines[0].split(maxsplit=2)
    first = next(iter(Reason))
    assert (code, severity, message) == (first, first.severity, first.message_en)

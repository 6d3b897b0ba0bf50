"""Write the reason registry's table into ``docs/reading-format.md``.

python tools/write_reason_table.py
"""

from __future__ import annotations

from pathlib import Path

from omr.vocabulary.reasons import markdown_table

DOCS = Path(__file__).resolve().parents[1] / "docs" / "reading-format.md"
TABLE_START, TABLE_END = "<!-- reasons:start -->", "<!-- reasons:end -->"


def main() -> None:
    text = DOCS.read_text()
    head, rest = text.split(TABLE_START, 1)
    _, tail = rest.split(TABLE_END, 1)
    DOCS.write_text(f"{head}{TABLE_START}\n{markdown_table()}{TABLE_END}{tail}")


if __name__ == "__main__":
    main()

"""Whether a scanner's file is whole: the format's own end is there.

A JPEG ends with its EOI marker, a PNG with its IEND chunk, a PDF with ``%%EOF``; a TIFF's
chain of IFDs ends with a zero link, and every IFD, every value stored apart from it and
the strips or tiles it names lie inside the file. Only the file's tail and its TIFF
directories are read. A file of another kind is whole as far as this module can tell (the
reader refuses it later with a reason).
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

TAIL_BYTES = 2048  # a PDF's %%EOF, a JPEG's EOI and a PNG's IEND sit in its last bytes
_PNG_END = b"IEND\xaeB`\x82"
_OFFSETS_AND_COUNTS = ((273, 279), (324, 325))  # strips, tiles
_SIZES = {3: 2, 4: 4}  # SHORT, LONG
# bytes of one value of each TIFF field type (BYTE, ASCII, SHORT, LONG, RATIONAL, …, IFD)
_TYPE_BYTES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}


def is_complete(path: Path) -> bool:
    """Whether ``path`` holds its format's end (False while a scanner still writes it)."""
    try:
        with path.open("rb") as handle:
            size = path.stat().st_size
            head = handle.read(8)
            handle.seek(max(0, size - TAIL_BYTES))
            tail = handle.read()
            if head[:4] in (b"II*\x00", b"MM\x00*"):
                return _tiff_complete(handle, size, "<" if head[:2] == b"II" else ">")
    except (OSError, struct.error):
        return False
    if head.startswith(b"\xff\xd8"):
        return tail.rstrip(b"\x00\r\n ").endswith(b"\xff\xd9")
    if head.startswith(b"\x89PNG"):
        return tail.endswith(_PNG_END)
    if head.startswith(b"%PDF"):
        return b"%%EOF" in tail
    return True


def _tiff_complete(handle: BinaryIO, size: int, order: str) -> bool:
    """Every IFD of the chain, and the data each names, lie inside the file."""
    handle.seek(4)
    (offset,) = struct.unpack(order + "I", handle.read(4))
    seen: set[int] = set()
    while offset:
        if offset in seen or offset + 2 > size:
            return False
        seen.add(offset)
        handle.seek(offset)
        (count,) = struct.unpack(order + "H", handle.read(2))
        body = handle.read(12 * count + 4)
        if len(body) < 12 * count + 4:
            return False
        entries = {
            tag: (kind, number, value)
            for tag, kind, number, value in struct.iter_unpack(order + "HHII", body[: 12 * count])
        }
        for kind, number, value in entries.values():
            length = _TYPE_BYTES.get(kind, 1) * number
            if length > 4 and value + length > size:  # a value stored past the end
                return False
        for where, length in _OFFSETS_AND_COUNTS:
            if where in entries and length in entries:
                starts = _values(handle, order, entries[where], size)
                lengths = _values(handle, order, entries[length], size)
                if starts is None or lengths is None:
                    return False
                if any(start + n > size for start, n in zip(starts, lengths, strict=False)):
                    return False
        (offset,) = struct.unpack(order + "I", body[-4:])
    return True


def _values(
    handle: BinaryIO, order: str, entry: tuple[int, int, int], size: int
) -> list[int] | None:
    """An IFD entry's SHORT or LONG values (inline or at their offset); None when they
    lie past the end of the file or are of another type."""
    kind, number, value = entry
    width = _SIZES.get(kind)
    if width is None:
        return None
    letter = "H" if width == 2 else "I"
    if number * width <= 4:
        packed = struct.pack(order + "I", value)[: number * width]
    else:
        if value + number * width > size:
            return None
        handle.seek(value)
        packed = handle.read(number * width)
    return list(struct.unpack(f"{order}{number}{letter}", packed))

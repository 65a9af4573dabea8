"""Each Chinese character's pinyin syllable, from a table saved once instead of importing pypinyin at each start.

The index reads sounds one character at a time, and only characters of the
CJK ranges ([\u3400-\u4dbf\u4e00-\u9fff], 27,584 of them).  Importing
pypinyin reads its whole character table (about 0.1 s, a third of answering
one question from a warm index cache), so the syllables pypinyin gives those
characters are saved once, with the first index built in a cache folder, in a
file named for the installed pypinyin (its files' names, sizes and times), and
read back (a few milliseconds) at the next start.  The values are pypinyin's
own; a character missing from the table, a missing or damaged file, or an
unwritable folder means asking pypinyin, imported then.

pypinyin is imported without its phrase table (PYPINYIN_NO_PHRASES, 2.5 MB):
it only serves whole phrases, and single characters read the same with or
without it (tests/test_cache.py holds the two side by side).
"""

from __future__ import annotations

import hashlib
import importlib.util
import marshal
import os
import sys
import tempfile
from pathlib import Path
from typing import Callable

FORMAT = b"pinyin-table-1"  # per character: lazy_pinyin(ch, errors="ignore")[0], or None when that is empty
RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000))  # the characters index.expand reads the sound of

_table: dict[str, str | None] | None = None  # character → syllable (None when pypinyin has none)
_lazy_pinyin: Callable | None = None
_MISSING = object()


def syllable(ch: str) -> str | None:
    """The toneless pinyin pypinyin gives one character: lazy_pinyin(ch, errors="ignore")[0]; None if it has none."""
    table = _table
    if table is not None:
        found = table.get(ch, _MISSING)
        if found is not _MISSING:
            return found  # type: ignore[return-value]
    syllables = lazy_pinyin()(ch, errors="ignore")
    return syllables[0] if syllables else None


def lazy_pinyin() -> Callable:
    """pypinyin.lazy_pinyin, imported on first use without the phrase table."""
    global _lazy_pinyin
    if _lazy_pinyin is None:
        if "pypinyin" in sys.modules or "PYPINYIN_NO_PHRASES" in os.environ:
            from pypinyin import lazy_pinyin as function
        else:
            os.environ["PYPINYIN_NO_PHRASES"] = "1"
            try:
                from pypinyin import lazy_pinyin as function
            finally:
                del os.environ["PYPINYIN_NO_PHRASES"]
        _lazy_pinyin = function
    return _lazy_pinyin


def file_name() -> str | None:
    """The table's file name for the installed pypinyin; None when it cannot be found."""
    try:
        spec = importlib.util.find_spec("pypinyin")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    digest = hashlib.blake2b(FORMAT, digest_size=8)
    package = os.path.dirname(spec.origin)
    digest.update(package.encode() + b"\0")
    try:
        for folder, folders, files in os.walk(package):
            folders.sort()
            for name in sorted(files):
                if name.endswith((".py", ".json", ".txt")):
                    stat = os.stat(os.path.join(folder, name))
                    relative = os.path.relpath(os.path.join(folder, name), package)
                    digest.update(f"{relative}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    except OSError:
        return None
    return f"pinyin-{digest.hexdigest()}.table"


def _digest(blob: bytes) -> bytes:
    return hashlib.blake2b(blob, digest_size=16).digest()


def install(folder: Path) -> bool:
    """Read syllables from the table in `folder` from now on; False (nothing changed) when there is no valid one."""
    global _table
    if _table is not None:
        return True
    name = file_name()
    if name is None:
        return False
    try:
        data = (folder / name).read_bytes()
        blob, digest = data[:-16], data[-16:]
        if _digest(blob) != digest:
            return False
        tag, table = marshal.loads(blob)
    except (OSError, ValueError, EOFError, TypeError):
        return False
    if tag != FORMAT or not isinstance(table, dict):
        return False
    _table = table
    return True


def save(folder: Path) -> bool:
    """Work out the table with pypinyin and write it into `folder` (once); then read syllables from it."""
    global _table
    name = file_name()
    if name is None:
        return False
    path = folder / name
    if path.exists():
        return install(folder)
    table = {ch: syllable(ch) for start, end in RANGES for ch in map(chr, range(start, end))}
    blob = marshal.dumps((FORMAT, table))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=".pinyin-", suffix=".tmp")
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(blob + _digest(blob))
        os.replace(temporary, path)
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        return False
    _table = table
    return True

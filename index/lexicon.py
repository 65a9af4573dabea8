"""jieba's dictionary, read piece by piece on demand instead of all at start.

jieba keeps its whole dictionary (349,046 words and every prefix of them,
498,113 entries) in one dict, and loading it takes about a second: most of
a question's start-up.  Answering one question looks up a few hundred
entries.  So the dictionary is saved once, split by first character into
small marshalled buckets with an offset table, and a `LazyFreq` stands in
for jieba's dict: the first lookup of a word starting with 东 reads the 东
bucket (a few hundred entries, microseconds), and nothing else.

The values are jieba's own, byte for byte (the buckets are written from the
dictionary jieba loaded, and each bucket's checksum is verified when it is
read), so segmentation and word frequencies are exactly those of the full
dictionary; on any doubt (a damaged file, a custom jieba dictionary) jieba
loads its own dictionary as usual.
"""

from __future__ import annotations

import hashlib
import marshal
import mmap
import os
import struct
import tempfile
import threading
from functools import lru_cache
from collections.abc import Iterator
from pathlib import Path

import jieba

FORMAT = b"jieba-lazy-1"
FLOOR_COUNT = 3  # jieba's dictionary gives this count (or less) to the words it lists without having counted them
_HEADER = struct.Struct("<12sQ")  # format tag, header length


def _default_dictionary() -> Path:
    return Path(os.path.dirname(jieba.__file__)) / jieba.DEFAULT_DICT_NAME


def file_name() -> str | None:
    """The bucket file's name for the installed jieba and its dictionary; None when jieba uses another one."""
    if jieba.dt.dictionary not in (None, jieba.DEFAULT_DICT):
        return None
    try:
        stat = _default_dictionary().stat()
    except OSError:
        return None
    tag = f"{jieba.__version__}-{stat.st_size}-{stat.st_mtime_ns}".encode()
    return f"jieba-{hashlib.blake2b(tag, digest_size=8).hexdigest()}.dict"


def _digest(blob: bytes) -> bytes:
    return hashlib.blake2b(blob, digest_size=16).digest()


def write(path: Path, freq: dict[str, int], total: int) -> None:
    """Save a jieba FREQ dict as first-character buckets, atomically."""
    buckets: dict[str, dict[str, int]] = {}
    for word, count in freq.items():
        buckets.setdefault(word[:1], {})[word] = count
    blobs: list[bytes] = []
    table: dict[str, tuple[int, int, bytes]] = {}
    offset = 0
    for first, bucket in buckets.items():
        blob = marshal.dumps(bucket)
        table[first] = (offset, len(blob), _digest(blob))
        blobs.append(blob)
        offset += len(blob)
    header = marshal.dumps((total, table))
    header += _digest(header)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".jieba-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(_HEADER.pack(FORMAT, len(header)))
            out.write(header)
            for blob in blobs:
                out.write(blob)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


class LazyFreq:
    """jieba's FREQ dict, a bucket per first character read from disk when first needed.

    Supports what jieba and this package do with FREQ: `in`, `[]`, `.get`, and
    setting entries (jieba.add_word).  When a bucket cannot be read or fails
    its checksum, `fallback` is called once; it must return the full dict,
    which answers from then on.
    """

    def __init__(self, path: Path, fallback) -> None:
        with open(path, "rb") as file:
            self._map = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        tag, length = _HEADER.unpack_from(self._map, 0)
        if tag != FORMAT:
            raise ValueError("not a jieba bucket file")
        start = _HEADER.size
        header, digest = self._map[start:start + length - 16], self._map[start + length - 16:start + length]
        if _digest(header) != digest:
            raise ValueError("damaged jieba bucket file header")
        self.total, self._table = marshal.loads(header)
        self._body = start + length
        self._buckets: dict[str, dict[str, int]] = {}
        self._fallback = fallback
        self._full: dict[str, int] | None = None
        self._lock = threading.Lock()

    def _bucket(self, word: str) -> dict[str, int]:
        first = word[:1]
        bucket = self._buckets.get(first)
        if bucket is not None:
            return bucket
        if self._full is not None:
            return self._full
        entry = self._table.get(first)
        if entry is None:
            bucket = {}
        else:
            offset, length, digest = entry
            blob = self._map[self._body + offset:self._body + offset + length]
            if _digest(blob) != digest:
                with self._lock:
                    if self._full is None:
                        self._full = self._fallback()
                return self._full
            bucket = marshal.loads(blob)
        self._buckets[first] = bucket
        return bucket

    # the read buckets answer directly; the rest goes through _bucket (jieba asks thousands of times a second)
    def __contains__(self, word: object) -> bool:
        try:
            return word in self._buckets[word[0]]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            return isinstance(word, str) and word in self._bucket(word)

    def __getitem__(self, word: str) -> int:
        try:
            return self._buckets[word[0]][word]
        except (KeyError, IndexError):
            return self._bucket(word)[word]

    def get(self, word: str, default: int | None = None) -> int | None:
        try:
            return self._buckets[word[0]].get(word, default)
        except (KeyError, IndexError):
            return self._bucket(word).get(word, default)

    def __setitem__(self, word: str, count: int) -> None:
        self._bucket(word)[word] = count

    def __iter__(self) -> Iterator[str]:  # the whole dictionary: reads every bucket
        for first in self._table:
            yield from self._bucket(first)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    @property
    def loaded(self) -> int:
        """How many buckets have been read."""
        return len(self._buckets)


def install(folder: Path) -> bool:
    """Let jieba read its dictionary lazily from the bucket file in `folder`, when there is a valid one.

    Does nothing (False) when jieba has already loaded a dictionary, uses a
    custom one, or the file is missing or damaged.
    """
    if jieba.dt.initialized:
        return False
    name = file_name()
    if name is None:
        return False
    try:
        freq = LazyFreq(folder / name, _load_full_dictionary)
    except (OSError, ValueError, EOFError, TypeError, struct.error):
        return False
    with jieba.dt.lock:
        if jieba.dt.initialized:
            return False
        jieba.dt.FREQ = freq
        jieba.dt.total = freq.total
        jieba.dt.initialized = True
    return True


def is_lazy() -> bool:
    return isinstance(jieba.dt.FREQ, LazyFreq)


def _load_full_dictionary() -> dict[str, int]:
    """jieba's own loading (from its own cache in the temp folder), as if nothing had been installed."""
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    jieba.dt.FREQ, jieba.dt.total = tokenizer.FREQ, tokenizer.total
    return tokenizer.FREQ


def use_full() -> None:
    """Make jieba hold its whole dictionary in memory (the fastest for segmenting much text)."""
    if is_lazy():
        _load_full_dictionary()
    elif not jieba.dt.initialized:
        jieba.dt.initialize()


def save(folder: Path) -> bool:
    """Write the bucket file for the next start, when jieba holds its full default dictionary and none is saved."""
    name = file_name()
    if name is None or not jieba.dt.initialized or is_lazy():
        return False
    path = folder / name
    if path.exists():
        return False
    try:
        write(path, jieba.dt.FREQ, jieba.dt.total)
    except OSError:
        return False
    return True


@lru_cache(maxsize=4096)
def tag_of(word: str) -> str | None:
    """jieba's part-of-speech tag for a word of its default dictionary (ns: a place name); None when absent.

    Looked up in the dictionary file itself, only when a question needs it,
    so the tags cost nothing at start.
    """
    key = word.encode("utf-8") + b" "
    try:
        with open(_default_dictionary(), "rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
            if data[:len(key)] == key:
                start = 0
            else:
                start = data.find(b"\n" + key) + 1
                if start == 0:
                    return None
            line = data[start:data.find(b"\n", start)].decode("utf-8").split()
    except (OSError, ValueError):
        return None
    return line[2] if len(line) >= 3 else None


def is_listed(word: str) -> bool:
    """jieba's dictionary lists the word, counted or not (常住人口)."""
    return count(word) > 0


def is_counted(word: str) -> bool:
    """jieba's dictionary lists the word with a count of its own: a word people write, not a typo."""
    return count(word) > FLOOR_COUNT


def count(word: str) -> int:
    """jieba's count of the word; 0 when it is not listed (or is only the opening of listed words)."""
    return _dictionary().FREQ.get(word) or 0


def total() -> int:
    """The sum of jieba's counts: what a word's count is a share of."""
    return _dictionary().total


def _dictionary() -> jieba.Tokenizer:
    dictionary = jieba.dt
    if not dictionary.initialized:
        dictionary.initialize()
    return dictionary

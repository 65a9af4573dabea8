"""Articles → passages → index → answers (see README).  Importing the package prepares jieba for a
quick start, without changing what it computes:

- jieba imports pkg_resources (0.2 s, deprecated) only to find its own dictionary file; without it,
  jieba opens the same file by path.  It is hidden while jieba is imported, and only then.
- pypinyin is not imported here: index/pinyin.py imports it only when a character's syllable is not
  in its saved table, and then without the phrase table.
"""

from __future__ import annotations

import sys


def _import_quickly() -> None:
    if "jieba" not in sys.modules and "pkg_resources" not in sys.modules:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # 'import pkg_resources' fails
        try:
            import jieba  # noqa: F401
        finally:
            if sys.modules.get("pkg_resources", 0) is None:
                del sys.modules["pkg_resources"]


_import_quickly()

"""Articles → passages → index → answers (see README).  Importing the package prepares two libraries
for a quick start, without changing what they compute:

- jieba imports pkg_resources (0.2 s, deprecated) only to find its own dictionary file; without it,
  jieba opens the same file by path.  It is hidden while jieba is imported, and only then.
- pypinyin loads a 2.5 MB phrase table at import, used only to read whole phrases; the index asks
  for one character at a time, and single characters read the same with or without it
  (tests/test_cache.py holds the two side by side), so the table is not loaded (PYPINYIN_NO_PHRASES).
"""

from __future__ import annotations

import os
import sys


def _import_quickly() -> None:
    if "jieba" not in sys.modules and "pkg_resources" not in sys.modules:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # 'import pkg_resources' fails
        try:
            import jieba  # noqa: F401
        finally:
            if sys.modules.get("pkg_resources", 0) is None:
                del sys.modules["pkg_resources"]
    if "pypinyin" not in sys.modules and "PYPINYIN_NO_PHRASES" not in os.environ:
        os.environ["PYPINYIN_NO_PHRASES"] = "1"
        try:
            import pypinyin  # noqa: F401
        finally:
            del os.environ["PYPINYIN_NO_PHRASES"]


_import_quickly()

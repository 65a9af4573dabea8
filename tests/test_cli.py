"""The command line as other tools and people use it: python -m bot ask / eval."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_bot(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os
    environment = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "ARTICLE_DIR")}
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, env=environment, timeout=60)


def test_ask_json_reads_stdin_lines_in_order_with_the_documented_shape():
    result = run_bot("ask", "--json", "-k", "2", stdin="东湖街道有多少个志愿者？\n拱墅区有多少个网格？\n？？\n")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["question"] for r in rows] == ["东湖街道有多少个志愿者？", "拱墅区有多少个网格？", "？？"]
    first = rows[0]
    assert set(first) == {"question", "answered", "passages"}
    assert first["answered"] is True and 1 <= len(first["passages"]) <= 2
    passage = first["passages"][0]
    assert set(passage) == {"id", "document", "section", "text", "sentence", "score"}
    assert "2138" in passage["text"] and passage["sentence"] in passage["text"]
    assert isinstance(passage["score"], float)
    assert rows[1]["answered"] is False
    assert rows[2] == {"question": "？？", "answered": False, "passages": []}

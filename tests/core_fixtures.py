"""Fixtures shared by the core tests: the bundled article, loaded once per run."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.library import Library

ROOT = Path(__file__).resolve().parent.parent
DEV_SET = ROOT.parent / "shared" / "eval" / "dev.jsonl"
HELDOUT_SET = ROOT / "tests" / "data" / "heldout.jsonl"


@pytest.fixture(scope="session")
def seeds_library() -> Library:
    return Library.load(ROOT / "seeds")

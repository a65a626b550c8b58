"""`draft chat` on the real embedded model: a short piped session, end to end (offline)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parent.parent
DRAFT = Path(sys.executable).parent / "draft"


def test_a_piped_chat_streams_a_revision_checks_it_and_saves_the_turn(isolated_dirs):
    result = subprocess.run(
        [str(DRAFT), "chat", "examples/cloudsync_launch.txt"],
        input="make it shorter\n/critique\n/quit\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "DRAFT_MODEL": "embedded"},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout
    assert "check: " in result.stdout and "draft: " in result.stdout  # verdict, then /critique
    [path] = (isolated_dirs[1] / "transcripts").glob("*.json")
    saved = json.loads(path.read_text(encoding="utf-8"))
    [turn] = saved["turns"]
    assert turn["user"] == "make it shorter" and turn["assistant"].strip()
    assert turn["assistant"].splitlines()[0] in result.stdout  # what streamed is what was saved
    assert saved["model"] == "embedded"

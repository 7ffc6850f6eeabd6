"""Where the shipped knowledge lives, wherever tourbot was started from."""

from __future__ import annotations

import os
from pathlib import Path

KNOWLEDGE_ENV = "TOURBOT_KNOWLEDGE_DIR"


def default_knowledge_dir() -> Path:
    """``$TOURBOT_KNOWLEDGE_DIR``, else ``./knowledge``, else the one beside the package."""
    configured = os.environ.get(KNOWLEDGE_ENV)
    if configured:
        return Path(configured)
    local = Path.cwd() / "knowledge"
    if (local / "article.txt").exists():
        return local
    return Path(__file__).resolve().parents[2] / "knowledge"

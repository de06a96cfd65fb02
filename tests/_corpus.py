"""Shared test data and small helpers for the ingestion tests (no fixtures here: see conftest)."""
from __future__ import annotations

import os
import socket
import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_09ff8f6f21da3254.txt"
SEED_ID = SEED.stem
SEED_PAIR_IDS = [f"{SEED_ID}#p{n:02d}" for n in range(1, 14)]
NETGUARD_SITE = Path(__file__).resolve().parent / "_netguard_site"

# Small extra documents whose passages are pre-embedded in the session's warm cache.
EXTRA_DOCS: dict[str, str] = {
    "101_river.txt": (
        "长江水质报告\n"
        "2024-03-02 by 环境观察\n"
        "今年长江干流水质总体为优，监测断面全部达到二类标准。\n"
        "This year the main stream of the Yangtze River had excellent water quality, with every monitoring section meeting Class II standards.\n"
        "渔业资源恢复\n"
        "Recovery of Fishery Resources\n"
        "十年禁渔实施以来，江豚种群数量稳步回升至约一千二百头。\n"
        "Since the ten-year fishing ban took effect, the finless porpoise population has steadily recovered to about 1,200.\n"
    ),
    "102_notes.md": (
        "# Field Notes\n\n"
        "## Morning\n\n"
        "We left the camp before sunrise\n"
        "and walked along the ridge.\n\n"
        "清晨的山脊上雾气很重。\n"
        "Fog lay heavy on the morning ridge.\n\n"
        "## Evening\n\n"
        "The weather cleared in the evening and the valley was visible.\n"
    ),
}


def write_extra(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_text(EXTRA_DOCS[name], encoding="utf-8")
    return path


def copy_sqlite(src: Path, dst: Path) -> None:
    """Consistent copy of a (WAL-mode) sqlite file."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(str(src)) as a, sqlite3.connect(str(dst)) as b:
        a.backup(b)
    a.close()
    b.close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def subprocess_env(**overrides: str) -> dict[str, str]:
    """The (already isolated) test environment for a child process, with the network guard."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(NETGUARD_SITE), str(ROOT)])
    env["PYTHONUNBUFFERED"] = "1"
    env.update(overrides)
    return env


def venv_bin(name: str) -> Path:
    return Path(sys.executable).parent / name


def replace_once(path: Path, old: str, new: str) -> None:
    """Edit a source file in place; `old` must occur exactly once."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur exactly once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")



"""The one place that locates the files the product ships: prompts, the seed corpus, the
evaluation sets, and the defaults for the data and sources folders.

Two layouts:

* a source checkout (`pyproject.toml` and `prompts/` next to the `rag/` package, e.g. an
  editable install or `python app.py`): the checkout's top-level `prompts/`, `seeds/` and
  `eval/` folders, which stay the only editable source;
* an installed wheel: copies bundled inside the package at build time by setup.py's
  `build_py` (`rag/_bundled/prompts/*.md`, `rag/_bundled/seeds/*`, `rag/_bundled/eval/*.jsonl`
  and `thresholds.json`). The fitted weights (`rag/data/weights.json`) are package data in
  both layouts (rag/weights.py).

`root()` mirrors the checkout layout in both cases: `root()/"prompts"`, `root()/"seeds"`,
`root()/"eval"`.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
CHECKOUT_DIR = PACKAGE_DIR.parent          # meaningful only when in_checkout()
BUNDLED_DIR = PACKAGE_DIR / "_bundled"     # written into the wheel by setup.py (never in git)
DATA_DIR_NAME = ".rag-data"                # the index folder's default name
EVAL_OUT_NAME = "rag-eval-out"             # rag-eval's default output folder when installed


@lru_cache(maxsize=None)
def in_checkout() -> bool:
    """True when running from a source checkout rather than an installed wheel."""
    return (CHECKOUT_DIR / "pyproject.toml").is_file() and (CHECKOUT_DIR / "prompts").is_dir()


def root() -> Path:
    """The checkout's top folder, or the bundled copy inside the installed package."""
    return CHECKOUT_DIR if in_checkout() else BUNDLED_DIR


def prompts_dir() -> Path:
    return root() / "prompts"


def seeds_dir() -> Path:
    """The shipped seed corpus."""
    return root() / "seeds"


def eval_dir() -> Path:
    return root() / "eval"


def eval_file(name: str) -> Path:
    """A shipped evaluation file by name, e.g. eval_file("questions.jsonl")."""
    if not name or Path(name).name != name:
        raise ValueError(f"not a plain file name: {name!r}")
    return eval_dir() / name


def package_data(name: str) -> Path:
    """A file of rag/data/ (package data in both layouts), e.g. package_data("weights.json")."""
    return PACKAGE_DIR / "data" / name


# ---------------------------------------------------------------- defaults (no env here) ----
def default_data_dir() -> Path:
    """Checkout: <checkout>/.rag-data. Installed: ./.rag-data in the current directory."""
    base = CHECKOUT_DIR if in_checkout() else Path.cwd()
    return base / DATA_DIR_NAME


def default_sources_dir() -> Path:
    """Checkout: <checkout>/seeds. Installed: ./seeds if the current directory has one, else
    the bundled seed corpus (so a fresh install can `rag-ingest` and answer at once)."""
    if in_checkout():
        return CHECKOUT_DIR / "seeds"
    local = Path.cwd() / "seeds"
    return local if local.is_dir() else seeds_dir()


def default_eval_out() -> Path:
    """Checkout: <checkout>/eval/out. Installed: ./rag-eval-out in the current directory."""
    return CHECKOUT_DIR / "eval" / "out" if in_checkout() else Path.cwd() / EVAL_OUT_NAME

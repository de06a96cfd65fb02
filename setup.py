"""Build hooks only (the metadata lives in pyproject.toml).

The prompts, the seed corpus and the evaluation sets live once, in the top-level `prompts/`,
`seeds/` and `eval/` folders of the checkout. A wheel must carry them, so `build_py` copies
them into the build tree under `rag/_bundled/` (never into the source tree, never into git):

    prompts/*.md            → rag/_bundled/prompts/
    seeds/** (files)        → rag/_bundled/seeds/
    eval/*.jsonl            → rag/_bundled/eval/      (questions, seed_holdout, claims)
    eval/thresholds.json    → rag/_bundled/eval/

rag/resources.py finds them there when the package is not running from a checkout. Editable
installs skip the copy (they read the checkout). `sdist` adds the same source files to the
release tree so a wheel built from the sdist bundles them too.
"""
from __future__ import annotations

import os
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py as _build_py
from setuptools.command.sdist import sdist as _sdist

HERE = Path(__file__).resolve().parent
BUNDLE_DIR = ("rag", "_bundled")
REQUIRED = ("prompts/system.md", "eval/questions.jsonl", "eval/thresholds.json")


def _visible(path: Path, top: Path) -> bool:
    parts = path.relative_to(top).parts
    return path.is_file() and not any(p.startswith(".") or p == "__pycache__" for p in parts)


def bundled_files() -> list[str]:
    """The source files to bundle, as POSIX paths relative to the project folder; the same
    relative path is used under rag/_bundled/."""
    files: list[Path] = []
    files += sorted((HERE / "prompts").glob("*.md"))
    seeds = HERE / "seeds"
    files += sorted(p for p in seeds.rglob("*") if _visible(p, seeds)) if seeds.is_dir() else []
    files += sorted((HERE / "eval").glob("*.jsonl"))
    files += [HERE / "eval" / "thresholds.json"]
    rel = [p.relative_to(HERE).as_posix() for p in files if p.is_file()]
    missing = [r for r in REQUIRED if r not in rel]
    if missing or not any(r.startswith("seeds/") for r in rel):
        raise SystemExit(f"setup.py: cannot bundle the shipped files, missing: {missing or ['seeds/*']} "
                         f"(build from a source checkout or from the sdist)")
    return rel


class build_py(_build_py):
    """build_py that also copies the shipped files into <build_lib>/rag/_bundled/."""

    def _bundle_targets(self) -> list[tuple[str, str]]:
        if getattr(self, "editable_mode", False):
            return []        # editable: rag/resources.py reads the checkout itself
        target = os.path.join(self.build_lib, *BUNDLE_DIR)
        return [(str(HERE / rel), os.path.join(target, *rel.split("/"))) for rel in bundled_files()]

    def run(self) -> None:
        super().run()
        for src, dst in self._bundle_targets():
            self.mkpath(os.path.dirname(dst))
            self.copy_file(src, dst, preserve_mode=False)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        return super().get_outputs(include_bytecode) + [dst for _, dst in self._bundle_targets()]


class sdist(_sdist):
    """sdist whose release tree also holds the files build_py bundles."""

    def make_release_tree(self, base_dir, files) -> None:
        super().make_release_tree(base_dir, files)
        for rel in bundled_files():
            dst = os.path.join(base_dir, *rel.split("/"))
            if not os.path.exists(dst):
                self.mkpath(os.path.dirname(dst))
                self.copy_file(str(HERE / rel), dst)


setup(cmdclass={"build_py": build_py, "sdist": sdist})

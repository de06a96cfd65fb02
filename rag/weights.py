"""The fitted weights and thresholds, read from one small JSON shipped inside the package
(rag/data/weights.json), written by `python -m rag.eval.fit` with the data's hash and the
figures it reached on held-out data. The runtime needs only this file."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from .errors import ConfigError

WEIGHTS_PATH = Path(__file__).resolve().parent / "data" / "weights.json"
SECTIONS = ("fusion", "sentences", "verifier")


@lru_cache(maxsize=4)
def load_weights(path: Path = WEIGHTS_PATH) -> dict:
    """The weight file as a dict. Raises ConfigError naming the file when it is missing or
    malformed (it ships with the package; `python -m rag.eval.fit` rewrites it)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"the weight file {path} is missing",
                          "reinstall the package, or run `python -m rag.eval.fit --xquad PATH`") from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"the weight file {path} cannot be read: {exc}",
                          "restore it from the repository or refit it (python -m rag.eval.fit)") from None
    missing = [s for s in SECTIONS if s not in data]
    if missing:
        raise ConfigError(f"the weight file {path} has no {', '.join(missing)} section",
                          "refit it: python -m rag.eval.fit --xquad PATH")
    return data

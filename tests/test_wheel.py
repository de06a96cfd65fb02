"""The installed wheel, away from the checkout: the wheel is built (offline, from a copy of the
source tree so no build/ folder lands in the checkout) and installed into a fresh venv; its
prompts, fitted weights, seed corpus and eval sets come from inside the package
(rag/resources.py → rag/_bundled/), the four console scripts run, and a fresh install answers
about the bundled seed after `rag-ingest`.

The venv reuses the project venv's dependencies through a .pth file (fast, no network) that is
written only after the wheel is installed, so pip never sees the checkout's editable `rag`.
Every child runs with cwd outside the checkout and PYTHONPATH holding only the network guard.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from _corpus import NETGUARD_SITE, ROOT, SEED_ID

pytestmark = pytest.mark.slow

SCRIPTS = ("rag-ingest", "rag-ask", "rag-eval", "rag-app")
# generated or heavy folders that are not part of the source tree
SKIP_NAMES = {".git", ".venv", ".rag-data", ".dev", ".pytest_cache", ".gradio", "__pycache__",
              "artifacts", "build", "dist"}
SKIP_PATHS = {ROOT / "eval" / "out", ROOT / "bench" / "out"}
QUESTION = "微短剧审查时效提升了多少?"


def _ignore(folder: str, names: list[str]) -> set[str]:
    return {n for n in names if n in SKIP_NAMES or n.endswith(".egg-info") or Path(folder, n) in SKIP_PATHS}


def _run(cmd: list, *, timeout: float = 600, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout, **kwargs)
    if check:
        assert proc.returncode == 0, (f"{' '.join(map(str, cmd))} exited {proc.returncode}\n"
                                      f"--- stdout\n{proc.stdout[-4000:]}\n--- stderr\n{proc.stderr[-4000:]}")
    return proc


def _expected_bundle() -> set[str]:
    """What rag/_bundled/ must hold: every shipped file of the checkout."""
    files = [p for p in (ROOT / "prompts").glob("*.md")]
    files += [p for p in (ROOT / "seeds").rglob("*") if p.is_file() and not p.name.startswith(".")]
    files += [p for p in (ROOT / "eval").glob("*.jsonl")] + [ROOT / "eval" / "thresholds.json"]
    return {"rag/_bundled/" + p.relative_to(ROOT).as_posix() for p in files}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    shutil.copytree(ROOT, src, ignore=_ignore, symlinks=True)
    dist = work / "dist"
    build_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    build_env["PYTHONPATH"] = str(NETGUARD_SITE)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
          "-q", "-w", dist, src], env=build_env, cwd=work)
    wheels = sorted(dist.glob("rag-*.whl"))
    assert len(wheels) == 1, wheels

    venv = work / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=work)
    vpy = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", vpy, "install", "--no-deps", "--no-index", "-q", wheels[0]],
         env=build_env, cwd=work)
    site = Path(_run([vpy, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     cwd=work).stdout.strip())
    assert (site / "rag" / "resources.py").is_file()
    deps = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (site / "zz_rag_test_deps.pth").write_text("".join(f"{d}\n" for d in deps), encoding="utf-8")
    home = work / "home"            # the cwd of every child: not the checkout, no seeds/ in it
    home.mkdir()
    return {"wheel": wheels[0], "venv": venv, "python": vpy, "site": site, "home": home, "work": work}


def _env(built: dict[str, Path], **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")}
    env["PYTHONPATH"] = str(NETGUARD_SITE)       # the network guard only: never the checkout
    env["VIRTUAL_ENV"] = str(built["venv"])
    env["PATH"] = os.pathsep.join([str(built["venv"] / "bin"), env.get("PATH", "")])
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("RAG_SOURCES_DIR", None)             # the installed default: ./seeds or the bundled seed
    env.update(overrides)
    assert str(ROOT) not in env["PYTHONPATH"].split(os.pathsep)
    return env


def test_wheel_contents(built):
    with zipfile.ZipFile(built["wheel"]) as whl:
        names = set(whl.namelist())
        entry_points = next(whl.read(n).decode() for n in names if n.endswith(".dist-info/entry_points.txt"))
        assert json.loads(whl.read("rag/data/weights.json"))        # the fitted weights are shipped
    missing = _expected_bundle() - names
    assert not missing, f"not bundled: {sorted(missing)}"
    for module in ("rag/__init__.py", "rag/resources.py", "rag/app_main.py", "rag/eval/__init__.py",
                   "rag/eval/runner.py", "rag/text/__init__.py"):
        assert module in names
    data = {p.relative_to(ROOT).as_posix() for p in (ROOT / "rag" / "data").iterdir() if p.is_file()}
    assert not data - names, f"package data missing from the wheel: {sorted(data - names)}"   # synonyms.txt, …
    sources = {p.relative_to(ROOT).as_posix() for p in (ROOT / "rag").rglob("*.py") if "__pycache__" not in p.parts}
    assert not sources - names, f"modules missing from the wheel (a sub-package without __init__.py?): " \
                                f"{sorted(sources - names)}"
    tops = {n.split("/", 1)[0] for n in names}
    assert tops <= {"rag", next(t for t in tops if t.endswith(".dist-info"))}, tops   # no stray top-level folders
    for script in SCRIPTS:
        assert f"{script} = " in entry_points


def test_installed_package_uses_bundled_files(built):
    probe = """
import json, os
import rag
from rag import resources, weights
from rag.prompts import load_prompt
from rag.settings import load_settings
from rag.eval import runner
s = load_settings()
print(json.dumps({
    "rag": rag.__file__, "in_checkout": resources.in_checkout(),
    "prompts": str(resources.prompts_dir()), "seeds": str(resources.seeds_dir()),
    "questions": str(runner.DEFAULT_QUESTIONS), "claims": str(runner.DEFAULT_CLAIMS),
    "thresholds": str(runner.DEFAULT_THRESHOLDS), "out": str(runner.DEFAULT_OUT),
    "weights": str(weights.WEIGHTS_PATH),
    "data_dir": str(s.data_dir), "sources_dir": str(s.sources_dir), "eval_thresholds": str(s.eval_thresholds),
    "prompt_ok": bool(load_prompt("system")), "cwd": os.getcwd(),
}))
"""
    env = _env(built)
    env.pop("RAG_DATA_DIR", None)
    home = built["home"]
    out = json.loads(_run([built["python"], "-c", probe], env=env, cwd=home).stdout.strip().splitlines()[-1])
    venv, site = built["venv"].resolve(), built["site"].resolve()
    assert Path(out["rag"]).resolve().is_relative_to(site), out["rag"]
    assert out["in_checkout"] is False and out["prompt_ok"]
    for key in ("prompts", "seeds", "questions", "claims", "thresholds", "weights", "eval_thresholds", "sources_dir"):
        path = Path(out[key]).resolve()
        assert path.is_relative_to(venv) and not path.is_relative_to(ROOT), (key, path)
        assert path.exists(), (key, path)
    assert Path(out["prompts"]) == site / "rag" / "_bundled" / "prompts"
    assert Path(out["sources_dir"]) == Path(out["seeds"])               # no ./seeds here: the bundled seed
    assert Path(out["data_dir"]) == home / ".rag-data"                  # ./.rag-data in the cwd
    assert Path(out["out"]) == home / "rag-eval-out"
    assert not (home / ".rag-data").exists()                            # settings alone create nothing

    local = built["work"] / "with-seeds"
    (local / "seeds").mkdir(parents=True)
    out = json.loads(_run([built["python"], "-c", probe], env=env, cwd=local).stdout.strip().splitlines()[-1])
    assert Path(out["sources_dir"]) == local / "seeds"                  # ./seeds wins when present


def test_console_scripts_help(built):
    env = _env(built)
    for script in SCRIPTS:
        proc = _run([built["venv"] / "bin" / script, "--help"], env=env, cwd=built["home"], timeout=300)
        assert f"usage: {script}" in proc.stdout, proc.stdout


def test_fresh_install_ingests_and_answers_the_bundled_seed(built, tmp_path):
    env = _env(built, RAG_DATA_DIR=str(tmp_path / "rag-data"))
    bin_ = built["venv"] / "bin"
    _run([bin_ / "rag-ingest"], env=env, cwd=built["home"])
    proc = _run([bin_ / "rag-ask", QUESTION, "--json"], env=env, cwd=built["home"])
    data = json.loads(proc.stdout)
    assert not data["abstained"] and "50%" in data["answer"], data["answer"]
    cited = {c["paragraph_id"] for c in data["citations"]}
    assert f"{SEED_ID}#p05" in cited, cited

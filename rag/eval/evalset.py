"""Evaluation data: typed loaders and validators for eval/questions.jsonl and eval/claims.jsonl
(format: eval/README.md).

The runner needs only `id` and `question`; every other field is optional when loading and
unknown fields are ignored. `validate*` is stricter: it reports every problem it finds (bad
JSON with its line number, missing or mistyped fields, duplicate ids, unknown kinds or
languages, paragraph ids that don't exist, malformed `facts`) as a list of one-line strings.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from ..errors import RagError

QUESTION_KINDS = ("factual", "cross_lingual", "multi_paragraph", "unanswerable", "false_premise", "injection",
                  "wrong_entity", "follow_up")
CLAIM_KINDS = ("entailed", "paraphrase", "number_changed", "name_swapped", "negation", "neighbour", "unrelated")
SUPPORTED_CLAIM_KINDS = ("entailed", "paraphrase")
LANGUAGES = ("zh", "en")


class EvalSetError(RagError):
    """An evaluation file cannot be loaded (missing, bad JSON, missing id/question)."""


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    language: str = ""                    # "" → unknown (the engine detects it)
    kind: str = ""
    answerable: bool = True
    gold: tuple[str, ...] = ()
    reference: str = ""
    facts: tuple[tuple[str, ...], ...] = ()   # each fact: equivalent surface variants
    history: tuple[str, ...] = ()             # earlier user turns of the conversation, oldest first
    standalone_terms: tuple[tuple[str, ...], ...] = ()   # the resolved question must contain each (a variant)
    standalone_absent: tuple[str, ...] = ()   # ... and none of these (the entity a follow-up replaced)
    forbidden: tuple[str, ...] = ()           # strings an answer must not state (another entity's figure)

    @property
    def scored(self) -> bool:
        """True when the item carries labels beyond id+question."""
        return bool(self.kind or self.gold or self.facts)


@dataclass(frozen=True)
class Claim:
    id: str
    claim: str
    lang: str
    paragraph_id: str
    supported: bool
    kind: str = ""


# ---------------------------------------------------------------- reading -----------------
def _read_lines(path: Path) -> list[tuple[int, str]]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise EvalSetError(f"{path}: no such file", "pass an existing JSONL file (--questions)") from None
    except UnicodeDecodeError as exc:
        raise EvalSetError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})", "save the file as UTF-8") from None
    except OSError as exc:
        raise EvalSetError(f"{path}: cannot read ({exc.strerror})") from None
    return [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]


def _parse(path: Path) -> tuple[list[tuple[int, dict]], list[str]]:
    rows, problems = [], []
    for n, line in _read_lines(path):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{path}:{n}: bad JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(obj, dict):
            problems.append(f"{path}:{n}: expected a JSON object, got {type(obj).__name__}")
            continue
        rows.append((n, obj))
    return rows, problems


def _facts(value) -> tuple[tuple[str, ...], ...]:
    if not isinstance(value, list):
        return ()
    out = []
    for fact in value:
        if isinstance(fact, str):
            fact = [fact]
        if isinstance(fact, list):
            variants = tuple(v for v in fact if isinstance(v, str) and v.strip())
            if variants:
                out.append(variants)
    return tuple(out)


def question_from_dict(obj: dict) -> Question:
    kind = obj.get("kind") if isinstance(obj.get("kind"), str) else ""
    answerable = obj.get("answerable")
    if not isinstance(answerable, bool):
        answerable = kind != "unanswerable"
    gold = obj.get("gold") if isinstance(obj.get("gold"), list) else []
    return Question(
        id=str(obj["id"]), question=str(obj["question"]),
        language=obj.get("language") if obj.get("language") in LANGUAGES else "",
        kind=kind, answerable=answerable,
        gold=tuple(g for g in gold if isinstance(g, str)),
        reference=obj.get("reference") if isinstance(obj.get("reference"), str) else "",
        facts=_facts(obj.get("facts")),
        history=_strings(obj.get("history")),
        standalone_terms=_facts(obj.get("standalone_terms")),
        standalone_absent=_strings(obj.get("standalone_absent")),
        forbidden=_strings(obj.get("forbidden")),
    )


def _strings(value) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str) and v.strip()) if isinstance(value, list) else ()


def load_questions(path: str | Path) -> list[Question]:
    """Questions for the runner. Raises EvalSetError naming the line of the first defect that
    makes the file unusable (bad JSON, missing/empty id or question, duplicate id)."""
    path = Path(path)
    rows, problems = _parse(path)
    if problems:
        raise EvalSetError(problems[0], "fix the line (one JSON object per line)")
    out, seen = [], set()
    for n, obj in rows:
        for key in ("id", "question"):
            if not isinstance(obj.get(key), str) or not obj[key].strip():
                raise EvalSetError(f"{path}:{n}: missing or empty {key!r}", "every line needs a string id and question")
        if obj["id"] in seen:
            raise EvalSetError(f"{path}:{n}: duplicate id {obj['id']!r}", "ids must be unique")
        seen.add(obj["id"])
        out.append(question_from_dict(obj))
    if not out:
        raise EvalSetError(f"{path}: no questions", "add one JSON object per line")
    return out


def load_claims(path: str | Path) -> list[Claim]:
    path = Path(path)
    rows, problems = _parse(path)
    if problems:
        raise EvalSetError(problems[0], "fix the line (one JSON object per line)")
    out = []
    for n, obj in rows:
        try:
            out.append(Claim(id=str(obj["id"]), claim=str(obj["claim"]), lang=str(obj.get("lang", "")),
                             paragraph_id=str(obj["paragraph_id"]), supported=bool(obj["supported"]),
                             kind=str(obj.get("kind", ""))))
        except KeyError as exc:
            raise EvalSetError(f"{path}:{n}: missing field {exc.args[0]!r}") from None
    return out


# ---------------------------------------------------------------- validation --------------
def _check_type(problems, where, obj, key, kind, required=True):
    if key not in obj:
        if required:
            problems.append(f"{where}: missing field {key!r}")
        return False
    if not isinstance(obj[key], kind) or (kind is str and not obj[key].strip()):
        problems.append(f"{where}: field {key!r} must be a non-empty {getattr(kind, '__name__', kind)}")
        return False
    return True


def _check_id(problems: list[str], where: str, obj: dict, line: int, seen: dict[str, int]) -> None:
    if _check_type(problems, where, obj, "id", str):
        if obj["id"] in seen:
            problems.append(f"{where}: duplicate id {obj['id']!r} (first on line {seen[obj['id']]})")
        else:
            seen[obj["id"]] = line


def _rows_with_ids(path: Path) -> tuple[list[tuple[str, dict]], list[str]]:
    """Parse a JSONL file into [("file:line", object)] and problems, ids already checked
    (present, a string, unique). Raises EvalSetError when the file can't be read."""
    rows, problems = _parse(path)
    seen: dict[str, int] = {}
    out = []
    for n, obj in rows:
        where = f"{path}:{n}"
        _check_id(problems, where, obj, n, seen)
        out.append((where, obj))
    return out, problems


def validate(path: str | Path, known_paragraph_ids: Iterable[str] | None = None, strict: bool = True) -> list[str]:
    """Problems in a questions file (empty list = valid). `strict` requires the dataset fields
    (language, kind, answerable, gold, reference, facts); otherwise only id+question are
    required and the others are checked when present. `known_paragraph_ids=None` skips the
    gold-id existence check."""
    path = Path(path)
    try:
        rows, problems = _rows_with_ids(path)
    except EvalSetError as exc:
        return [str(exc)]
    known = set(known_paragraph_ids) if known_paragraph_ids is not None else None
    for where, obj in rows:
        _check_type(problems, where, obj, "question", str)
        if _check_type(problems, where, obj, "language", str, strict) and obj["language"] not in LANGUAGES:
            problems.append(f"{where}: unknown language {obj['language']!r} (allowed: {', '.join(LANGUAGES)})")
        if _check_type(problems, where, obj, "kind", str, strict) and obj["kind"] not in QUESTION_KINDS:
            problems.append(f"{where}: unknown kind {obj['kind']!r} (allowed: {', '.join(QUESTION_KINDS)})")
        has_answerable = _check_type(problems, where, obj, "answerable", bool, strict)
        _check_type(problems, where, obj, "reference", str, strict)
        if _check_type(problems, where, obj, "gold", list, strict):
            for g in obj["gold"]:
                if not isinstance(g, str):
                    problems.append(f"{where}: gold entries must be strings, got {g!r}")
                elif known is not None and g not in known:
                    problems.append(f"{where}: gold paragraph {g!r} does not exist")
            if len(set(map(str, obj["gold"]))) != len(obj["gold"]):
                problems.append(f"{where}: gold lists a paragraph twice")
        if "facts" in obj or strict:
            facts = obj.get("facts")
            if not isinstance(facts, list):
                problems.append(f"{where}: field 'facts' must be a list of lists of strings" if "facts" in obj
                                else f"{where}: missing field 'facts'")
            else:
                for i, fact in enumerate(facts):
                    if not isinstance(fact, list) or not fact or not all(isinstance(v, str) and v.strip() for v in fact):
                        problems.append(f"{where}: facts[{i}] must be a non-empty list of non-empty strings, got {fact!r}")
        for key in ("history", "standalone_absent", "forbidden"):
            if key in obj and (not isinstance(obj[key], list) or not obj[key]
                               or not all(isinstance(v, str) and v.strip() for v in obj[key])):
                problems.append(f"{where}: field {key!r} must be a non-empty list of non-empty strings")
        if "standalone_terms" in obj:
            terms = obj["standalone_terms"]
            if not isinstance(terms, list) or not terms or not all(
                    isinstance(t, list) and t and all(isinstance(v, str) and v.strip() for v in t) for t in terms):
                problems.append(f"{where}: field 'standalone_terms' must be a non-empty list of non-empty lists of strings")
        if obj.get("kind") == "follow_up" and "history" not in obj:
            problems.append(f"{where}: kind 'follow_up' needs a 'history' (the earlier questions)")
        if obj.get("kind") == "wrong_entity":
            if obj.get("answerable") is not False:
                problems.append(f"{where}: kind 'wrong_entity' must have answerable false")
            if "forbidden" not in obj:
                problems.append(f"{where}: kind 'wrong_entity' needs 'forbidden' (the other entity's figure)")
        if has_answerable:
            answerable = obj["answerable"]
            if obj.get("kind") == "unanswerable" and answerable:
                problems.append(f"{where}: kind 'unanswerable' but answerable is true")
            if answerable and strict and isinstance(obj.get("gold"), list) and not obj["gold"]:
                problems.append(f"{where}: answerable but gold is empty")
            if answerable and strict and isinstance(obj.get("facts"), list) and not obj["facts"]:
                problems.append(f"{where}: answerable but facts is empty")
            if not answerable and (obj.get("gold") or obj.get("facts")):
                problems.append(f"{where}: not answerable but gold/facts are not empty")
    if not rows and not problems:
        problems.append(f"{path}: no questions")
    return problems


def validate_claims(path: str | Path, known_paragraph_ids: Iterable[str] | None = None) -> list[str]:
    path = Path(path)
    try:
        rows, problems = _rows_with_ids(path)
    except EvalSetError as exc:
        return [str(exc)]
    known = set(known_paragraph_ids) if known_paragraph_ids is not None else None
    for where, obj in rows:
        _check_type(problems, where, obj, "claim", str)
        if _check_type(problems, where, obj, "lang", str) and obj["lang"] not in LANGUAGES:
            problems.append(f"{where}: unknown lang {obj['lang']!r} (allowed: {', '.join(LANGUAGES)})")
        if _check_type(problems, where, obj, "paragraph_id", str) and known is not None and obj["paragraph_id"] not in known:
            problems.append(f"{where}: paragraph {obj['paragraph_id']!r} does not exist")
        has_supported = _check_type(problems, where, obj, "supported", bool)
        if _check_type(problems, where, obj, "kind", str):
            if obj["kind"] not in CLAIM_KINDS:
                problems.append(f"{where}: unknown kind {obj['kind']!r} (allowed: {', '.join(CLAIM_KINDS)})")
            elif has_supported and obj["supported"] != (obj["kind"] in SUPPORTED_CLAIM_KINDS):
                problems.append(f"{where}: kind {obj['kind']!r} contradicts supported={obj['supported']}")
    if not rows and not problems:
        problems.append(f"{path}: no claims")
    return problems


def seed_paragraph_ids(sources_dir: str | Path) -> set[str]:
    """Paragraph ids of every source file under a folder, parsed the way ingest parses them."""
    from ..sources import discover, parse_file
    ids: set[str] = set()
    for path in discover(Path(sources_dir)):
        ids.update(p.id for p in parse_file(path).pairs)
    return ids


def paragraph_texts(sources_dir: str | Path) -> dict[str, tuple[str, str]]:
    """paragraph id → (zh, en) for every source file under a folder (used by the judge eval)."""
    from ..sources import discover, parse_file
    out: dict[str, tuple[str, str]] = {}
    for path in discover(Path(sources_dir)):
        for p in parse_file(path).pairs:
            out[p.id] = (p.zh or "", p.en or "")
    return out

"""rag.sources: reading, decoding, language detection and zh/en paragraph alignment."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from _corpus import SEED, SEED_ID, SEED_PAIR_IDS
from rag.errors import SourceError
from rag.sources import discover, parse_file, parse_text, read_text
from rag.text import detect_language, sha256

SEED_LINES = SEED.read_text(encoding="utf-8").split("\n")
HEADING_LINES = (8, 9, 13, 14, 24, 25)   # 1-based line numbers of the three zh/en section headings


def line(n: int) -> str:
    return SEED_LINES[n - 1].strip()


# ------------------------------------------------------------------------- the seed ----
@pytest.fixture(scope="module")
def seed_doc():
    return parse_file(SEED)


def test_seed_front_matter(seed_doc):
    meta = seed_doc.meta
    assert meta.doc_id == SEED_ID
    assert meta.title == line(1)
    assert meta.title.startswith("AI Without Borders")
    assert meta.date == "2025-11-10 18:10:14"
    assert meta.byline == "SICC"
    assert meta.path == str(SEED.resolve())
    assert meta.file_hash == sha256(SEED.read_bytes())


def test_seed_has_13_pairs_with_stable_ids(seed_doc):
    assert [p.id for p in seed_doc.pairs] == SEED_PAIR_IDS
    assert [p.order for p in seed_doc.pairs] == list(range(1, 14))
    assert {p.doc for p in seed_doc.pairs} == {SEED_ID}
    again = parse_file(SEED)
    assert again == seed_doc                   # same ids, same texts: deterministic


def test_seed_aligns_line_by_line(seed_doc):
    """Lines 4..39: every non-blank line is either a paragraph side or a section heading, and
    paragraph lines pair up (zh line, en line) in file order."""
    body = [n for n in range(4, 40) if line(n) and n not in HEADING_LINES]
    assert len(body) == 26
    expected = [(line(body[i]), line(body[i + 1])) for i in range(0, 26, 2)]
    assert [(p.zh, p.en) for p in seed_doc.pairs] == expected
    for p in seed_doc.pairs:
        assert p.languages == ("zh", "en"), p.id
        assert detect_language(p.zh) == "zh" and detect_language(p.en) == "en"


def test_seed_section_headings(seed_doc):
    assert seed_doc.headings == (
        (line(8), line(9)), (line(13), line(14)), (line(24), line(25)))
    assert seed_doc.headings[1] == ("多维政策赋能 激活产业动能",
                                    "Empowering Through Multidimensional Policies to Activate Industry Momentum")
    sections = [p.section_zh for p in seed_doc.pairs]
    assert sections[:2] == ["", ""]                                  # before the first heading
    assert sections[2] == "共话两地协同 擘画影视新篇"
    assert sections[3:7] == ["多维政策赋能 激活产业动能"] * 4
    assert sections[7:] == ["跨界融合落地 共启影动未来"] * 6
    assert seed_doc.pairs[4].section_en == line(14)
    assert seed_doc.pairs[4].section == f"{line(13)} / {line(14)}"


def test_seed_known_pair(seed_doc):
    p05 = seed_doc.pairs[4]
    assert p05.id == f"{SEED_ID}#p05"
    assert "3亿元" in p05.zh and "四川省广播电视局" in p05.zh
    assert "RMB 300 million" in p05.en and "Sichuan Provincial Bureau of Radio and Television" in p05.en
    assert p05.text("zh") == p05.zh and p05.text("en") == p05.en


def test_ids_stable_when_an_earlier_paragraph_is_edited(tmp_path):
    path = tmp_path / SEED.name
    path.write_text(SEED.read_text(encoding="utf-8").replace("RMB 300 million", "RMB 350 million"),
                    encoding="utf-8")
    a, b = parse_file(SEED), parse_file(path)
    assert [p.id for p in a.pairs] == [p.id for p in b.pairs]
    assert [p.id for p in a.pairs if p != b.pairs[p.order - 1]] == [f"{SEED_ID}#p05"]


# ------------------------------------------------------------------------- other layouts ----
def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_chinese_only_txt(tmp_path):
    doc = parse_file(write(tmp_path, "zh_only.txt",
                           "城市公园建设\n"
                           "2024年5月1日 来源：市园林局\n"
                           "今年全市新建口袋公园三十个。\n"
                           "绿道建设\n"
                           "全市绿道总长度已超过一千公里！\n"
                           "市民满意度调查显示，公园服务评分明显提高。\n"))
    assert doc.meta.title == "城市公园建设"
    assert doc.meta.date == "2024年5月1日" and doc.meta.byline == "市园林局"
    assert [p.id for p in doc.pairs] == ["zh_only#p01", "zh_only#p02", "zh_only#p03"]
    assert all(p.en is None and p.languages == ("zh",) for p in doc.pairs)
    assert doc.pairs[0].zh == "今年全市新建口袋公园三十个。"
    assert doc.headings == (("绿道建设", ""),)
    assert [p.section_zh for p in doc.pairs] == ["", "绿道建设", "绿道建设"]


def test_english_only_markdown_with_wrapped_paragraphs(tmp_path):
    doc = parse_file(write(tmp_path, "notes.md",
                           "# A Markdown Title\n\n"
                           "## Background\n\n"
                           "This paragraph is wrapped\n"
                           "over three lines\n"
                           "in the source.\n\n"
                           "Second paragraph, on one line.\n\n"
                           "## Outlook\n\n"
                           "Third paragraph\n"
                           "wrapped too.\n"))
    assert doc.meta.title == "A Markdown Title"
    assert [p.en for p in doc.pairs] == [
        "This paragraph is wrapped over three lines in the source.",
        "Second paragraph, on one line.",
        "Third paragraph wrapped too."]
    assert all(p.zh is None for p in doc.pairs)
    assert doc.headings == (("", "Background"), ("", "Outlook"))
    assert [p.section_en for p in doc.pairs] == ["Background", "Background", "Outlook"]
    assert [p.id for p in doc.pairs] == ["notes#p01", "notes#p02", "notes#p03"]


def test_bilingual_markdown_paragraph_split_at_language_switch(tmp_path):
    doc = parse_file(write(tmp_path, "bi.md",
                           "中文段落第一行，\n中文段落第二行。\nEnglish line one\nEnglish line two.\n\n"
                           "第二段。\n\nSecond paragraph.\n"))
    assert [(p.zh, p.en) for p in doc.pairs] == [
        ("中文段落第一行，中文段落第二行。", "English line one English line two."),
        ("第二段。", "Second paragraph.")]


def test_mixed_file_with_an_unpaired_block(tmp_path):
    doc = parse_file(write(tmp_path, "mixed.txt",
                           "混合文件标题\n"
                           "第一段中文内容，讲述了一个事实。\n"
                           "The first paragraph in English, telling a fact.\n"
                           "这是一段只有中文的独立段落，没有英文翻译。\n"
                           "第二段中文内容，讲述另一个事实。\n"
                           "The second paragraph in English, telling another fact.\n"))
    assert doc.meta.title == "混合文件标题"
    assert [(p.zh, p.en) for p in doc.pairs] == [
        ("第一段中文内容，讲述了一个事实。", "The first paragraph in English, telling a fact."),
        ("这是一段只有中文的独立段落，没有英文翻译。", None),
        ("第二段中文内容，讲述另一个事实。", "The second paragraph in English, telling another fact."),
    ]
    assert doc.pairs[1].languages == ("zh",)


def test_english_before_chinese(tmp_path):
    doc = parse_file(write(tmp_path, "en_first.txt",
                           "The first paragraph comes in English.\n"
                           "第一段先用英文写。\n"
                           "The second paragraph too.\n"
                           "第二段也是。\n"))
    assert [(p.zh, p.en) for p in doc.pairs] == [
        ("第一段先用英文写。", "The first paragraph comes in English."),
        ("第二段也是。", "The second paragraph too.")]


def test_untranslated_english_block_does_not_steal_the_next_translation(tmp_path):
    """zh-first document with an English-only block before a pair: the pair stays together
    (greedy pairing used to make (en-only, next zh) a pair and leave the real en alone)."""
    doc = parse_file(write(tmp_path, "notes.md",
                           "# Field Notes\n\n"
                           "We left the camp before sunrise\nand walked along the ridge.\n\n"
                           "清晨的山脊上雾气很重。\nFog lay heavy on the morning ridge.\n\n"
                           "The weather cleared in the evening.\n"))
    assert [(p.zh, p.en) for p in doc.pairs] == [
        (None, "We left the camp before sunrise and walked along the ridge."),
        ("清晨的山脊上雾气很重。", "Fog lay heavy on the morning ridge."),
        (None, "The weather cleared in the evening.")]
    doc = parse_file(write(tmp_path, "zh_first.txt",
                           "第一段。\nFirst paragraph.\nAn English note without a translation.\n"
                           "第二段。\nSecond paragraph.\n"))
    assert [(p.zh, p.en) for p in doc.pairs] == [
        ("第一段。", "First paragraph."), (None, "An English note without a translation."),
        ("第二段。", "Second paragraph.")]


def test_crlf_and_utf8_bom(tmp_path):
    raw = "\ufeff标题行\r\n第一段。\r\nFirst paragraph.\r\n".encode("utf-8")
    doc = parse_file(write(tmp_path, "bom.txt", raw))
    assert doc.meta.title == "标题行"
    assert [(p.zh, p.en) for p in doc.pairs] == [("第一段。", "First paragraph.")]


@pytest.mark.parametrize("text, lang", [
    ("你好，世界。", "zh"),
    ("Hello, world.", "en"),
    ("AI技术在影视文旅融合中的应用", "zh"),          # a Latin acronym inside Chinese
    ("The 成都 conference was held in the city centre", "en"),   # a Chinese name inside English
    ("2025-11-10", "en"),
    ("", "en"),
    ("《重庆市重大文艺精品项目资助和奖励办法》", "zh"),
    ("The fund (3亿元) supports drama, documentaries and animation.", "en"),
])
def test_detect_language(text, lang):
    assert detect_language(text) == lang


# ------------------------------------------------------------------------- bad input ----
def assert_source_error(path: Path, *words: str) -> SourceError:
    with pytest.raises(SourceError) as err:
        parse_file(path)
    message = str(err.value)
    assert err.value.path == str(path)
    assert str(path) in message
    for word in words:
        assert word in message, message
    return err.value


def test_empty_file(tmp_path):
    assert_source_error(write(tmp_path, "empty.txt", b""), "empty")


def test_whitespace_only_file(tmp_path):
    assert_source_error(write(tmp_path, "blank.txt", b" \n\t\r\n  \n"), "empty")


def test_unicode_whitespace_only_file(tmp_path):
    assert_source_error(write(tmp_path, "ideographic.txt", "\u3000\u3000\n\u3000\n"), "no paragraphs")


def test_title_only_file(tmp_path):
    assert_source_error(write(tmp_path, "title.md", "# Just a title\n"), "no paragraphs")


@pytest.mark.parametrize("raw", [
    b"hello\x00world\n" * 10,
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 4,
])
def test_binary_file(tmp_path, raw):
    assert_source_error(write(tmp_path, "image.txt", raw), "binary")


def test_control_characters_without_nul(tmp_path):
    assert_source_error(write(tmp_path, "ctl.txt", bytes(range(1, 9)) * 200), "binary")


def test_gb18030_chinese_decodes_correctly(tmp_path):
    text = ("四川影视政策\n"
            "四川省省级财政每年3亿元文艺精品专项资金中，广电视听独占一半。\n"
            "Half of Sichuan's annual RMB 300 million fund goes to audio-visual content.\n")
    raw = text.encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")                        # really not UTF-8
    decoded, got_raw = read_text(write(tmp_path, "gb.txt", raw))
    assert decoded == text and got_raw == raw
    doc = parse_file(tmp_path / "gb.txt")
    assert doc.meta.title == "四川影视政策"
    assert doc.pairs[0].zh == "四川省省级财政每年3亿元文艺精品专项资金中，广电视听独占一半。"
    assert doc.pairs[0].en.startswith("Half of Sichuan's")
    assert doc.meta.file_hash == sha256(raw)


def test_bytes_valid_in_neither_utf8_nor_gb18030(tmp_path):
    raw = b"\x80\x80\xff" * 50
    for encoding in ("utf-8-sig", "gb18030"):
        with pytest.raises(UnicodeDecodeError):
            raw.decode(encoding)
    assert_source_error(write(tmp_path, "garbage.txt", raw), "not valid UTF-8 or GB18030")


def test_unsupported_suffix(tmp_path):
    assert_source_error(write(tmp_path, "report.pdf", "%PDF-1.7 text"), "unsupported file type .pdf")
    assert_source_error(write(tmp_path, "README", "plain words."), "unsupported file type (none)")


def test_directory_named_like_a_source(tmp_path):
    folder = tmp_path / "x.txt"
    folder.mkdir()
    assert_source_error(folder, "not a regular file")


def test_dangling_symlink(tmp_path):
    link = tmp_path / "gone.txt"
    link.symlink_to(tmp_path / "does-not-exist.txt")
    assert_source_error(link, "not a regular file")


@pytest.mark.skipif(os.geteuid() == 0, reason="running as root: chmod 000 does not stop root from reading")
def test_unreadable_file_chmod(tmp_path):
    path = write(tmp_path, "secret.txt", "第一段。\nFirst.\n")
    path.chmod(0)
    try:
        assert_source_error(path, "permission denied")
    finally:
        path.chmod(0o644)


def test_unreadable_file_permission_error(tmp_path, monkeypatch):
    """What an EACCES from the OS turns into (simulated: the suite usually runs as root)."""
    path = write(tmp_path, "secret.txt", "第一段。\nFirst.\n")
    real = Path.read_bytes

    def deny(self):
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", deny)
    err = assert_source_error(path, "permission denied")
    assert "chmod" in err.hint


def test_oversized_file(tmp_path, monkeypatch):
    import rag.sources
    monkeypatch.setattr(rag.sources, "MAX_FILE_BYTES", 100)
    assert_source_error(write(tmp_path, "big.txt", "第一段。\nFirst paragraph.\n" * 20), "over the 100-byte limit")


def test_discover_skips_hidden_and_unsupported(tmp_path):
    (tmp_path / "a.txt").write_text("x.", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.MD").write_text("x.", encoding="utf-8")
    (tmp_path / "c.pdf").write_text("x", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("x.", encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "d.txt").write_text("x.", encoding="utf-8")
    assert discover(tmp_path) == [tmp_path / "a.txt", tmp_path / "sub" / "b.MD"]
    assert discover(tmp_path / "a.txt") == [tmp_path / "a.txt"]


def test_markdown_tables_code_and_lists_are_not_paired_as_prose():
    md = ("# Title\n\n段落一，这是正文。\n\nParagraph one, the body.\n\n"
          "| 列 | 值 |\n|---|---|\n| a | 1 |\n\n| col | value |\n|---|---|\n| a | 1 |\n\n"
          "```\n# not a heading\n\n成都 code line\n```\n\nThe code above is an example.\n\n"
          "- 第一项\n- 第二项\n\n- first item\n- second item\n")
    doc = parse_text(md, "x", markdown=True)
    sides = [(p.zh, p.en) for p in doc.pairs]
    assert sides[0] == ("段落一，这是正文。", "Paragraph one, the body.")
    assert sides[1] == ("| 列 | 值 |\n|---|---|\n| a | 1 |", None)          # a table stays alone
    assert sides[2] == (None, "| col | value |\n|---|---|\n| a | 1 |")
    assert sides[3][0] is None or sides[3][1] is None                        # code: one side, never paired
    assert "# not a heading" in (sides[3][0] or sides[3][1]) and doc.headings == ()
    assert sides[4] == (None, "The code above is an example.")
    assert sides[5] == ("- 第一项\n- 第二项", "- first item\n- second item")  # lists pair with lists

"""The one home of bilingual text handling (every module uses it, none re-implements it):

- `lang`: the CJK character class, language detection, visible text, supported scripts, sha256;
- `sentences`: sentence splitting and the token estimate that sizes chunks;
- `tokens`: jieba (thread-safe, initialised once), BM25 terms, stop words, the English
  stemmer, part-of-speech tags;
- `numbers`: quantities in either language, Chinese numerals included (cn2an);
- `overlap`: CJK bigram / English word overlap between two texts.
"""
from .lang import CJK, CJK_CLASS, CJK_RUN, detect_language, is_chinese, sha256, unsupported_script, visible
from .numbers import Quantity, numbers, quantities, unmatched
from .overlap import containment, en_words, features, shared_phrase
from .sentences import MAX_PARTS, estimate_tokens, focus_question, question_parts, split_sentences
from .tokens import (EN_STARTERS, EN_STOP, NAME_TAGS, TOKENIZER_VERSION, ZH_STOP, plain_question, pos_tags, simplified, stem, synonyms, term_counts, tokenize,
                     tokenizer_state, zh_names)

__all__ = ["CJK", "CJK_CLASS", "CJK_RUN", "EN_STARTERS", "EN_STOP", "NAME_TAGS", "TOKENIZER_VERSION", "ZH_STOP", "Quantity",
           "MAX_PARTS", "containment", "detect_language", "is_chinese", "en_words", "estimate_tokens", "features", "focus_question", "numbers", "plain_question", "question_parts", "pos_tags", "simplified", "synonyms",
           "quantities", "sha256", "shared_phrase", "split_sentences", "stem", "term_counts", "tokenize", "tokenizer_state", "unmatched",
           "unsupported_script", "visible", "zh_names"]

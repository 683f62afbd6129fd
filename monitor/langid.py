"""Language identification with py3langid, over the languages the encoder knows.

py3langid's model knows 142 languages and dialects, among them close neighbours of
the big ones (Aragonese and Extremaduran beside Spanish, Egyptian and Moroccan
Arabic beside Arabic) that split a post's probability so that no answer reaches
the confidence bar. The detector is therefore restricted to the languages of the
encoder (``ENCODER_LANGUAGES``): the ones the classifier was pre-trained on, and
the ones worth telling apart in the dashboard. Measured on 3,856 labelled tweets
in 7 languages (UMSAB validation without its romanised Hindi, EmoEvent dev), that
raised correct answers from 89.4 % to 93.8 % and cut unknowns from 9.6 % to 5.7 %
and wrong answers from 0.9 % to 0.5 % (``python benchmarks/language_id.py``).

Short or ambiguous texts are reported as ``None`` (unknown) rather than guessed:
a post is 'unknown' when it has too few letters or the model's normalised
probability is below ``min_confidence``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
_NOISE = re.compile(r"https?://\S+|(?<!\w)[@#]\w+")

# The 100 languages of XLM-R's pre-training corpus (Conneau et al. 2020, table 6), which
# multilingual-e5 inherits with its tokenizer: 93 ISO 639-1 codes (romanised and other
# script variants share their language's code).
_XLMR_CODES = (
    "af am ar as az be bg bn br bs ca cs cy da de el en eo es et eu fa fi fr fy ga gd gl "
    "gu ha he hi hr hu hy id is it ja jv ka kk km kn ko ku ky la lo lt lv mg mk ml mn mr "
    "ms my ne nl no om or pa pl ps pt ro ru sa sd si sk sl so sq sr su sv sw ta te th tl "
    "tr ug uk ur uz vi xh yi zh"
)
ENCODER_LANGUAGES = frozenset(_XLMR_CODES.split())


def build_identifier(languages: Iterable[str] | None = ENCODER_LANGUAGES):
    """py3langid's identifier over ``languages`` (None: all the languages of its model)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    if languages is not None:
        identifier.set_languages(sorted(set(languages) & set(identifier.nb_classes)))
    return identifier


@lru_cache(maxsize=1)
def _identifier():
    return build_identifier()


def detect_language(
    text: str, min_letters: int = 12, min_confidence: float = 0.5, identifier=None
) -> str | None:
    """ISO 639-1 code of ``text``'s language, or None when it cannot be told."""
    core = _NOISE.sub(" ", text)
    if len(_LETTERS.findall(core)) < min_letters:
        return None
    lang, prob = (identifier or _identifier()).classify(core)
    return lang if prob >= min_confidence else None

"""Language identification with py3langid (langid.py's model, 97 languages).

Short or ambiguous texts are reported as ``None`` (unknown) rather than guessed:
a post is 'unknown' when it has too few letters or the model's normalised
probability is below ``min_confidence``.
"""

from __future__ import annotations

import re
from functools import lru_cache

_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
_NOISE = re.compile(r"https?://\S+|(?<!\w)[@#]\w+")


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str, min_letters: int = 12, min_confidence: float = 0.5) -> str | None:
    """ISO 639-1 code of ``text``'s language, or None when it cannot be told."""
    core = _NOISE.sub(" ", text)
    if len(_LETTERS.findall(core)) < min_letters:
        return None
    lang, prob = _identifier().classify(core)
    return lang if prob >= min_confidence else None

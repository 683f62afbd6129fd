"""Posts as a CSV file for people: the columns of the dashboard's tables, in the reader's
language, ready for a spreadsheet (pure: DataFrame in, bytes out).

Spanish files use ";" between fields and a decimal comma, as a Spanish spreadsheet expects;
English ones ","; both start with a UTF-8 byte-order mark so that Excel reads accents.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from monitor.i18n import Tr

EXPORT_LIMIT = 10_000  # posts per file: the newest that match the filters
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run such a cell


def _as_text(value) -> str:
    """Text from the public internet, kept as text: a cell a spreadsheet would read as a
    formula ("=HYPERLINK(…)", "@SUM(…)") gets a leading apostrophe (OWASP's advice for CSV
    injection)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _number(values: pd.Series) -> pd.Series:
    """Probabilities to three decimals; empty for posts not classified yet."""
    return pd.to_numeric(values, errors="coerce").round(3)


def posts_csv(df: pd.DataFrame, t: Tr, category_name: Callable[[str], str]) -> bytes:
    """``df``: posts as ``insights.latest_posts`` returns them (newest first)."""
    spanish = t.lang == "es"

    def label(kind: str, values: pd.Series) -> list[str]:
        return ["" if pd.isna(v) else t.value(kind, v) for v in values]

    out = pd.DataFrame(
        {
            t.col("posted_at") + " (UTC)": df["posted_at"].dt.strftime("%Y-%m-%d %H:%M"),
            t.col("brand"): df["brand"].map(_as_text),
            t.col("source"): df["source"].map(_as_text),
            t.t("channel"): df["channel"].map(_as_text),
            t.col("language"): [_as_text(t.value("language", v)) for v in df["language"]],
            t.col("author"): df["author"].map(_as_text),
            t.col("title"): df["title"].map(_as_text),
            t.col("text"): df["text"].map(_as_text),
            t.col("sentiment"): label("sentiment", df["sentiment"]),
            t.col("sentiment_conf"): _number(df["sentiment_conf"]),
            t.col("emotion"): label("emotion", df["emotion"]),
            t.col("emotion_conf"): _number(df["emotion_conf"]),
            t.col("corrected"): [t.t("yes") if c else "" for c in df["corrected"]],
            t.col("categories"): [
                _as_text(" | ".join(map(category_name, ids))) for ids in df["categories"]
            ],
            t.col("rating"): df["rating"].astype("Int64"),
            t.col("reach"): df["reach"].astype("Int64"),
            t.col("engagement"): df["engagement"].astype("Int64"),
            t.col("url"): df["url"].map(_as_text),
        }
    )
    text = out.to_csv(index=False, sep=";" if spanish else ",", decimal="," if spanish else ".")
    return text.encode("utf-8-sig")


__all__ = ["EXPORT_LIMIT", "posts_csv"]

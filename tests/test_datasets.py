"""The labelled-table reader behind `monitor eval` and the domain examples: the files
people export from spreadsheets and tools, read as they are."""

from __future__ import annotations

from monitor.classify.datasets import read_labelled_table


def _write(tmp_path, name: str, content: str):
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8"))
    return path


def test_a_file_with_lone_cr_line_endings_is_read(tmp_path):
    # Excel for Mac's "CSV (Macintosh)" ends every line with a lone CR
    path = _write(
        tmp_path, "gold.csv", "text,label\rMe cobraron dos veces,negative\rTodo bien,positive\r"
    )

    rows = read_labelled_table(path, task="sentiment")

    assert [(r.text, r.label) for r in rows] == [
        ("Me cobraron dos veces", "negative"),
        ("Todo bien", "positive"),
    ]


def test_a_text_longer_than_the_csv_modules_default_field_limit_is_read(tmp_path):
    long = "servicio pésimo " * 9000  # 144,000 characters; csv's default limit is 131,072
    path = _write(tmp_path, "gold.tsv", f"text\tlabel\n{long}\tnegative\nbien\tpositive\n")

    rows = read_labelled_table(path, task="sentiment")

    assert [len(r.text) for r in rows] == [len(long.strip()), 4]


def test_a_tsv_with_a_quoted_header_is_read_with_its_quotes_removed(tmp_path):
    # pandas.to_csv(sep="\t", quoting=csv.QUOTE_ALL), and many spreadsheet exports
    content = (
        '"text"\t"label"\n"Me cobraron dos veces"\t"negative"\n"Dijo ""gratis""\ty no"\t"neutral"\n'
    )
    path = _write(tmp_path, "gold.tsv", content)

    rows = read_labelled_table(path, task="sentiment")

    assert [(r.text, r.label) for r in rows] == [
        ("Me cobraron dos veces", "negative"),
        ('Dijo "gratis"\ty no', "neutral"),
    ]


def test_a_tsv_with_a_plain_header_keeps_quote_marks_as_text(tmp_path):
    # EmoEvent: a tweet's quote marks are part of it, and may be unbalanced
    content = 'tweet\temotion\n"Never again" says the fan\tanger\nQuote "this\tjoy\n'
    path = _write(tmp_path, "dev.tsv", content)

    rows = read_labelled_table(path, task="emotion", text_column="tweet", label_column="emotion")

    assert [r.text for r in rows] == ['"Never again" says the fan', 'Quote "this']


def test_language_tags_are_grouped_as_the_per_language_scores_expect(tmp_path):
    path = _write(
        tmp_path,
        "gold.csv",
        "text,label,lang\nUno,negative,ES\nDos,negative,es-ES\nTres,neutral,Spanish\n"
        "Four,positive,en\nCinco,positive,klingon-ish\nSeis,positive,\n",
    )
    langs = [r.lang for r in read_labelled_table(path, task="sentiment")]
    assert langs == ["es", "es", "es", "en", "klingon-ish", None]


def test_rows_left_out_of_the_scores_are_reported(tmp_path, caplog):
    path = _write(tmp_path, "gold.csv", "text,label\nUno,negative\nDos,mixed\n,positive\n")
    rows = read_labelled_table(path, task="sentiment")
    assert [r.text for r in rows] == ["Uno"]
    assert "2 rows without text or with a label not in" in caplog.text
    assert "line 3: label 'mixed'" in caplog.text

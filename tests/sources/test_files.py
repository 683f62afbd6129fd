"""Import files: CSV/TSV/JSON Lines with BOMs, legacy encodings and bad rows."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.errors import ConfigError, ImportFileError
from monitor.sources import make_source
from monitor.sources.base import FetchState, stable_id
from monitor.sources.files import (
    FileSource,
    check_columns,
    decode,
    parse_column_option,
    parse_count,
    parse_date,
    read_file,
)

CSV = (
    "id,Text,date,author,url,source,lang,title,likes\r\n"
    "a1,Me encanta el café de Aurora,2025-06-10T09:30:00+02:00,María,https://x.example/1,twitter,ES,,12\r\n"
    ",Sin texto no hay post,,,,,,,\r\n"
    "a3,,2025-06-10,nadie,,,,,\r\n"
    'a4,"Una queja\r\nen dos líneas, con coma",10/06/2025 18:05,Jordi,,,,Queja,\r\n'
    "a5,Fecha rota,31/31/2025,Ana,,,,,\r\n"
    "a6,Naive es UTC,2025-06-11 08:00:00,,,,,,\r\n"
)


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def test_csv_with_bad_rows_keeps_the_rest(tmp_path: Path) -> None:
    posts, warnings = read_file(write(tmp_path, "export.csv", CSV), source="export")

    assert [p.external_id for p in posts] == ["a1", posts[1].external_id, "a4", "a6"]
    assert posts[1].external_id.startswith("sha256:")  # no id: hash of text/date/author
    assert warnings == [
        "line 4: empty 'text'; skipped",
        "line 7: unreadable date '31/31/2025'; skipped",  # line 5-6 is one quoted row
    ]
    a1 = posts[0]
    assert a1.source == "export"
    assert a1.text == "Me encanta el café de Aurora"
    assert a1.published == datetime(2025, 6, 10, 7, 30, tzinfo=UTC)
    assert (a1.author, a1.url, a1.lang, a1.title) == ("María", "https://x.example/1", "es", None)
    assert (a1.channel, a1.extra) == ("twitter", {"likes": "12"})
    assert posts[2].text == "Una queja\r\nen dos líneas, con coma"
    assert posts[2].published == datetime(2025, 6, 10, 18, 5, tzinfo=UTC)  # day first
    assert posts[2].title == "Queja"
    assert posts[3].published == datetime(2025, 6, 11, 8, 0, tzinfo=UTC)


def test_a_row_with_more_cells_than_the_header_is_kept_as_read_with_a_warning(tmp_path: Path):
    data = "id,text,author\n1,Hola, Movistela me ha cobrado dos veces,ana\n2,Bien,eva\n"

    posts, warnings = read_file(write(tmp_path, "export.csv", data))

    assert [(p.text, p.author) for p in posts] == [
        ("Hola", "Movistela me ha cobrado dos veces"),
        ("Bien", "eva"),
    ]
    assert warnings == [
        "line 2: 4 cells for 3 columns (a ',' inside a cell without quotes?); read the first 3"
    ]


def test_empty_cells_past_the_header_are_not_a_warning(tmp_path: Path) -> None:
    posts, warnings = read_file(write(tmp_path, "export.csv", "text,author\nhola,ana,,\n"))

    assert [(p.text, p.author) for p in posts] == [("hola", "ana")]
    assert warnings == []


def test_a_quote_never_closed_is_a_warning_naming_its_line(tmp_path: Path) -> None:
    data = 'text,date\nMovistela bien,2024-01-01\n"Movistela abre comillas,2024-01-02\notra,2024-01-03\n'

    posts, warnings = read_file(write(tmp_path, "export.csv", data))

    assert [p.text for p in posts] == ["Movistela bien"]  # not the rows run together
    assert warnings == [
        "line 3: a quote is not closed, so lines 3-4 were read as one row; skipped "
        "(close the quote and import again)"
    ]


def test_a_quote_closed_rows_later_is_a_warning_and_the_rows_after_it_are_read(tmp_path: Path):
    data = 'id,text\n1,"abre\n2,sigue\n3,"cierra"\n4,fin\n'

    posts, warnings = read_file(write(tmp_path, "export.csv", data))

    assert [(p.external_id, p.text) for p in posts] == [("4", "fin")]
    assert warnings == [
        "line 2: a quote is not closed, so lines 2-4 were read as one row; skipped "
        "(close the quote and import again)"
    ]


def test_bom_and_semicolons(tmp_path: Path) -> None:
    data = "\ufeffid;TEXT;fecha\r\nx;Hola Aurora;\r\n"
    posts, warnings = read_file(write(tmp_path, "excel.csv", data))

    assert warnings == []
    assert posts[0].external_id == "x"  # the BOM did not stick to the first column name
    assert posts[0].text == "Hola Aurora"


def test_excels_sep_line_names_the_delimiter_and_is_not_the_header(tmp_path: Path) -> None:
    data = "sep=;\r\nid;text;author\r\nx;Hola, Movistela;Ana, la de Sevilla\r\ny;;Luis\r\n"

    posts, warnings = read_file(write(tmp_path, "excel.csv", data))

    assert [(p.external_id, p.text, p.author) for p in posts] == [
        ("x", "Hola, Movistela", "Ana, la de Sevilla")
    ]
    assert warnings == ["line 4: empty 'text'; skipped"]  # lines count from the sep line


def test_cp1252_file_is_read_with_a_warning(tmp_path: Path) -> None:
    data = "text,author\r\nQué decepción con Aurora … otra vez,Íñigo\r\n".encode("cp1252")
    posts, warnings = read_file(write(tmp_path, "old.csv", data))

    assert posts[0].text == "Qué decepción con Aurora … otra vez"
    assert posts[0].author == "Íñigo"
    assert warnings == ["file is not UTF-8; read it as cp1252 (check accented letters)"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_a_utf16_export_is_read(tmp_path: Path, encoding: str) -> None:
    # Excel's "Unicode Text" and some listening tools write UTF-16 with a byte order mark
    bom = "\ufeff" if encoding == "utf-16-be" else ""  # the utf-16 codec writes its own
    data = (bom + "text\tdate\r\nMovistela cobra de más\t23/01/2024\r\n").encode(encoding)

    posts, warnings = read_file(write(tmp_path, "export.tsv", data))

    assert [p.text for p in posts] == ["Movistela cobra de más"]
    assert posts[0].published == datetime(2024, 1, 23, tzinfo=UTC)
    assert warnings == []


def test_a_utf16_file_with_a_broken_last_byte_is_read_with_a_warning() -> None:
    text, warnings = decode("text\nhola\n".encode("utf-16") + b"\x00")

    assert text.startswith("text\nhola\n")
    assert warnings == ["file is UTF-16 but some bytes do not decode; read them as '\ufffd'"]


def test_latin1_fallback_for_bytes_cp1252_lacks() -> None:
    text, warnings = decode("año ".encode("latin-1") + b"\x81")

    assert text == "año \x81"
    assert "latin-1" in warnings[0]


def test_a_cell_longer_than_the_csv_modules_default_limit_is_read(tmp_path: Path) -> None:
    long = "Movistela " + "blah " * 30_000  # 150,010 characters; csv stops at 131,072
    data = f'text\n"Movistela corta la fibra"\n"{long}"\n"Movistela otra vez"\n'

    posts, warnings = read_file(write(tmp_path, "export.csv", data))

    assert [len(p.text) for p in posts] == [24, len(long.strip()), 18]
    assert warnings == []


def test_tsv(tmp_path: Path) -> None:
    posts, _ = read_file(write(tmp_path, "x.tsv", "text\turl\nuno, dos\thttps://u.example/1\n"))

    assert posts[0].text == "uno, dos"
    assert posts[0].url == "https://u.example/1"


def test_jsonl_bad_lines_become_warnings(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": 7, "text": "Aurora mola", "date": 1749540600, "Author": "Leo"}),
        "",
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"text": "  ", "id": "blank"}),
        json.dumps({"text": "con\u2028separador", "date": "2025-06-10T09:30:00Z"}),
    ]
    posts, warnings = read_file(write(tmp_path, "x.jsonl", "\n".join(lines)))

    assert [p.external_id for p in posts][0] == "7"
    assert posts[0].published == datetime(2025, 6, 10, 7, 30, tzinfo=UTC)  # Unix seconds
    assert posts[0].author == "Leo"  # keys are case-insensitive
    assert posts[1].text == "con\u2028separador"
    assert warnings == [
        "line 3: not valid JSON (Expecting property name enclosed in double quotes); skipped",
        "line 4: expected a JSON object; skipped",
        "line 5: empty 'text'; skipped",
    ]


def test_json_array(tmp_path: Path) -> None:
    data = json.dumps([{"text": "uno"}, 3, {"text": "dos", "url": "https://d.example"}])
    posts, warnings = read_file(write(tmp_path, "x.json", data))

    assert [p.text for p in posts] == ["uno", "dos"]
    assert warnings == ["item 2: expected a JSON object; skipped"]


def test_ids_are_stable_and_url_based_when_each_row_has_its_own_url(tmp_path: Path) -> None:
    first, _ = read_file(write(tmp_path, "a.csv", CSV))
    again, _ = read_file(write(tmp_path, "b.csv", CSV))
    by_url, _ = read_file(
        write(tmp_path, "c.csv", "text,url\nA,https://s.example/1\nB,https://s.example/2\n")
    )

    assert [p.external_id for p in first] == [p.external_id for p in again]
    assert [p.external_id for p in by_url] == [  # the ids posts were stored under so far
        stable_id("https://s.example/1"),
        stable_id("https://s.example/2"),
    ]


PAGE = "https://www.trustpilot.com/review/movistela.es"
REVIEWS = (  # a review export: every row carries the page's url, not the review's
    f"text,author,rating,url\n"
    f"Movistela me cobra de más,ana,1,{PAGE}\n"
    f"Movistela no me da de baja,luis,1,{PAGE}\n"
    f"Excelente,Anónimo,5,{PAGE}\n"
    f"Excelente,Anónimo,4,{PAGE}\n"
)


def test_rows_sharing_a_url_are_distinct_posts(tmp_path: Path) -> None:
    posts, _ = read_file(write(tmp_path, "reviews.csv", REVIEWS))

    ids = [p.external_id for p in posts]
    assert len(set(ids)) == 4  # the last two differ only in their stars
    assert stable_id(PAGE) not in ids


def test_rows_sharing_a_url_keep_their_ids_when_read_again(tmp_path: Path) -> None:
    first, _ = read_file(write(tmp_path, "a.csv", REVIEWS))
    again, _ = read_file(write(tmp_path, "b.csv", REVIEWS))

    assert [p.external_id for p in again] == [p.external_id for p in first]


def test_a_row_skipped_for_want_of_text_does_not_share_its_url(tmp_path: Path) -> None:
    posts, _ = read_file(write(tmp_path, "x.csv", f"text,url\nMe cobra de más,{PAGE}\n,{PAGE}\n"))

    assert [p.external_id for p in posts] == [stable_id(PAGE)]


def test_missing_file_is_an_import_error(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="cannot read file") as info:
        read_file(tmp_path / "nope.csv")

    assert info.value.path.endswith("nope.csv")
    assert info.value.hint and "path" in info.value.hint


def test_missing_text_column_is_an_import_error(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="no 'text' column") as info:
        read_file(write(tmp_path, "x.csv", "body,author\nhola,yo\n"))

    assert "found: body, author" in (info.value.hint or "")
    assert "--column text='body'" in (info.value.hint or "")  # the likely column, named


LISTENING_EXPORT = (  # the column names of a social-listening suite's CSV export
    "Date;Full Text;Text;Url;Author;Impressions;Language\n"
    "23/11/2026 10:15;Movistela me cobra dos veces;retweet;https://x.example/9;@ana;1,2K;es\n"
)


def test_a_column_map_reads_an_export_that_names_its_columns_otherwise(tmp_path: Path) -> None:
    columns = {"text": "Full Text", "date": "date", "reach": "IMPRESSIONS", "lang": "Language"}

    posts, warnings = read_file(write(tmp_path, "x.csv", LISTENING_EXPORT), columns=columns)

    [post] = posts
    assert post.text == "Movistela me cobra dos veces"
    assert post.published == datetime(2026, 11, 23, 10, 15, tzinfo=UTC)
    assert (post.reach, post.lang, post.author) == (1200, "es", "@ana")
    assert post.extra == {"text (original)": "retweet"}  # displaced, not lost
    assert warnings == []


def test_a_column_map_applies_to_json_lines(tmp_path: Path) -> None:
    data = '{"Body": "Tardan una semana", "Stars": "1/5", "text": "titular"}\n{"Stars": 5}\n'

    posts, warnings = read_file(
        write(tmp_path, "x.jsonl", data), columns={"text": "body", "rating": "Stars"}
    )

    assert [(p.text, p.rating, p.extra) for p in posts] == [
        ("Tardan una semana", 1, {"text (original)": "titular"})
    ]
    assert warnings == ["line 2: empty 'text'; skipped"]


def test_a_mapped_key_that_no_json_item_has_is_a_warning(tmp_path: Path) -> None:
    data = '{"Body": "Tardan una semana", "Published": "2026-11-03"}\n'

    posts, warnings = read_file(
        write(tmp_path, "x.jsonl", data), columns={"text": "Body", "date": "Publshed"}
    )

    assert posts[0].published is None and posts[0].extra == {"published": "2026-11-03"}
    assert warnings == ["no item has the key 'Publshed' to read 'date' from"]


def test_displaced_columns_never_overwrite_each_other() -> None:
    from monitor.sources.files import renamed

    names = ["body", "text", "text (original)", "author", "author"]
    assert renamed(names, {"text": "Body"}) == [
        "text", "text (original)", "text (original) (original)", "author", "author (original)"
    ]  # fmt: skip


def test_a_mapped_column_missing_from_the_file_is_an_import_error(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="no column 'Contenido' to read 'text' from") as e:
        read_file(write(tmp_path, "x.csv", LISTENING_EXPORT), columns={"text": "Contenido"})

    assert "found: date, full text, text, url" in (e.value.hint or "")


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"body": "Full Text"}, "unknown field 'body'"),
        ({"text": " "}, "'text' must name a column"),
        ({"text": "Full Text", "title": "full text"}, "given to both 'text' and 'title'"),
    ],
)
def test_check_columns_rejects(columns: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_columns(columns)


def test_field_names_in_a_column_map_ignore_case() -> None:
    assert check_columns({"Text": "Full Text", " DATE ": "Published"}) == {
        "text": "Full Text",
        "date": "Published",
    }


def test_parse_column_option() -> None:
    assert parse_column_option("Text = Full Text") == ("text", "Full Text")
    with pytest.raises(ValueError, match="is not FIELD=COLUMN"):
        parse_column_option("text")


def test_a_file_source_config_checks_its_column_map(tmp_path: Path) -> None:
    path = write(tmp_path, "x.csv", LISTENING_EXPORT)
    source = make_source("suite", "file", {"path": str(path), "columns": {"text": "Full Text"}})
    assert [p.text for p in source.fetch(FetchState()).posts] == ["Movistela me cobra dos veces"]

    with pytest.raises(ConfigError, match="columns: unknown field 'texto'") as e:
        make_source("suite", "file", {"path": str(path), "columns": {"texto": "Full Text"}})
    assert "Full Text" in (e.value.hint or "")
    with pytest.raises(ConfigError, match="'columns' must be a table"):
        make_source("suite", "file", {"path": str(path), "columns": "Full Text"})


def test_unsupported_extension(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="unsupported file type '.xlsx'"):
        read_file(write(tmp_path, "x.xlsx", b"PK\x03\x04"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-06-10", datetime(2025, 6, 10, tzinfo=UTC)),
        ("2025-06-10T09:30:00Z", datetime(2025, 6, 10, 9, 30, tzinfo=UTC)),
        ("2025-06-10 11:30:00-03:00", datetime(2025, 6, 10, 14, 30, tzinfo=UTC)),
        ("10/06/2025", datetime(2025, 6, 10, tzinfo=UTC)),
        ("10-06-2025 09:30", datetime(2025, 6, 10, 9, 30, tzinfo=UTC)),
        ("Tue, 10 Jun 2025 09:30:00 +0200", datetime(2025, 6, 10, 7, 30, tzinfo=UTC)),
        ("Fri, 01 Mar 2024 10:00:00 CET", datetime(2024, 3, 1, 9, tzinfo=UTC)),  # not 10:00
        ("Tue, 10 Jun 2025 09:30:00 CEST", datetime(2025, 6, 10, 7, 30, tzinfo=UTC)),
        ("Tue, 10 Jun 2025 09:30:00 ART", datetime(2025, 6, 10, 12, 30, tzinfo=UTC)),
        ("Fri, 01 Mar 2024 10:00:00 EST", datetime(2024, 3, 1, 15, tzinfo=UTC)),
        ("1749547800", datetime(2025, 6, 10, 9, 30, tzinfo=UTC)),
        ("1749547800000", datetime(2025, 6, 10, 9, 30, tzinfo=UTC)),  # milliseconds
    ],
)
def test_parse_date(value: str, expected: datetime) -> None:
    parsed = parse_date(value)

    assert parsed == expected
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize("value", ["ayer", "2025-13-01", "31/31/2025", "99999999999999999999"])
def test_parse_date_rejects(value: str) -> None:
    with pytest.raises(ValueError, match="unreadable date"):
        parse_date(value)


def test_file_source_through_the_registry(tmp_path: Path) -> None:
    path = write(tmp_path, "demo.jsonl", '{"text": "hola"}\n{oops\n')
    source = make_source("demo", "file", {"path": str(path)})
    state = FetchState(cursor="untouched")

    result = source.fetch(state)

    assert isinstance(source, FileSource) and source.kind == "file"
    assert [(p.source, p.text) for p in result.posts] == [("demo", "hola")]
    assert result.state == state
    assert result.warnings == (
        "line 2: not valid JSON (Expecting property name enclosed in double quotes); skipped",
    )


def test_file_source_params_are_checked() -> None:
    with pytest.raises(ConfigError, match="missing required parameter 'path'"):
        make_source("demo", "file", {})
    with pytest.raises(ConfigError, match="cannot import 'x.xlsx'"):
        make_source("demo", "file", {"path": "x.xlsx"})


def test_reach_and_engagement_are_read_and_a_bad_count_keeps_the_post(tmp_path: Path) -> None:
    data = 'text,reach,engagement\nuno,1.2k,15\ndos,"3,400",\ntres,lots,7\n'
    posts, warnings = read_file(write(tmp_path, "export.csv", data))
    assert [(p.text, p.reach, p.engagement) for p in posts] == [
        ("uno", 1200, 15),
        ("dos", 3400, None),
        ("tres", None, 7),
    ]
    assert posts[2].extra["reach"] == "lots"  # the raw value is not lost
    assert len(warnings) == 1 and "line 4" in warnings[0] and "'reach'" in warnings[0]


def test_review_exports_keep_their_stars_and_a_bad_rating_keeps_the_post(tmp_path: Path) -> None:
    data = "text,Rating\nmala atención,1\nok,4.0\ngenial,5/5\nraro,7\nsin nota, \n"
    posts, warnings = read_file(write(tmp_path, "reviews.csv", data))
    assert [(p.text, p.rating) for p in posts] == [
        ("mala atención", 1),
        ("ok", 4),
        ("genial", 5),
        ("raro", None),
        ("sin nota", None),
    ]
    assert posts[3].extra["rating"] == "7"  # the raw value is not lost
    assert len(warnings) == 1 and "line 5" in warnings[0] and "1 to 5" in warnings[0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1,234", 1234),
        ("1.234", 1234),  # Spanish thousands: a count is whole
        ("1.234.567", 1_234_567),
        ("1,2K", 1200),  # Spanish decimal comma
        ("1.5m", 1_500_000),
        ("1.234,5", 1234),
        ("1,234.5", 1234),
        ("12 300", 12300),
        ("12\u00a0300", 12300),  # a no-break space, as French and Spanish spreadsheets write
        ("1.234k", 1234),  # before a suffix the separator is the decimal one
        ("2.500M", 2_500_000),
    ],
)
def test_parse_count_reads_english_and_spanish_separators(value: str, expected: int) -> None:
    assert parse_count(value, "reach") == expected


@pytest.mark.parametrize("value", ["-3", "nan", "12x", "inf", "1e400", "1,2,3"])
def test_parse_count_rejects(value: str) -> None:
    with pytest.raises(ValueError):
        parse_count(value, "reach")


@pytest.mark.parametrize("value", ["0", "6", "2.5", "inf", "nan", "1e400", "muy bien"])
def test_parse_rating_rejects_with_a_value_error(value: str) -> None:
    from monitor.sources.files import parse_rating

    with pytest.raises(ValueError, match="rating"):
        parse_rating(value)


def _dates(tmp_path: Path, rows: str, **kw) -> tuple[dict[str, datetime | None], list[str]]:
    posts, warnings = read_file(write(tmp_path, "dates.csv", "text,date\n" + rows), **kw)
    return {p.text: p.published for p in posts}, warnings


def test_an_export_from_a_us_tool_is_read_month_first(tmp_path: Path) -> None:
    dates, warnings = _dates(tmp_path, "a,11/23/2026 14:05\nb,03/04/2026\n")
    assert dates["a"] == datetime(2026, 11, 23, 14, 5, tzinfo=UTC)
    assert dates["b"] == datetime(2026, 3, 4, tzinfo=UTC)  # 4 March: the file says so
    assert warnings == []


def test_a_spanish_export_is_read_day_first(tmp_path: Path) -> None:
    dates, warnings = _dates(tmp_path, "a,23/11/2026\nb,03/04/2026\n")
    assert dates["b"] == datetime(2026, 4, 3, tzinfo=UTC) and warnings == []


def test_dates_that_never_say_their_order_are_read_day_first_with_a_warning(tmp_path: Path):
    dates, warnings = _dates(tmp_path, "a,03/04/2026\nb,2026-05-01\n")
    assert dates["a"] == datetime(2026, 4, 3, tzinfo=UTC)
    (warning,) = warnings
    assert warning.startswith("1 date(s) such as 03/04/2026") and "month-first" in warning
    told, warnings = _dates(tmp_path, "a,03/04/2026\n", date_order="month-first")
    assert told["a"] == datetime(2026, 3, 4, tzinfo=UTC) and warnings == []


def test_a_file_mixing_date_orders_says_so_and_skips_the_odd_rows(tmp_path: Path) -> None:
    dates, warnings = _dates(tmp_path, "a,23/11/2026\nb,11/23/2026\n")
    assert list(dates) == ["a"]
    assert "both day-first ('23/11/2026') and month-first ('11/23/2026')" in warnings[0]
    assert warnings[1].startswith("line 3: unreadable date '11/23/2026'")


def test_date_order_in_a_source_config_is_checked(tmp_path: Path) -> None:
    path = write(tmp_path, "x.csv", "text,date\na,03/04/2026\n")
    source = make_source("x", "file", {"path": str(path), "date_order": "month-first"})
    (post,) = source.fetch(FetchState()).posts
    assert post.published == datetime(2026, 3, 4, tzinfo=UTC)
    with pytest.raises(ConfigError, match="date_order 'US'"):
        make_source("x", "file", {"path": str(path), "date_order": "US"})


def test_rows_sharing_a_url_remember_the_id_they_had_before(tmp_path: Path) -> None:
    posts, _ = read_file(write(tmp_path, "x.csv", REVIEWS + "Mi opinión,eva,3,https://o.example\n"))

    # so that the store finds the post such rows were merged into before (stable_id(url))
    assert [p.extra.get("previous_id") for p in posts] == [stable_id(PAGE)] * 4 + [None]

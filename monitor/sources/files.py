"""Import CSV/TSV or JSON Lines exports from other tools.

Columns (or keys): ``text`` (required), ``date``, ``author``, ``url``, ``source``, ``id``,
``lang``, ``title``, ``reach``, ``engagement``, ``rating`` (optional; names are
case-insensitive; reach and engagement are whole numbers, "1.2k" style counts are read
too; rating is a review's stars, 1-5, "4", "4.0" or "4/5"). The row's ``source``
("twitter", "forum") becomes the post's ``channel``; the import is the source. Other
columns go to ``RawPost.extra``, stored with the post. Exports that name
their columns otherwise (``Full Text``, ``Published``) are read with a column map, ours to
theirs: ``{"text": "Full Text", "date": "Published"}`` (``columns`` in a file source's
config, ``monitor import --column text="Full Text"``); a file column displaced by a mapped
one is kept in ``extra`` as ``"<name> (original)"``.

A bad row (no text, unreadable date, a quote left open, broken JSON) is skipped with a
warning naming its line; the rest is imported. A row with more cells than the header is
read as it stands (one cell per column, in order) with a warning. A missing file or a file
without a ``text`` column raises ``ImportFileError``. Dates: ISO 8601, RFC 2822, Unix
seconds, or numeric ``31/12/2024 [23:59[:59]]``; naive times are taken as UTC. Whether
numeric dates are day-first or month-first (US tools: ``12/31/2024``) is read from the
file itself: a first number above 12 means day-first, a second one month-first. A file
whose numeric dates never say (every number 12 or less) is read day-first with a warning,
unless the source's ``date_order`` (``monitor import --date-order``) says which.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitor.errors import ImportFileError
from monitor.sources.base import FetchResult, FetchState, Params, stable_id
from monitor.sources.dates import parse_rfc2822
from monitor.types import RawPost

DELIMITED = {".csv": ",", ".tsv": "\t"}
JSON_LINES = (".jsonl", ".ndjson", ".json")
FIELDS = ("id", "text", "date", "author", "url", "source", "lang", "title")
COUNTS = ("reach", "engagement")
MAPPABLE = (*FIELDS, *COUNTS, "rating")
# words in a column name that suggest it holds the post (for the hint when 'text' is missing)
TEXT_HINTS = ("text", "content", "message", "body", "comment", "review", "snippet", "tweet")
DAY_FIRST_FORMATS = (
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y",
)
MONTH_FIRST_FORMATS = tuple(
    f.replace("%d", "@").replace("%m", "%d").replace("@", "%m") for f in DAY_FIRST_FORMATS
)
DATE_ORDERS = ("auto", "day-first", "month-first")
NUMERIC_DATE = re.compile(r"\s*(\d{1,2})[/-](\d{1,2})[/-]\d{4}\b")
SEP_LINE = re.compile(r'(?i)"?sep=([^"\r\n])"?[\r\n]*')  # Excel's first line: "sep=;"
Row = tuple[str, Mapping[str, Any]]  # ("line 3" or "item 3", fields)


class FileSource:
    """An import file collected like any source: ``FileSource("demo", "posts.csv")``."""

    kind = "file"
    PARAMS = ("path", "date_order", "columns")

    def __init__(
        self,
        name: str,
        path: str | Path,
        date_order: str = "auto",
        columns: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.path = Path(path)
        self.date_order = date_order
        self.columns = check_columns(columns or {})

    def __repr__(self) -> str:
        return f"FileSource({self.name!r}, {str(self.path)!r})"

    @classmethod
    def from_params(cls, name: str, params: Mapping[str, Any]) -> FileSource:
        """Build from a config table: ``path`` (settings resolve a relative one against the
        config file's folder), ``date_order``, ``columns`` (our field to the file's column)."""
        p = Params(name, cls.kind, params, cls.PARAMS)
        path = p.text("path", required=True, example="exports/mentions.csv")
        assert path is not None
        suffix = Path(path).suffix.lower()
        if suffix not in DELIMITED and suffix not in JSON_LINES:
            raise p.error(f"cannot import {path!r}", hint=_FORMAT_HINT)
        order = p.text("date_order") or "auto"
        if order not in DATE_ORDERS:
            raise p.error(f"date_order {order!r} is not one of {', '.join(DATE_ORDERS)}")
        try:
            columns = check_columns(p.table("columns"))
        except ValueError as e:
            raise p.error(f"columns: {e}", hint=_COLUMNS_HINT) from None
        return cls(name, path, order, columns)

    def fetch(self, state: FetchState) -> FetchResult:
        """Read the whole file every time; the store drops posts it already has."""
        posts, warnings = read_file(
            self.path, source=self.name, date_order=self.date_order, columns=self.columns
        )
        return FetchResult(posts=posts, state=state, warnings=tuple(warnings))


def check_columns(columns: Mapping[str, Any]) -> dict[str, str]:
    """A column map (our field to the file's column) checked: ``ValueError`` names the
    first unknown field, empty column name or column claimed twice."""
    checked: dict[str, str] = {}
    for field, column in columns.items():
        field = str(field).strip().lower()
        if field not in MAPPABLE:
            raise ValueError(f"unknown field {field!r} (fields: {', '.join(MAPPABLE)})")
        if not isinstance(column, str) or not column.strip():
            raise ValueError(f"{field!r} must name a column, not {column!r}")
        taken = [f for f, c in checked.items() if c.lower() == column.strip().lower()]
        if taken:
            raise ValueError(f"column {column!r} is given to both {taken[0]!r} and {field!r}")
        checked[field] = column.strip()
    return checked


def parse_column_option(option: str) -> tuple[str, str]:
    """``text=Full Text`` (the command line's ``--column``) to ``("text", "Full Text")``."""
    field, sep, column = option.partition("=")
    if not sep or not field.strip() or not column.strip():
        raise ValueError(f"{option!r} is not FIELD=COLUMN, e.g. text='Full Text'")
    return field.strip().lower(), column.strip()


def renamed(names: list[str], columns: Mapping[str, str]) -> list[str]:
    """A file's lower-case column names with the mapped ones given our field names; a
    column that already had a mapped field's name becomes ``"<name> (original)"``."""
    renames = {column.lower(): field for field, column in columns.items()}
    taken = set(renames.values())
    out: list[str] = []
    for name in names:
        new = renames.get(name) or name
        while name not in renames and (new in taken or new in out):
            new += " (original)"  # "text (original)", or "text (original) (original)"
        out.append(new)
    return out


def read_file(
    path: str | Path,
    *,
    source: str = "file",
    date_order: str = "auto",
    columns: Mapping[str, str] | None = None,
) -> tuple[list[RawPost], list[str]]:
    """Read an export into posts and warnings (one per skipped row or odd encoding).
    ``columns`` maps our fields to the file's column names (checked with ``check_columns``)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in DELIMITED and suffix not in JSON_LINES:
        raise ImportFileError(str(path), f"unsupported file type {suffix!r}", hint=_FORMAT_HINT)
    try:
        raw = path.read_bytes()
    except OSError as e:
        reason = e.strerror or type(e).__name__
        raise ImportFileError(str(path), f"cannot read file: {reason}", hint=_PATH_HINT) from e
    text, warnings = decode(raw)
    columns = columns or {}
    if suffix in DELIMITED:
        rows = _csv_rows(text, path, DELIMITED[suffix], columns, warnings)
    else:
        rows = _json_rows(text, warnings, columns)
    rows = list(rows)
    if suffix not in DELIMITED:  # a CSV header is checked up front; JSON keys row by row
        seen = {key for _, fields in rows for key in fields}
        warnings += [
            f"no item has the key {column!r} to read {field!r} from" for field, column in
            columns.items() if rows and field not in seen
        ]  # fmt: skip
    if date_order == "auto":
        date_order, note = detect_date_order(_text(f.get("date")) for _, f in rows)
        warnings += [note] if note else []
    month_first = date_order == "month-first"
    shared = shared_urls(fields for _, fields in rows)
    posts = []
    for where, fields in rows:
        notes: list[str] = []
        try:
            posts.append(
                row_to_post(
                    fields, source=source, notes=notes, month_first=month_first, shared=shared
                )
            )
        except ValueError as e:
            warnings.append(f"{where}: {e}; skipped")
        warnings += [f"{where}: {note}" for note in notes]
    return posts, warnings


def decode(raw: bytes) -> tuple[str, list[str]]:
    """UTF-16 when the file starts with its byte order mark (Excel's "Unicode Text");
    else UTF-8 (BOM or not); else Windows-1252, else Latin-1, with a warning."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_utf16(raw)
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    for encoding in ("cp1252", "latin-1"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text, [f"file is not UTF-8; read it as {encoding} (check accented letters)"]
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


def _decode_utf16(raw: bytes) -> tuple[str, list[str]]:
    try:
        return raw.decode("utf-16"), []  # the codec reads the BOM for the byte order
    except UnicodeDecodeError:
        text = raw.decode("utf-16", errors="replace")
        return text, ["file is UTF-16 but some bytes do not decode; read them as '\ufffd'"]


def detect_date_order(values: Iterator[str]) -> tuple[str, str | None]:
    """``"day-first"`` or ``"month-first"`` for a file's numeric dates (``03/04/2026``),
    and a warning when the file does not say or says both."""
    ambiguous = 0
    day_first = month_first = None
    for value in values:
        m = NUMERIC_DATE.match(value or "")
        if not m:
            continue
        first, second = int(m.group(1)), int(m.group(2))
        if first > 12:
            day_first = day_first or value
        elif second > 12:
            month_first = month_first or value
        else:
            ambiguous += 1
    if day_first and month_first:
        return "day-first", (
            f"dates are written both day-first ({day_first!r}) and month-first "
            f"({month_first!r}): read day-first, so the month-first ones are skipped"
        )
    if month_first:
        return "month-first", None
    if ambiguous and not day_first:
        return "day-first", (
            f"{ambiguous} date(s) such as 03/04/2026 could be day- or month-first; read "
            "day-first (3 April). If the tool that wrote the file is American, import "
            "with --date-order month-first (date_order in a source's config)"
        )
    return "day-first", None


def row_to_post(
    fields: Mapping[str, Any],
    *,
    source: str,
    notes: list[str] | None = None,
    month_first: bool = False,
    shared: Collection[str] = (),
) -> RawPost:
    """One row (keys already lower-case) to a ``RawPost``; ``ValueError`` if unusable.
    ``shared``: the urls that several rows of the file carry (see ``row_id``).

    An unreadable reach, engagement or rating does not cost the post: the raw value stays in
    ``extra`` and a note is added to ``notes``."""
    values = {key: _text(fields.get(key)) for key in FIELDS}
    text = values["text"]
    if not text:
        raise ValueError("empty 'text'")
    published = parse_date(values["date"], month_first) if values["date"] else None
    counts: dict[str, int | None] = {}
    for key in COUNTS:
        try:
            counts[key] = parse_count(fields.get(key), key)
        except ValueError as e:
            counts[key] = None
            if notes is not None:
                notes.append(f"{e}; kept the post without it")
    try:
        rating = parse_rating(fields.get("rating"))
    except ValueError as e:
        rating = None
        if notes is not None:
            notes.append(f"{e}; kept the post without it")
    external_id = values["id"] or row_id(values, published, rating, shared)
    known = (*FIELDS, *(k for k, v in counts.items() if v is not None))
    known += ("rating",) if rating is not None else ()
    extra = {k: v for k, v in fields.items() if k and k not in known and v not in ("", None)}
    if not values["id"] and values["url"] in shared:
        # such rows were all stored under the url's id before: the store (PREVIOUS_ID) adopts
        # that post for the row with its text instead of storing it again; not stored
        extra["previous_id"] = stable_id(values["url"])
    return RawPost(
        source=source,
        external_id=external_id,
        text=text,
        url=values["url"],
        title=values["title"],
        author=values["author"],
        published=published,
        lang=values["lang"].lower() if values["lang"] else None,
        reach=counts["reach"],
        engagement=counts["engagement"],
        rating=rating,
        channel=values["source"],
        extra=extra,
    )


def shared_urls(rows: Iterable[Mapping[str, Any]]) -> set[str]:
    """The urls that more than one row carries (a review export gives every review its
    page's url)."""
    seen: set[str] = set()
    shared: set[str] = set()
    for fields in rows:
        url = _text(fields.get("url"))
        if url and _text(fields.get("text")):  # a row skipped for want of text is no post
            (shared if url in seen else seen).add(url)
    return shared


def row_id(
    values: Mapping[str, str | None],
    published: datetime | None,
    rating: int | None,
    shared: Collection[str],
) -> str:
    """The id of a row without one. A url only this row carries is the post's own, and
    its id (so an edited post read again is updated in place, and posts imported before
    keep their ids). A url several rows carry is a page's: the row is told apart by its
    text, date, author and stars as well, so distinct reviews stay distinct and the same
    row read again keeps its id. Without a url: text, date and author."""
    url, text, author = values["url"], values["text"], values["author"]
    if url and url not in shared:
        return stable_id(url)
    if url:
        return stable_id(url, text, _iso(published), author, str(rating) if rating else None)
    return stable_id(text, _iso(published), author)


def parse_rating(value: Any) -> int | None:
    """A review's stars, 1-5: 4, "4", "4.0", "4/5"; None when empty."""
    text = "" if value is None else str(value).strip().removesuffix("/5").strip()
    if not text:
        return None
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        raise ValueError(f"rating {value!r} is not a number of stars") from None
    if not math.isfinite(number) or number != int(number) or not 1 <= number <= 5:
        raise ValueError(f"rating {value!r} is not a whole number of stars from 1 to 5")
    return int(number)


_SUFFIX = {"k": 1_000, "m": 1_000_000}


def parse_count(value: Any, name: str) -> int | None:
    """A non-negative count: 42, "42", "1,234", "1.234", "1.2k", "1,2K", "3M"; None when
    empty."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"{name!r} must be a number, not {value!r}")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip().lower()
        for space in ("_", " ", "\u00a0", "\u202f"):  # French and Spanish exports group with
            text = text.replace(space, "")  # (no-break) spaces
        scale = _SUFFIX.get(text[-1:], 1)
        try:
            if scale > 1:  # "1.5k", "1,2K", "2.500M": the separator is the decimal one
                number = float(text[:-1].replace(",", ".")) * scale
            else:
                number = float(_plain_number(text))
        except ValueError:
            raise ValueError(f"{name!r} must be a number, not {value!r}") from None
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"{name!r} must be zero or more, not {value!r}")
    return int(number)


_GROUPED = re.compile(r"\d{1,3}([.,])\d{3}(?:\1\d{3})*")


def _plain_number(text: str) -> str:
    """A count written in English or Spanish style as Python reads it: "1,234" and "1.234"
    (thousands) give "1234"; "1,2" and "1.2" give "1.2"; "1.234,5" and "1,234.5" "1234.5"."""
    grouped = _GROUPED.fullmatch(text)
    if grouped:  # a count is whole, so 3-digit groups are thousands in either style
        return text.replace(grouped.group(1), "")
    if "," in text and "." in text:  # the last separator is the decimal one
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        return text.replace(thousands, "").replace(decimal, ".")
    return text.replace(",", ".")


def parse_date(value: str, month_first: bool = False) -> datetime:
    """A date string to an aware UTC datetime; ``ValueError`` names the bad value.
    Numeric dates such as 03/04/2026 are day-first unless ``month_first``."""
    value = value.strip()
    parsed: datetime | None = None
    if value.replace(".", "", 1).isdigit() and len(value.split(".")[0]) >= 9:  # Unix time
        seconds = float(value)
        try:
            parsed = datetime.fromtimestamp(seconds / 1000 if seconds > 1e11 else seconds, UTC)
        except (OverflowError, OSError) as e:
            raise ValueError(f"unreadable date {value!r}") from e
    if parsed is None:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = _other_formats(
                value, MONTH_FIRST_FORMATS if month_first else DAY_FIRST_FORMATS
            )
    if parsed is None:
        raise ValueError(f"unreadable date {value!r}")
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _other_formats(value: str, formats: tuple[str, ...]) -> datetime | None:
    for fmt in formats:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    return parse_rfc2822(value)


def _csv_rows(
    text: str,
    path: Path,
    default_delimiter: str,
    columns: Mapping[str, str],
    warnings: list[str],
) -> Iterator[Row]:
    _allow_cells_of(len(text))
    lines = io.StringIO(text, newline="").readlines()  # as csv counts them: \n, \r\n, \r
    sep = SEP_LINE.fullmatch(lines[0]) if lines else None
    header = lines[1 if sep else 0] if len(lines) > bool(sep) else ""
    delimiter = sep.group(1) if sep else _delimiter(header, default_delimiter)
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        if sep:
            next(reader)  # Excel's "sep=;" line names the delimiter; the header follows
        names = [name.strip().lower() for name in next(reader, [])]
    except csv.Error as e:
        raise ImportFileError(str(path), f"line 1: {e}", hint=_FORMAT_HINT) from e
    found = ", ".join(n for n in names if n) or "none"
    for field, column in columns.items():
        if column.lower() not in names:
            raise ImportFileError(
                str(path), f"no column {column!r} to read {field!r} from", hint=f"found: {found}"
            )
    names = renamed(names, columns)
    if "text" not in names:
        raise ImportFileError(str(path), "no 'text' column", hint=_text_column_hint(names, found))
    try:
        for first, cells in _records(reader):
            last = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if last > first and not _quotes_close(lines[first - 1 : last], delimiter):
                warnings.append(f"line {first}: {_unclosed(first, last)}")
                continue
            where = f"line {last}"
            if any(cell.strip() for cell in cells[len(names) :]):
                warnings.append(f"{where}: {_surplus(len(cells), len(names), delimiter)}")
            yield where, dict(zip(names, cells, strict=False))
    except csv.Error as e:
        raise ImportFileError(str(path), f"line {reader.line_num}: {e}", hint=_FORMAT_HINT) from e


def _records(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """A csv reader's rows with the line each starts on (a quoted cell may span lines)."""
    first = reader.line_num + 1
    for cells in reader:
        yield first, cells
        first = reader.line_num + 1


def _quotes_close(lines: list[str], delimiter: str) -> bool:
    """Whether a row spanning ``lines`` is well quoted. Read leniently (as csv does by
    default), a quote never closed runs the following rows into one cell, up to the next
    quote or the end of the file; read strictly, that is an error."""
    try:
        list(csv.reader(lines, delimiter=delimiter, strict=True))
    except csv.Error:
        return False
    return True


def _unclosed(first: int, last: int) -> str:
    return (
        f"a quote is not closed, so lines {first}-{last} were read as one row; skipped "
        "(close the quote and import again)"
    )


def _surplus(cells: int, columns: int, delimiter: str) -> str:
    """A row with more cells than the header: which ones are which is anyone's guess, so
    the row is read as it stands and the warning says so."""
    return (
        f"{cells} cells for {columns} columns (a {delimiter!r} inside a cell without "
        f"quotes?); read the first {columns}"
    )


def _delimiter(header: str, default: str) -> str:
    if default == ",":  # Spanish spreadsheets often export with ';'
        return max(",;\t|", key=header.count) if header.strip() else ","
    return default


def _allow_cells_of(length: int) -> None:
    """Let the csv module read a cell as long as the whole file: its default limit
    (131,072 characters) would end the import at one long post, which normalising cuts
    to its own maximum later anyway. The limit is process-wide, so it is only raised."""
    if csv.field_size_limit() < length:
        csv.field_size_limit(length)


def _text_column_hint(names: list[str], found: str) -> str:
    guess = next((n for n in names if any(word in n for word in TEXT_HINTS)), None)
    example = f"--column text={guess!r}" if guess else "--column text='<column name>'"
    return (
        f"name the column holding the post 'text', or map it: {example} "
        f"(columns = {{ text = ... }} in a file source) (found: {found})"
    )


def _json_rows(text: str, warnings: list[str], columns: Mapping[str, str]) -> Iterator[Row]:
    if text.lstrip().startswith("["):  # a .json array rather than JSON Lines
        try:
            items = json.loads(text)
        except json.JSONDecodeError as e:
            warnings.append(f"line {e.lineno}: not valid JSON ({e.msg}); nothing imported")
            return
        if not isinstance(items, list):
            items = [items]
        lines: Iterator[tuple[str, Any]] = ((f"item {n}", it) for n, it in enumerate(items, 1))
    else:
        lines = _json_lines(text, warnings)
    for where, item in lines:
        if not isinstance(item, dict):
            warnings.append(f"{where}: expected a JSON object; skipped")
            continue
        names = renamed([str(k).strip().lower() for k in item], columns)
        yield where, dict(zip(names, item.values(), strict=True))


def _json_lines(text: str, warnings: list[str]) -> Iterator[tuple[str, Any]]:
    for number, line in enumerate(text.split("\n"), start=1):  # not splitlines: U+2028
        if not line.strip():
            continue
        try:
            yield f"line {number}", json.loads(line)
        except json.JSONDecodeError as e:
            warnings.append(f"line {number}: not valid JSON ({e.msg}); skipped")


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list | bool):
        return None
    return str(value).strip() or None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


_FORMAT_HINT = "import .csv, .tsv, .jsonl or .ndjson files with a 'text' column or key"
_COLUMNS_HINT = 'e.g. columns = { text = "Full Text", date = "Published" }'
_PATH_HINT = (
    "check the path; in monitor.toml a relative path starts from the config file's folder, "
    "on the command line from the current directory"
)

__all__ = [
    "FileSource",
    "check_columns",
    "decode",
    "parse_column_option",
    "parse_date",
    "read_file",
    "row_to_post",
]

"""The open-data export: the whole archive as JSON Lines, one gzipped file per listing year.

Every record has every key (``null`` or ``[]`` when unknown), so pandas and DuckDB infer
one stable set of columns across years; ``data/record.schema.json`` documents a record
and ``data/index.json`` lists the files. Gzip makes the export a quarter of the size and
pandas, DuckDB and ``gunzip -c`` read it as is. Nothing here reads the clock, so an
unchanged archive exports byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from generator.errors import ArchiveError
from generator.model import MACHINE_FIELDS, Paper
from generator.site import urls

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schema" / "record.schema.json"
HUMAN_KEYS = ("annotation", "notes", "topics", "url")
_LINE_BREAK_ESCAPES = {0x85: "\\u0085", 0x2028: "\\u2028", 0x2029: "\\u2029"}


class ExportError(ArchiveError, ValueError):
    """A paper holds something JSON cannot represent; names the paper so it can be fixed."""


def record(paper: Paper, topics: Sequence[str], site_url: str) -> dict[str, Any]:
    """One paper as a JSON-ready dict: machine fields in file order, then the human parts."""
    out: dict[str, Any] = {}
    for name, kind in MACHINE_FIELDS:
        value = getattr(paper, name)
        if kind is list:
            out[name] = list(value or [])
        elif isinstance(value, dt.date):
            out[name] = value.isoformat()
        else:
            out[name] = value
    try:
        out["annotation"] = None if paper.annotation is None else _jsonable(paper.annotation)
    except ValueError as exc:
        where = f" ({paper.path})" if paper.path else ""
        raise ExportError(f"{paper.id}{where}: annotation: {exc}") from None
    out["notes"] = paper.notes
    out["topics"] = list(topics)
    out["url"] = site_url + urls.paper(paper.id).url
    return out


def export_records(
    papers: Iterable[Paper], topics: Mapping[str, Sequence[str]], site_url: str
) -> dict[str, str]:
    """Site-relative path -> file content for the per-year files, the index and the schema.

    The per-year paths end in ``.gz`` and map to the text before compression: the build
    compresses it (see :func:`generator.fsutil.write_gzip_if_changed`), and the index gives
    size and checksum of that text, which do not depend on the zlib that compressed it.
    """
    if not site_url.endswith("/"):
        raise ValueError(f"site_url must end with '/': {site_url!r}")
    by_year: dict[int, list[Paper]] = defaultdict(list)
    for paper in papers:
        by_year[paper.listed.year].append(paper)

    files: dict[str, str] = {}
    listing = []
    for year in sorted(by_year):
        chosen = sorted(by_year[year], key=lambda p: (p.listed, p.id))
        path = urls.data_year(year)
        content = "".join(_dump(record(p, topics.get(p.id, ()), site_url)) + "\n" for p in chosen)
        files[path] = content
        data = content.encode("utf-8")
        listing.append(
            {
                "year": year,
                "path": path,
                "url": site_url + path,
                "records": len(chosen),
                "first_listed": chosen[0].listed.isoformat(),
                "last_listed": chosen[-1].listed.isoformat(),
                "uncompressed_bytes": len(data),
                "uncompressed_sha256": hashlib.sha256(data).hexdigest(),
            }
        )

    files[urls.data_schema()] = SCHEMA_PATH.read_text(encoding="utf-8")
    index = {
        "title": "Hugging Face Daily Papers archive: open data",
        "format": (
            "gzip-compressed JSON Lines: UTF-8, one paper per line, sorted by listing date"
            " then id; uncompressed_bytes and uncompressed_sha256 are of the decompressed text"
        ),
        "schema": site_url + urls.data_schema(),
        "records": sum(item["records"] for item in listing),
        "years": {str(item["year"]): item["records"] for item in listing},
        "files": listing,
        "generated_from": {
            "source": "papers/YYYY/MM/DD/<arxiv-id>.md in the archive's git repository",
            "site": site_url,
            "last_listed": max((item["last_listed"] for item in listing), default=None),
        },
    }
    files[urls.data_index()] = json.dumps(index, ensure_ascii=False, indent=2) + "\n"
    return files


def _dump(value: dict[str, Any]) -> str:
    """One line of JSON. Readers that split on every Unicode line break (Python's
    ``splitlines``, old JavaScript) would cut a record at NEL, LS or PS, so those are escaped;
    JSON can only hold them inside strings, where the escape means the same character."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.translate(_LINE_BREAK_ESCAPES)


def _jsonable(value: Any) -> Any:
    """Annotations are human YAML: dates become ISO strings, anything else unusual fails."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} is not a finite number")
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    raise ValueError(f"cannot store a {type(value).__name__} in JSON: {value!r:.80}")

"""The row cap of SELECT answers (sdkg.rowcap) is exact in every format, wherever the
serializer's blocks happen to split the marks it counts.

pyoxigraph hands its output over in blocks of about 8 KB, so over HTTP a row mark cut
in two by a block boundary is rare; here the same bytes pyoxigraph writes are handed
over in blocks of random sizes (down to one byte), and the answer must equal the one
written in a single pass, which must itself hold exactly the first rows of the query.
"""

from __future__ import annotations

import csv
import io
import random

import pyoxigraph as ox
import pytest

from sdkg import rowcap

FORMATS = [
    ox.QueryResultsFormat.JSON,
    ox.QueryResultsFormat.XML,
    ox.QueryResultsFormat.CSV,
    ox.QueryResultsFormat.TSV,
]


def literal(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n").replace("\r", "\\r") + '"'


def query_of(count: int) -> str:
    """``count`` rows holding what each format's counting could mistake for a row."""
    values = []
    for i in range(count):
        tricky_x = 'x,{"a":' + str(i) + '}\r\n<result>"q"'
        tricky_y = "{} " + str(i) + '\n,""'
        values.append(
            [
                f"({literal(tricky_x)} <http://example.org/{i}>)",
                "(UNDEF UNDEF)",
                f"(UNDEF {literal(tricky_y)})",
                f"({literal(f'plain {i}')} UNDEF)",
            ][i % 4]
        )
    return f"SELECT ?x ?y WHERE {{ VALUES (?x ?y) {{ {' '.join(values)} }} }}"


def rows_of(body: bytes, fmt: ox.QueryResultsFormat) -> list[list[str]]:
    """The rows as text, read by a parser of the format (the csv module for CSV)."""
    if fmt is ox.QueryResultsFormat.CSV:
        return list(csv.reader(io.StringIO(body.decode(), newline="")))[1:]
    parsed = ox.parse_query_results(body, fmt)
    return [["" if row[v] is None else row[v].value for v in ("x", "y")] for row in parsed]


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return ox.Store()


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.file_extension)
@pytest.mark.parametrize("count", [0, 1, 4, 9, 700])
def test_the_first_rows_are_kept_and_the_cut_is_flagged(store, fmt, count):
    every_row = rows_of(store.query(query_of(count)).serialize(format=fmt), fmt)
    assert len(every_row) == count
    for cap in sorted({0, 1, 3, count - 1, count, count + 1} - {-1}):
        body, truncated = rowcap.capped_solutions(store.query(query_of(count)), fmt, cap)
        assert rows_of(body, fmt) == every_row[:cap]
        assert truncated == (count > cap)


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.file_extension)
def test_blocks_of_any_size_give_the_same_answer(store, fmt):
    rng = random.Random(17)
    for count in (3, 9, 40):
        whole = store.query(query_of(count)).serialize(format=fmt)
        for cap in (0, 1, 2, count - 1, count, count + 1):
            expected = rowcap.capped_solutions(store.query(query_of(count)), fmt, cap)
            for _ in range(20):
                target = rowcap._TARGETS[fmt](cap)
                position, truncated = 0, False
                try:
                    while position < len(whole):
                        size = rng.choice([1, 1, 2, 3, 7, 50, 1000])
                        target.write(whole[position : position + size])
                        position += size
                    body = bytes(target.data)
                except rowcap._RowLimitReached:
                    body, truncated = target.cut(), True
                if fmt is ox.QueryResultsFormat.JSON and b"{}" in body:
                    body, truncated = rowcap._exact_json_cap(body, cap, truncated)
                assert (body, truncated) == expected

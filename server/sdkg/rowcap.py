"""SELECT results written by pyoxigraph in one pass, cut exactly at a number of rows.

pyoxigraph writes a result to a Python file object in blocks of about 8 KB and offers
no way to stop after *n* rows. So each format's writer target here counts rows in the
bytes as they arrive, by a mark that can only begin a row in that format, and stops
the writer (by raising from ``write``) once one row more than the cap has begun; the
kept bytes are then cut before that row and the document closed. One serialization,
no parsing: the cost over pyoxigraph's own writing is a byte count per block.

- TSV: one row per line (newlines in values are escaped as ``\\n``).
- SPARQL XML: one ``<result>`` element per row (``<`` in values is written ``&lt;``).
- CSV: one row per CRLF outside double quotes (a value with a line break, a comma or a
  quote is quoted, and a quote inside it doubled, so quote parity tells them apart).
- SPARQL JSON: a row binding something begins with ``[{"`` or ``,{"``, which a string
  cannot hold (its quotes are escaped); a row binding nothing is ``{}``, which a string
  may hold, so output with ``{}`` in it is counted by parsing (rare, and slower).
"""

from __future__ import annotations

import json
import re
from typing import IO, cast

import pyoxigraph as ox


class _RowLimitReached(Exception):
    """Raised from a writer target to stop pyoxigraph's serializer at the row cap."""


class _Target:
    """A write target keeping what pyoxigraph writes; each format counts rows in it."""

    #: What closes a document cut short (after the last row kept).
    closing = b""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.data = bytearray()
        self.stopped = False
        self.cut_at = -1  # where the kept rows end, once known

    def write(self, chunk: bytes) -> int:
        """Keep ``chunk``; raise :class:`_RowLimitReached` once past the limit."""
        if self.stopped:
            # pyoxigraph's buffer hands its block over again as it is dropped.
            raise _RowLimitReached
        start = len(self.data)
        self.data += chunk
        if self.past_limit(start):
            self.stopped = True
            raise _RowLimitReached
        return len(chunk)

    def flush(self) -> None:
        """Nothing to flush; pyoxigraph calls it."""

    def past_limit(self, start: int) -> bool:  # pragma: no cover - each format defines it
        """Count the rows in what arrived from ``start`` on; once past the limit, set
        :attr:`cut_at` (searching only what arrived, so a cut costs no rescan) and say so."""
        raise NotImplementedError

    def cut(self) -> bytes:
        """The document holding only the first ``limit`` rows (once past the limit)."""
        return bytes(self.data[: self.cut_at]) + self.closing


class _TsvTarget(_Target):
    """TSV: the header line, then a line per row."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.lines = 0

    def past_limit(self, start: int) -> bool:
        before = self.lines
        self.lines += self.data.count(b"\n", start)
        if self.lines <= self.limit + 1:
            return False
        # Keep the header line and ``limit`` rows: up to the newline ending the last,
        # here or (when the lines kept were all complete already) before this block.
        missing = self.limit + 1 - before
        if missing:
            self.cut_at = _nth(self.data, b"\n", missing, start) + 1
        else:
            self.cut_at = self.data.rindex(b"\n", 0, start) + 1
        return True


class _XmlTarget(_Target):
    """SPARQL XML: a ``<result>`` element per row; no other ``<result>`` can occur."""

    MARK = b"<result>"
    closing = b"</results></sparql>"

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.rows = 0

    def past_limit(self, start: int) -> bool:
        # Look back over the end of the previous block, where a mark may have begun.
        start = max(start - len(self.MARK) + 1, 0)
        before = self.rows
        self.rows += self.data.count(self.MARK, start)
        if self.rows <= self.limit:
            return False
        self.cut_at = _nth(self.data, self.MARK, self.limit + 1 - before, start)
        return True


class _CsvTarget(_Target):
    """CSV: the header record, then a record per row, each ended by CRLF outside quotes."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.records = 0
        self.scanned = 0  # bytes read so far (a CR ending a block is read with the next)
        self.quoted = False
        self.record_end = 0  # offset just past the last record counted

    def past_limit(self, start: int) -> bool:
        self._scan()
        return self.cut_at >= 0

    def _scan(self) -> None:
        data, position = self.data, self.scanned
        # A final CR may be the first half of a CRLF: read it with the next block.
        end = len(data) - 1 if data.endswith(b"\r") else len(data)
        wanted = self.limit + 1  # the header, then the rows kept
        while position < end:
            quote = data.find(b'"', position, end)
            if self.quoted:
                if quote < 0:
                    position = end
                    break
                self.quoted, position = False, quote + 1
                continue
            stop = end if quote < 0 else quote
            found = data.count(b"\r\n", position, stop)
            if self.records + found > wanted:
                # The record past the last one kept ends in this stretch: cut after the
                # CRLF that ends the last record kept (here, or before this stretch).
                missing = wanted - self.records
                if missing:
                    self.record_end = _nth(data, b"\r\n", missing, position) + 2
                self.cut_at = self.record_end
                return
            if found:
                self.records += found
                self.record_end = data.rindex(b"\r\n", position, stop) + 2
            if quote < 0:
                position = end
                break
            self.quoted, position = True, quote + 1
        self.scanned = position


class _JsonTarget(_Target):
    """SPARQL JSON: rows binding something begin with ``[{"`` or ``,{"``."""

    closing = b"]}}"

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.rows = 0

    def past_limit(self, start: int) -> bool:
        # A row start may straddle two blocks: look back two bytes, never counting twice.
        start = max(start - 2, 0)
        before = self.rows
        self.rows += self.data.count(b',{"', start) + self.data.count(b'[{"', start)
        if self.rows <= self.limit:
            return False
        starts = _JSON_ROW_START.finditer(self.data, start)
        first_extra = next(m for i, m in enumerate(starts, before) if i == self.limit)
        # Before the row's comma; after the bracket that opens the list (no row kept).
        self.cut_at = first_extra.start() + (first_extra[0][0] == ord("["))
        return True


_JSON_ROW_START = re.compile(rb'[\[,]\{"')

_TARGETS: dict[ox.QueryResultsFormat, type[_Target]] = {
    ox.QueryResultsFormat.TSV: _TsvTarget,
    ox.QueryResultsFormat.XML: _XmlTarget,
    ox.QueryResultsFormat.CSV: _CsvTarget,
    ox.QueryResultsFormat.JSON: _JsonTarget,
}


def capped_solutions(
    solutions: ox.QuerySolutions, fmt: ox.QueryResultsFormat, max_rows: int
) -> tuple[bytes, bool]:
    """``solutions`` written in ``fmt``, at most ``max_rows`` rows; and whether cut.

    The query's evaluation stops as soon as the row past the cap is written.
    """
    target = _TARGETS[fmt](max_rows)
    truncated = False
    try:
        solutions.serialize(cast(IO[bytes], target), fmt)
        body = bytes(target.data)
    except _RowLimitReached:
        body, truncated = target.cut(), True
    if fmt is ox.QueryResultsFormat.JSON and b"{}" in body:
        return _exact_json_cap(body, max_rows, truncated)
    return body, truncated


def _exact_json_cap(body: bytes, max_rows: int, truncated: bool) -> tuple[bytes, bool]:
    """Count and cut rows by parsing: for JSON that may hold rows binding nothing."""
    document = json.loads(body)
    bindings = document["results"]["bindings"]
    if len(bindings) <= max_rows:
        return body, truncated
    del bindings[max_rows:]
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode(), True


def _nth(data: bytearray, mark: bytes, n: int, start: int = 0) -> int:
    """The offset of the ``n``-th (from 1) ``mark`` in ``data`` from ``start``."""
    position = start - 1
    for _ in range(n):
        position = data.index(mark, position + 1)
    return position

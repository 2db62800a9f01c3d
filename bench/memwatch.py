"""Watch the memory of a process tree from outside; print the peaks as JSON at the end.

    python bench/memwatch.py PID

A process of its own, so that reading /proc (the kernel walks the page tables for
PSS) never holds the benchmark client's GIL. Commands on stdin, one per line:
``phase NAME`` (peaks from now on count for NAME), ``interval SECONDS``; end of
input stops it. Per phase it keeps the peak of the summed PSS (shared pages counted
once across the tree) and of the summed RSS; overall, the sum over every process seen
of its own peak RSS (VmHWM), an upper bound that also catches spikes between samples.
"""

from __future__ import annotations

import json
import select
import sys
from pathlib import Path


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants (from /proc/PID/task/TID/children)."""
    found = [pid]
    for current in found:
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                found += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, NotADirectoryError):
            continue
    return found


def kb_fields(path: str, names: tuple[str, ...]) -> dict[str, int]:
    """Fields like ``Pss:  1234 kB`` of a /proc file, in bytes."""
    values = {}
    with open(path, encoding="ascii") as handle:
        for line in handle:
            key, _, rest = line.partition(":")
            if key in names:
                values[key] = int(rest.split()[0]) * 1024
    return values


def main() -> int:
    root = int(sys.argv[1])
    phase, interval = "start", 0.1
    peaks: dict[str, dict[str, int]] = {}
    hwm: dict[int, int] = {}
    stdin = sys.stdin
    while True:
        pss = rss = 0
        for pid in tree(root):
            try:
                rollup = kb_fields(f"/proc/{pid}/smaps_rollup", ("Pss", "Rss"))
                status = kb_fields(f"/proc/{pid}/status", ("VmHWM",))
            except (FileNotFoundError, ProcessLookupError):
                continue
            pss += rollup.get("Pss", 0)
            rss += rollup.get("Rss", 0)
            hwm[pid] = max(hwm.get(pid, 0), status.get("VmHWM", 0))
        peak = peaks.setdefault(phase, {"pss": 0, "rss": 0})
        peak["pss"] = max(peak["pss"], pss)
        peak["rss"] = max(peak["rss"], rss)
        if select.select([stdin], [], [], interval)[0]:
            line = stdin.readline()
            if not line:
                break
            command, _, value = line.strip().partition(" ")
            if command == "phase":
                phase = value
            elif command == "interval":
                interval = float(value)
    overall = {
        "pss": max(p["pss"] for p in peaks.values()),
        "rss": max(p["rss"] for p in peaks.values()),
        "hwm_sum": sum(hwm.values()),
    }
    json.dump({"phases": peaks, "overall": overall}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())

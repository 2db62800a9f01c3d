"""Run the console examples of README.md and docs/*.md and compare their output.

The format every page uses: a fenced block with the info string ``console``; a line
starting with ``$ `` is a command (continued on the next lines while it ends with ``\\``
or has an unclosed quote), and the lines after it, up to the next ``$ `` or the end of
the block, are its expected output (standard output and standard error together).

How a block runs:

- Each command runs in ``bash`` in the repository root, with the venv's ``sdkg`` first
  on ``PATH``, ``HOME`` a fresh temporary folder (so the default store is a first-run
  one), ``$?`` the previous command's exit status and the exported variables of the
  earlier commands of the block (``export TOKEN=...`` carries on; ``cd`` does not).
- ``127.0.0.1:8000`` and ``localhost:8000`` in a command are rewritten to the port of a
  server started by the runner: one ``sdkg serve`` on the bundled data shared by all
  blocks, or the block's own server if the block has a ``$ sdkg serve ...`` command.
  Such a command is started in the background (with ``--port 0`` added, and a fresh
  ``HOME`` for its default store), stopped at the end of the block, and its expected
  lines must appear in its start-up output in that order (other lines may come between,
  since worker and gunicorn lines interleave).
- A line that is exactly ``...`` in an expected output stands for any number of lines;
  ``...`` inside a line stands for any text on that line.
- Before comparing, both sides are normalised: the runner's temporary folders read as
  ``/home/you``, its ports as ``8000``, durations (``0.76s``, ``2 ms``) as ``N``,
  timestamps and process ids as placeholders, trailing spaces and blank lines dropped.

The Python examples (``pycon`` blocks, or ``python`` blocks starting with ``>>>``) run
as doctests in the repository root.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
#: The pages whose examples run: the README and every page of the documentation.
PAGES = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
#: The address the examples are written for.
DOC_PORT = 8000
#: Longest one command may take.
COMMAND_TIMEOUT = 180

_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`\s]*)[^`]*$")
_SERVE = re.compile(r"^(?:\w+=\S*\s+)*sdkg\s+serve(?:\s|$)")
_URL = re.compile(r"serving SPARQL at (http://\S+/)sparql")


@dataclass
class Command:
    """One ``$ `` command of a console block and the output the page shows for it."""

    text: str
    expected: list[str]
    line: int


@dataclass
class Block:
    """One fenced example block of a page."""

    page: Path
    line: int
    kind: str  # "console" or "pycon"
    body: list[str]
    commands: list[Command] = field(default_factory=list)

    @property
    def name(self) -> str:
        """``README.md:42``: where the block starts."""
        return f"{self.page.relative_to(REPO)}:{self.line}"


def find_blocks(page: Path) -> list[Block]:
    """The ``console`` and Python-prompt blocks of a Markdown page."""
    blocks = []
    lines = page.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        indent, fence, info = opening["indent"], opening["fence"], opening["info"].lower()
        body = []
        start = index + 1
        index += 1
        while index < len(lines):
            stripped = lines[index].strip()
            if stripped.startswith(fence) and set(stripped) == {fence[0]}:
                break
            body.append(lines[index][len(indent) :] if lines[index].startswith(indent) else "")
            index += 1
        index += 1
        first = next((line for line in body if line.strip()), "")
        if info == "console":
            block = Block(page, start, "console", body)
            block.commands = parse_console(body, start + 1)
            blocks.append(block)
        elif info == "pycon" or (info == "python" and first.startswith(">>>")):
            blocks.append(Block(page, start, "pycon", body))
    return blocks


def parse_console(body: list[str], first_line: int) -> list[Command]:
    """Split a console block into commands and their expected output."""
    commands: list[Command] = []
    index = 0
    while index < len(body):
        line = body[index]
        if not line.startswith("$ "):
            if commands:
                commands[-1].expected.append(line)
            elif line.strip():
                raise ValueError(f"line {first_line + index}: output before the first '$ '")
            index += 1
            continue
        text = line[2:]
        start = index
        while _continues(text) and index + 1 < len(body):
            index += 1
            text += "\n" + body[index]
        commands.append(Command(text, [], first_line + start))
        index += 1
    return commands


def _continues(text: str) -> bool:
    """Whether a command goes on past this line (trailing backslash, unclosed quote)."""
    if text.endswith("\\"):
        return True
    try:
        shlex.split(text, comments=True)
    except ValueError:
        return True
    return False


# ------------------------------------------------------------------ normalising

_DURATION = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?= ?(?:ms|s|seconds?)\b)")
_TIMESTAMPS = [
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?"), "<time>"),
    (re.compile(r"\[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\]"), "[<time>]"),
    (re.compile(r"\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}\]"), "[<time>]"),
]
_PID = re.compile(r"\[\d+\](?= )")
#: Other places process ids show: gunicorn's "Listening at: URL (123)", "with pid: 123",
#: and the "pid" of /healthz.
_PIDS = [
    (re.compile(r"(Listening at: \S+) \(\d+\)"), r"\1 (PID)"),
    (re.compile(r"\bpid: \d+"), "pid: PID"),
    (re.compile(r'"pid": ?\d+'), '"pid": PID'),
]


@dataclass
class Normaliser:
    """Makes outputs comparable across runs: paths, ports, times and pids."""

    paths: dict[str, str] = field(default_factory=dict)
    ports: set[int] = field(default_factory=set)

    def place(self, text: str) -> str:
        """One line with the runner's folders and ports put back as the page writes them."""
        for real in sorted(self.paths, key=len, reverse=True):
            text = text.replace(real, self.paths[real])
        for port in self.ports:
            text = text.replace(f"127.0.0.1:{port}", f"127.0.0.1:{DOC_PORT}")
            text = text.replace(f"localhost:{port}", f"localhost:{DOC_PORT}")
        return text.rstrip()

    def line(self, text: str) -> str:
        """One line, normalised."""
        text = self.place(text)
        for pattern, placeholder in _TIMESTAMPS:
            text = pattern.sub(placeholder, text)
        text = _PID.sub("[PID]", text)
        for pattern, placeholder in _PIDS:
            text = pattern.sub(placeholder, text)
        text = _DURATION.sub("N", text)
        return text.rstrip()

    def lines(self, lines: list[str]) -> list[str]:
        """Normalised lines without trailing blank lines."""
        result = [self.line(line) for line in lines]
        while result and not result[-1]:
            result.pop()
        return result


def same_line(expected: str, actual: str) -> bool:
    """Whether a line matches, where ``...`` inside an expected line stands for any text."""
    if "..." not in expected:
        return expected == actual
    pattern = ".*".join(re.escape(piece) for piece in expected.split("..."))
    return re.fullmatch(pattern, actual) is not None


def matches(expected: list[str], actual: list[str]) -> bool:
    """Whether ``actual`` is ``expected``, where a line ``...`` stands for any lines."""
    if not expected:
        return not actual
    if expected[0] == "...":
        return any(matches(expected[1:], actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and same_line(expected[0], actual[0]) and matches(expected[1:], actual[1:])


def in_order(expected: list[str], actual: list[str]) -> bool:
    """Whether every expected line (``...`` aside) appears in ``actual``, in order."""
    remaining = iter(actual)
    return all(line == "..." or any(same_line(line, got) for got in remaining) for line in expected)


# ------------------------------------------------------------------ servers


@dataclass
class Server:
    """An ``sdkg serve`` started for the examples."""

    process: subprocess.Popen
    port: int
    log: Path

    def output(self) -> list[str]:
        """What it printed so far."""
        return self.log.read_text(encoding="utf-8", errors="replace").splitlines()

    def stop(self) -> None:
        """Stop it (and its workers) and wait."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def start_server(command: str, env: dict[str, str], log: Path, envfile: Path | None) -> Server:
    """Start ``command`` (an ``sdkg serve ...`` line) on a free port; wait until it answers."""
    source = f"source {shlex.quote(str(envfile))} 2>/dev/null\n" if envfile else ""
    # The block's exported variables, but the server's own HOME (its default store).
    home = " ".join(f"{name}={shlex.quote(env[name])}" for name in ("HOME", "XDG_DATA_HOME"))
    script = f"{source}export {home}\n{command} --port 0"
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["bash", "-c", script],
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 120
    base = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{command!r} exited with {process.returncode}:\n{log.read_text()}")
        if base is None:
            found = _URL.search(log.read_text(errors="replace"))
            base = found.group(1) if found else None
        if base is not None:
            try:
                if requests.get(base + "healthz", timeout=5).status_code == 200:
                    return Server(process, int(base.rsplit(":", 1)[1].rstrip("/")), log)
            except requests.ConnectionError:
                pass
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)
    raise RuntimeError(f"{command!r} did not answer within 120 s:\n{log.read_text()}")


# ------------------------------------------------------------------ running


def base_env(home: Path) -> dict[str, str]:
    """The environment of the examples: the venv first on PATH, a fresh HOME."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SDKG_", "PYTEST_", "PROMETHEUS_"))
    }
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["HOME"] = str(home)
    env["XDG_DATA_HOME"] = str(home / ".local" / "share")
    env["COLUMNS"] = "80"
    return env


@dataclass
class Outcome:
    """A command, the output the page shows and the output it gave (both normalised)."""

    command: Command
    expected: list[str]
    actual: list[str]
    ok: bool = False
    #: The output as printed, with only the runner's paths and ports put back.
    shown: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """A readable account of the difference, for the test failure."""
        import difflib

        diff = difflib.unified_diff(
            self.expected, self.actual, "on the page", "actual output", lineterm=""
        )
        return f"line {self.command.line}: $ {self.command.text}\n" + "\n".join(diff)


def rewrite(command: str, port: int) -> str:
    """Point the documentation's address at the server the runner started."""
    return command.replace(f"127.0.0.1:{DOC_PORT}", f"127.0.0.1:{port}").replace(
        f"localhost:{DOC_PORT}", f"localhost:{port}"
    )


def run_console(block: Block, shared_port: int | None, workdir: Path) -> list[Outcome]:
    """Run a console block; return the commands whose output differs from the page."""
    return [outcome for outcome in run_block(block, shared_port, workdir) if not outcome.ok]


def run_block(block: Block, shared_port: int | None, workdir: Path) -> list[Outcome]:
    """Run a console block; return every command's outcome."""
    home = workdir / "home"
    home.mkdir(parents=True, exist_ok=True)
    env = base_env(home)
    envfile = workdir / "exported.sh"
    envfile.write_text("", encoding="utf-8")
    normaliser = Normaliser(paths={str(workdir): "/home/you"})
    normaliser.paths[str(home)] = "/home/you"
    if shared_port is not None:
        normaliser.ports.add(shared_port)
    port = shared_port
    servers: list[Server] = []
    outcomes: list[Outcome] = []
    status = 0
    try:
        for number, command in enumerate(block.commands):
            expected = normaliser.lines(command.expected)
            if _SERVE.match(command.text):
                server_home = workdir / f"server-home-{number}"
                server_home.mkdir()
                normaliser.paths[str(server_home)] = "/home/you"
                server = start_server(
                    command.text,
                    base_env(server_home),
                    workdir / f"server-{number}.log",
                    envfile,
                )
                servers.append(server)
                port = server.port
                normaliser.ports.add(port)
                actual = normaliser.lines(server.output())
                outcomes.append(
                    Outcome(command, expected, actual, in_order(expected, actual), command.expected)
                )
                continue
            if port is None and (f":{DOC_PORT}" in command.text):
                raise RuntimeError("a command uses the server but none was started")
            script = (
                f"source {shlex.quote(str(envfile))} 2>/dev/null\n"
                f"(exit {status})\n"
                f"{rewrite(command.text, port) if port else command.text}\n"
                "__sdkg_docs_status=$?\n"
                f"export -p > {shlex.quote(str(envfile))}\n"
                "exit $__sdkg_docs_status\n"
            )
            try:
                done = subprocess.run(
                    ["bash", "-c", script],
                    cwd=REPO,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    timeout=COMMAND_TIMEOUT,
                )
            except subprocess.TimeoutExpired:
                timed_out = [f"(timed out after {COMMAND_TIMEOUT} s)"]
                outcomes.append(Outcome(command, expected, timed_out))
                break
            status = done.returncode
            printed = done.stdout.decode("utf-8", "replace").splitlines()
            actual = normaliser.lines(printed)
            shown = [normaliser.place(line) for line in printed]
            outcomes.append(Outcome(command, expected, actual, matches(expected, actual), shown))
    finally:
        for server in servers:
            server.stop()
    return outcomes


def needs_shared_server(block: Block) -> bool:
    """Whether a block talks to the shared server (it uses the address, starts none)."""
    if block.kind != "console":
        return False
    if any(_SERVE.match(command.text) for command in block.commands):
        return False
    return any(f":{DOC_PORT}" in command.text for command in block.commands)


def all_blocks() -> list[Block]:
    """Every example block of every page."""
    return [block for page in PAGES for block in find_blocks(page)]


def shared_server(workdir: Path) -> Server:
    """The ``sdkg serve`` on the bundled data that the examples' URLs point at."""
    home = workdir / "home"
    home.mkdir(parents=True, exist_ok=True)
    return start_server("sdkg serve", base_env(home), workdir / "server.log", None)


def temporary_folder() -> Path:
    """A fresh folder for one block's files."""
    return Path(tempfile.mkdtemp(prefix="sdkg-docs-"))


def update_page(page: Path, shared_port: int | None) -> int:
    """Write each command's real output into ``page`` where it differs; return how many.

    For people updating a page after a change (``python tests/support/docs_examples.py PAGE``);
    ``sdkg serve`` lines and outputs that match (``...`` included) are left as written.
    """
    lines = page.read_text(encoding="utf-8").splitlines()
    replacements: list[tuple[Command, list[str], str]] = []
    for block in find_blocks(page):
        if block.kind != "console":
            continue
        indent = _FENCE.match(lines[block.line - 1])["indent"]
        port = shared_port if needs_shared_server(block) else None
        for outcome in run_block(block, port, temporary_folder()):
            if not outcome.ok and not _SERVE.match(outcome.command.text):
                replacements.append((outcome.command, outcome.shown, indent))
    for command, shown, indent in sorted(replacements, key=lambda r: -r[0].line):
        start = command.line + command.text.count("\n")  # first line after the command
        blank_tail = len(command.expected) - len(
            "\n".join(command.expected).rstrip("\n").splitlines()
        )
        end = start + len(command.expected) - blank_tail
        lines[start:end] = [indent + line if line else "" for line in shown]
    page.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(replacements)


if __name__ == "__main__":
    shared = None
    try:
        for name in sys.argv[1:]:
            target = Path(name).resolve()
            if shared is None and any(needs_shared_server(b) for b in find_blocks(target)):
                shared = shared_server(temporary_folder())
            changed = update_page(target, shared.port if shared else None)
            print(f"{name}: {changed} output(s) updated")
    finally:
        if shared is not None:
            shared.stop()

"""Every example in README.md and docs/ runs, and prints what the page shows.

How blocks are found, run and compared: :mod:`docs_examples`. A test fails with a diff
of the page's text and the real output; fix the page (or the code) until they agree.
"""

from __future__ import annotations

import doctest
import shutil

import pytest
from support import docs_examples

pytestmark = pytest.mark.server  # the examples run real sdkg commands and servers

BLOCKS = docs_examples.all_blocks()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory):
    """One ``sdkg serve`` on the bundled data for the examples that query 127.0.0.1:8000."""
    server = docs_examples.shared_server(tmp_path_factory.mktemp("docs-server"))
    yield server
    server.stop()


def test_pages_have_examples():
    # The runner must find the README's tour, else a parsing slip would pass silently.
    readme = [block for block in BLOCKS if block.page.name == "README.md"]
    assert any(block.kind == "console" and block.commands for block in readme)


@pytest.mark.parametrize("block", BLOCKS, ids=[block.name for block in BLOCKS])
def test_example(block, request, tmp_path, monkeypatch):
    if block.kind == "pycon":
        _run_doctest(block, tmp_path, monkeypatch)
        return
    assert block.commands, f"{block.name}: a console block without a '$ ' command"
    port = None
    if docs_examples.needs_shared_server(block):
        port = request.getfixturevalue("shared_server").port
    failures = docs_examples.run_console(block, port, tmp_path)
    assert not failures, f"{block.name}: the output differs from the page\n" + "\n\n".join(
        failure.describe() for failure in failures
    )


def _run_doctest(block, tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.chdir(docs_examples.REPO)
    text = "\n".join(block.body) + "\n"
    test = doctest.DocTestParser().get_doctest(text, {}, block.name, str(block.page), block.line)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    output: list[str] = []
    try:
        runner.run(test, out=output.append)
    finally:
        for value in test.globs.values():
            close = getattr(value, "close", None)
            if callable(close) and type(value).__name__ == "OpenGraph":
                close()
        shutil.rmtree(home, ignore_errors=True)
    assert runner.failures == 0, "".join(output)


def test_parser_reads_commands_outputs_and_continuations(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "text\n\n```console\n$ echo one \\\n    two\none two\n$ echo 'a\nb'\na\nb\n\n"
        "$ true\n```\n\n```python\n>>> 1 + 1\n2\n```\n",
        encoding="utf-8",
    )
    [console, pycon] = docs_examples.find_blocks(page)
    assert [c.text for c in console.commands] == ["echo one \\\n    two", "echo 'a\nb'", "true"]
    assert [c.expected for c in console.commands] == [["one two"], ["a", "b", ""], []]
    assert pycon.kind == "pycon"


def test_runner_reports_a_changed_output(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "```console\n$ echo right\nwrong\n$ (exit 3)\n$ echo $?\n3\n```\n", encoding="utf-8"
    )
    [block] = docs_examples.find_blocks(page)
    block.page = docs_examples.REPO / "page.md"  # names are relative to the repository
    [failure] = docs_examples.run_console(block, None, tmp_path)
    assert failure.command.text == "echo right"
    assert failure.actual == ["right"] and failure.expected == ["wrong"]


def test_normaliser_and_ellipsis():
    normaliser = docs_examples.Normaliser(paths={"/tmp/x1/home": "/home/you"}, ports={4711})
    assert normaliser.line("at http://127.0.0.1:4711/ in 0.25 s, 3ms") == (
        "at http://127.0.0.1:8000/ in N s, Nms"
    )
    assert normaliser.line("[123] INFO store: /tmp/x1/home/.local") == (
        "[PID] INFO store: /home/you/.local"
    )
    assert normaliser.line("[INFO] Listening at: http://127.0.0.1:4711 (99)") == (
        "[INFO] Listening at: http://127.0.0.1:8000 (PID)"
    )
    assert normaliser.line('{"ready":true,"pid":31337}') == '{"ready":true,"pid": PID}'
    assert docs_examples.matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert not docs_examples.matches(["a", "...", "d"], ["a", "b", "c"])
    assert docs_examples.matches(['{"status":"ok",...}'], ['{"status":"ok","ready":true}'])
    assert not docs_examples.matches(['{"status":"ok",...}'], ['{"status":"down"}'])
    assert docs_examples.in_order(["b", "d"], ["a", "b", "c", "d"])
    assert not docs_examples.in_order(["d", "b"], ["a", "b", "c", "d"])

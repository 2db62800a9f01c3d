"""The documentation names every setting and every route (as Datasette's test_docs does).

A setting or route added without a word in docs/ fails here, with its name.
"""

from __future__ import annotations

import re
from dataclasses import fields

import pytest
from support import REPO

from sdkg.config import _ENV_NAMES, Settings
from sdkg.web import create_app

DOCS = REPO / "docs"


@pytest.fixture(scope="module")
def docs_text() -> str:
    return "\n".join(page.read_text(encoding="utf-8") for page in sorted(DOCS.rglob("*.md")))


@pytest.mark.parametrize("name", [f.name for f in fields(Settings)])
def test_every_setting_is_documented(name, docs_text):
    environment = _ENV_NAMES.get(name, f"SDKG_{name.upper()}")
    assert f"`{environment}`" in docs_text, f"setting {name} ({environment}) is not in docs/"
    assert f"| {name} |" in docs_text, f"setting {name} has no row in docs/reference/settings.md"


def _routes() -> list[str]:
    app = create_app(Settings(memory=True))
    return sorted({rule.rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"})


@pytest.mark.parametrize("rule", _routes())
def test_every_route_is_documented(rule, docs_text):
    # /id/<path:name> is documented as /id/<slug>: any <...> placeholder will do.
    pattern = "".join(
        "<[^>]+>" if part.startswith("<") else re.escape(part)
        for part in re.split(r"(<[^>]+>)", rule)
    )
    assert re.search(f"`[^`]*{pattern}(?![\\w/.<])", docs_text), f"route {rule} is not in docs/"


README = DOCS.parent / "README.md"


def test_readme_is_one_screen_that_starts_with_serve_and_test():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) < 200
    first_block = text.split("```")[1]
    assert "sdkg serve" in first_block and ".ci/run" in first_block


def test_readme_links_and_images_point_at_files_that_exist():
    # mkdocs checks the links of docs/; the README is read on GitHub and in the sdist.
    text = README.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    local = [target for target in targets if "://" not in target]
    assert local, "the README links into the documentation"
    missing = [target for target in local if not (README.parent / target).exists()]
    assert missing == []

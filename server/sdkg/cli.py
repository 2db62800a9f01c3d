"""The ``sdkg`` command line: one click group, one sub-command per job."""

from __future__ import annotations

import click

from sdkg import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sdkg")
def main() -> None:
    """sdkg: the Science Diplomacy Knowledge Graph."""


if __name__ == "__main__":
    main()

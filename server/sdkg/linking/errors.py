"""The one error type of :mod:`sdkg.linking`: its message tells a person what to do."""


class LinkingError(Exception):
    """A linking job could not be done (bad input, unreachable source, bad mapping file)."""

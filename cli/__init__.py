"""The `pantry` command line: one entry point for the TUI and every subcommand."""

__version__ = "0.1.0"


def version() -> str:
    """The installed distribution's version when installed, else the source tree's."""
    try:
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as dist_version
    except ImportError:  # pragma: no cover
        return __version__
    try:
        return dist_version("pantry-crm")
    except PackageNotFoundError:
        return __version__

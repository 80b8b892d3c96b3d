"""Demo data of the benefits module: each part in its own module, loaded in order."""

from . import demo_dividends, demo_jobs


def load(log) -> None:
    demo_jobs.load(log)
    demo_dividends.load(log)

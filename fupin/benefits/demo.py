"""Demo data of the benefits module, in the order the parts stand on each other."""

from . import demo_dividends


def load(log) -> None:
    demo_dividends.load(log)

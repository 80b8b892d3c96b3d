"""Demo data of the benefits module; each part loads once (fupin.core.demo.run_once)."""

from . import demo_ledger


def load(log) -> None:
    demo_ledger.load(log)

"""Demo data of the benefits module: each part in its own module, loaded once each (run_once), in the
order they stand on each other: dividends distribute the ledger's revenue to the households it attached."""

from . import demo_dividends, demo_jobs, demo_ledger


def load(log) -> None:
    demo_ledger.load(log)
    demo_jobs.load(log)
    demo_dividends.load(log)

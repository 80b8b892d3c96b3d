"""Demo data of the benefits module: each part in its own module, loaded once each (run_once), in the
order they stand on each other: dividends distribute the ledger's revenue to the households it attached.
The employment demo (workshops, posts, placements) runs between them, as it did before employment became
its own app, so the demo's people and figures stay the same; run_once keeps its own later call a no-op."""

from fupin.employment import demo as employment

from . import dividends, ledger


def load(log) -> None:
    ledger.load(log)
    employment.load(log)
    dividends.load(log)

"""Every app keeps its own catalogue, but Django looks msgids up in one namespace: the same English text
must mean the same Chinese everywhere, or one app's page silently shows another app's word."""

import gettext
from pathlib import Path

import fupin

CATALOGUES = sorted(Path(fupin.__file__).parent.glob("**/locale/zh_Hans/LC_MESSAGES/django.mo"))


def entries(path: Path) -> dict:
    with path.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog
    return {key: value for key, value in catalogue.items() if key}


def test_there_is_a_catalogue_per_app():
    apps = {path.parts[-5] for path in CATALOGUES}
    assert {"fupin", "registry", "lectures"} <= apps


def test_a_msgid_means_the_same_everywhere():
    seen: dict = {}
    clashes = []
    for path in CATALOGUES:
        for msgid, text in entries(path).items():
            if msgid in seen and seen[msgid][1] != text:
                clashes.append(
                    f"{msgid!r}: {seen[msgid][0]} says {seen[msgid][1]!r}, {path.parts[-5]} says {text!r}"
                )
            seen.setdefault(msgid, (path.parts[-5], text))
    assert not clashes, "\n".join(clashes)


def test_every_entry_is_translated():
    for path in CATALOGUES:
        empty = [msgid for msgid, text in entries(path).items() if not text]
        assert not empty, f"{path}: {empty}"

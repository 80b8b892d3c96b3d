"""SQLite under several server processes: concurrent writers queue for the lock instead of failing.

Real processes against a real file, as gunicorn's workers would be: WAL, a busy timeout and BEGIN
IMMEDIATE make every audited write land, and the audit chain stays gapless.
"""

import os
import sqlite3
import subprocess
import sys
import textwrap

import pytest
from django.db import connection

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="the embedded SQLite set-up only")

WRITER = textwrap.dedent(
    """
    import sys, django
    django.setup()
    from fupin.core import services
    from fupin.core.models import Region
    county = Region.objects.get(code="370828000000")
    worker = int(sys.argv[1])
    town = services.create_region(None, code=f"3708281{worker:02d}000", name=f"测试镇{worker}", parent=county)
    for n in range(200, 215):
        services.create_region(None, code=f"3708281{worker:02d}{n}", name=f"测试村{n}", parent=town)
    """
)


def run(args, env, **kwargs):
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=120, **kwargs
    )


@pytest.fixture
def data_dir(tmp_path, transactional_db):
    """A DATA_DIR whose database file is a copy of the test database, migrated once for the whole run:
    the tables `migrate` makes, in WAL. (Transactional: the copy takes only what is committed.)"""
    copy = sqlite3.connect(tmp_path / "fupin.sqlite3")
    try:
        connection.ensure_connection()
        connection.connection.backup(copy)
        copy.execute("PRAGMA journal_mode=WAL")
    finally:
        copy.close()
    return tmp_path


def test_concurrent_writers_all_land(data_dir):
    env = {**os.environ, "DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "fupin.settings"}
    env.pop("DATABASE_URL", None)
    setup = (
        "from fupin.core import services; services.create_region(None, code='370828000000', name='金乡县')"
    )
    assert run(["-m", "fupin", "shell", "-c", setup], env).returncode == 0  # fails on an unmigrated file

    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(w)], env=env, stderr=subprocess.PIPE, text=True)
        for w in range(50, 54)
    ]
    errors = [p.communicate(timeout=120)[1] for p in writers]
    assert [p.returncode for p in writers] == [0, 0, 0, 0], errors

    check = "from fupin.core.models import Region; print(Region.objects.count())"
    assert run(["-m", "fupin", "shell", "--no-imports", "-c", check], env).stdout.split() == [str(1 + 4 * 16)]
    verify = run(["-m", "fupin", "audit", "verify"], env)
    assert verify.returncode == 0 and "65 个事件" in verify.stdout

"""`python -m fupin demo` and friends."""

import subprocess
import sys

from django.core.management import call_command

from fupin.core import demo
from fupin.core.models import AuditEvent, Region, User


def test_demo_loads_once_and_keeps_changes(db, capsys):
    # The foundation's part only: the other apps' demos are checked in their own tests.
    demo.load(print)
    assert Region.objects.filter(level="town").count() == 13
    towns = dict(Region.objects.filter(level="town").values_list("code", "name"))
    assert towns["370828107000"] == "司马镇" and towns["370828001000"] == "金乡街道"
    assert Region.objects.filter(level="village", parent_id="370828107000", name="南徐庄村").exists()
    villages = Region.objects.filter(level="village")
    assert villages.count() > 300
    assert all(v.code[9:] >= "200" for v in villages.filter(kind="villagers"))
    assert all("001" <= v.code[9:] < "200" for v in villages.filter(kind="residents"))
    names = {"admin", "sima", "jishu", "helper", "finance", "inspector"} | {
        f"expert{i}" for i in range(1, 10)
    }
    assert names <= set(User.objects.values_list("username", flat=True))
    sima = User.objects.get(username="sima")
    assert sima.check_password("fupin-demo") and sima.region.name == "司马镇"
    assert User.objects.get(username="helper").region.code.startswith("370828107")

    sima.display_name = "改过的名字"
    sima.save()
    Region.objects.filter(code="370828107200").update(name="改名村")
    events = AuditEvent.objects.count()
    demo.load(print)
    assert User.objects.get(username="sima").display_name == "改过的名字"
    assert Region.objects.get(code="370828107200").name == "改名村"
    assert AuditEvent.objects.count() == events
    assert "已加载" in capsys.readouterr().out


def test_calendar_sync_command(db, capsys):
    call_command("calendar", "sync")
    assert "新增 0 天" in capsys.readouterr().out


def test_python_m_fupin_runs():
    result = subprocess.run(
        [sys.executable, "-m", "fupin", "help", "audit"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0 and "verify" in result.stdout

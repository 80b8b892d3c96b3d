"""Demo data of the project library: the expert pool. The projects themselves are walked through their
lifecycle by the funds demo (`fupin/funds/demo.py`), because from the annual plan on they need money."""

from fupin.core.demo import EXPERT_UNITS, run_once
from fupin.core.models import User
from fupin.projects import services


def load_pool(log) -> None:
    admin = User.objects.get(username="admin")
    fields = ["农业经济", "财务", "投资评审", "审计", "水利", "工程", "土地", "商贸", "畜牧"]
    for i, unit in enumerate(EXPERT_UNITS, start=1):
        user = User.objects.get(username=f"expert{i}")
        services.create_expert(admin, name=user.display_name, unit=unit, field=fields[i - 1], user=user)
    log(f"  专家库：{len(EXPERT_UNITS)} 名专家（expert1…expert9）")


def load(log) -> None:
    run_once("projects.pool", load_pool, log)

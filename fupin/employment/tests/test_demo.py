"""The employment demo: the county's workshops and posts on the seed's scale, and projects that meet the
employment requirement next to some that fall short of it."""

from fupin.employment import compliance
from fupin.employment.models import Post, Workshop
from fupin.projects.models import Project


def test_demo_employment(demo):
    assert Workshop.objects.count() == 42 and Post.objects.count() == 252
    rows = compliance.by_project(Project.objects.all())
    assert any(row.shortfall > 0 for row in rows) and any(row.required and not row.shortfall for row in rows)

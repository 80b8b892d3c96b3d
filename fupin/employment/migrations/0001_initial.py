"""Employment's models came from `benefits` with their tables (`db_table` keeps the old names): this
migration only tells Django's state where they are now; no table changes (benefits.0005 is the other half)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("benefits", "0004_distribution"),
        ("projects", "0002_alter_asset_owner_alter_progress_problems_and_more"),
        ("registry", "0002_search_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Post",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("poverty", "Poverty-alleviation post"),
                                    ("welfare", "Public-welfare post"),
                                ],
                                max_length=10,
                                verbose_name="kind of post",
                            ),
                        ),
                        ("title", models.CharField(max_length=60, verbose_name="post")),
                        ("region_code", models.CharField(max_length=12, verbose_name="post location")),
                        (
                            "monthly_wage",
                            models.DecimalField(
                                decimal_places=2, max_digits=14, verbose_name="monthly wage (yuan)"
                            ),
                        ),
                        ("funded_by", models.CharField(max_length=100, verbose_name="funded by")),
                        ("places", models.PositiveIntegerField(verbose_name="places")),
                        ("opened_on", models.DateField(verbose_name="opened on")),
                        ("closed_on", models.DateField(blank=True, null=True, verbose_name="date closed")),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "created_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "post",
                        "verbose_name_plural": "posts",
                        "db_table": "benefits_post",
                        "ordering": ["region_code", "kind", "title", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="Placement",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("region_code", models.CharField(max_length=12)),
                        ("started_on", models.DateField(verbose_name="start date")),
                        ("ended_on", models.DateField(blank=True, null=True, verbose_name="end date")),
                        (
                            "monthly_wage",
                            models.DecimalField(
                                decimal_places=2, max_digits=14, verbose_name="monthly wage (yuan)"
                            ),
                        ),
                        ("end_reason", models.CharField(blank=True, max_length=200, verbose_name="reason")),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "created_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "member",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="placements",
                                to="registry.member",
                            ),
                        ),
                        (
                            "post",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="placements",
                                to="employment.post",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "placement",
                        "verbose_name_plural": "placements",
                        "db_table": "benefits_placement",
                        "ordering": ["started_on", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="WorkRecord",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                        ("months", models.PositiveSmallIntegerField(verbose_name="months worked")),
                        (
                            "wages",
                            models.DecimalField(
                                decimal_places=2, max_digits=14, verbose_name="wages paid (yuan)"
                            ),
                        ),
                        ("recorded_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "placement",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="work_records",
                                to="employment.placement",
                            ),
                        ),
                        (
                            "recorded_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "work record",
                        "verbose_name_plural": "work records",
                        "db_table": "benefits_workrecord",
                        "ordering": ["placement", "year"],
                    },
                ),
                migrations.CreateModel(
                    name="Workshop",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=100, verbose_name="workshop name")),
                        ("operator", models.CharField(max_length=100, verbose_name="operator")),
                        (
                            "operator_kind",
                            models.CharField(
                                choices=[("enterprise", "Enterprise"), ("person", "Individual")],
                                default="enterprise",
                                max_length=10,
                                verbose_name="kind of operator",
                            ),
                        ),
                        ("region_code", models.CharField(max_length=12, verbose_name="workshop site")),
                        ("opened_on", models.DateField(verbose_name="opened on")),
                        ("closed_on", models.DateField(blank=True, null=True, verbose_name="date closed")),
                        ("capacity", models.PositiveIntegerField(verbose_name="places")),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "created_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "project",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="workshops",
                                to="projects.project",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "workshop",
                        "verbose_name_plural": "workshops",
                        "db_table": "benefits_workshop",
                        "ordering": ["region_code", "name", "id"],
                    },
                ),
                migrations.AddField(
                    model_name="placement",
                    name="workshop",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="placements",
                        to="employment.workshop",
                    ),
                ),
                migrations.CreateModel(
                    name="Offer",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("region_code", models.CharField(max_length=12)),
                        (
                            "monthly_wage",
                            models.DecimalField(
                                decimal_places=2, max_digits=14, verbose_name="monthly wage (yuan)"
                            ),
                        ),
                        (
                            "state",
                            models.CharField(
                                choices=[
                                    ("offered", "Offered"),
                                    ("accepted", "Taken up"),
                                    ("declined", "Declined"),
                                ],
                                default="offered",
                                max_length=10,
                                verbose_name="state",
                            ),
                        ),
                        ("offered_on", models.DateField(verbose_name="offered on")),
                        ("decided_on", models.DateField(blank=True, null=True, verbose_name="decided on")),
                        ("reason", models.CharField(blank=True, max_length=200, verbose_name="reason")),
                        (
                            "decided_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "member",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="job_offers",
                                to="registry.member",
                            ),
                        ),
                        (
                            "offered_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "placement",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="offer",
                                to="employment.placement",
                            ),
                        ),
                        (
                            "post",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="offers",
                                to="employment.post",
                            ),
                        ),
                        (
                            "workshop",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="offers",
                                to="employment.workshop",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "job offer",
                        "verbose_name_plural": "job offers",
                        "db_table": "benefits_offer",
                        "ordering": ["-offered_on", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="WorkshopAssessment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("region_code", models.CharField(max_length=12)),
                        (
                            "quarter",
                            models.CharField(help_text="e.g. 2019-Q2", max_length=7, verbose_name="quarter"),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("normal", "Running normally"),
                                    ("monitoring", "Monitored, to be handled"),
                                    ("cleared", "Cleared out"),
                                ],
                                max_length=10,
                                verbose_name="status",
                            ),
                        ),
                        (
                            "suggested",
                            models.CharField(
                                choices=[
                                    ("normal", "Running normally"),
                                    ("monitoring", "Monitored, to be handled"),
                                    ("cleared", "Cleared out"),
                                ],
                                max_length=10,
                                verbose_name="suggested status",
                            ),
                        ),
                        ("workers", models.PositiveIntegerField(verbose_name="registered workers")),
                        ("qualifying", models.PositiveIntegerField(verbose_name="qualifying workers")),
                        ("note", models.TextField(blank=True, verbose_name="note")),
                        ("assessed_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "assessed_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "workshop",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="assessments",
                                to="employment.workshop",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "quarterly status",
                        "verbose_name_plural": "quarterly statuses",
                        "db_table": "benefits_workshopassessment",
                        "ordering": ["workshop", "quarter"],
                    },
                ),
                migrations.CreateModel(
                    name="EmploymentAgreement",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("region_code", models.CharField(max_length=12)),
                        ("position", models.CharField(max_length=60, verbose_name="position")),
                        ("starts_on", models.DateField(verbose_name="start date")),
                        ("ends_on", models.DateField(verbose_name="end date")),
                        (
                            "monthly_wage",
                            models.DecimalField(
                                decimal_places=2, max_digits=14, verbose_name="monthly wage (yuan)"
                            ),
                        ),
                        ("evidence", models.CharField(blank=True, max_length=200, verbose_name="evidence")),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "created_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "member",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="employment_agreements",
                                to="registry.member",
                            ),
                        ),
                        (
                            "project",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="employment_agreements",
                                to="projects.project",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "employment agreement",
                        "verbose_name_plural": "employment agreements",
                        "db_table": "benefits_employmentagreement",
                        "ordering": ["project", "starts_on", "id"],
                        "indexes": [
                            models.Index(fields=["region_code", "project"], name="agreement_region_idx")
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("ends_on__gte", models.F("starts_on"))),
                                name="agreement_ends_after_start",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("monthly_wage__gt", 0)), name="agreement_wage_positive"
                            ),
                        ],
                    },
                ),
                migrations.AddIndex(
                    model_name="post",
                    index=models.Index(fields=["region_code", "kind"], name="post_region_idx"),
                ),
                migrations.AddConstraint(
                    model_name="post",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("places__gt", 0)), name="post_places_positive"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="post",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("monthly_wage__gt", 0)), name="post_wage_positive"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="post",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("closed_on__isnull", True),
                            ("closed_on__gte", models.F("opened_on")),
                            _connector="OR",
                        ),
                        name="post_closes_after_opening",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="workrecord",
                    constraint=models.UniqueConstraint(
                        fields=("placement", "year"), name="work_record_once_per_year"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="workrecord",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("months__lte", 12)), name="work_record_months_0_12"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="workrecord",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("wages__gte", 0)), name="work_record_wages_not_negative"
                    ),
                ),
                migrations.AddIndex(
                    model_name="workshop",
                    index=models.Index(fields=["region_code", "name"], name="workshop_region_idx"),
                ),
                migrations.AddConstraint(
                    model_name="workshop",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("capacity__gt", 0)), name="workshop_capacity_positive"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="workshop",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("closed_on__isnull", True),
                            ("closed_on__gte", models.F("opened_on")),
                            _connector="OR",
                        ),
                        name="workshop_closes_after_opening",
                    ),
                ),
                migrations.AddIndex(
                    model_name="placement",
                    index=models.Index(fields=["region_code", "started_on"], name="placement_region_idx"),
                ),
                migrations.AddIndex(
                    model_name="placement",
                    index=models.Index(fields=["member", "ended_on"], name="placement_member_idx"),
                ),
                migrations.AddConstraint(
                    model_name="placement",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("post__isnull", True), ("workshop__isnull", False)),
                            models.Q(("post__isnull", False), ("workshop__isnull", True)),
                            _connector="OR",
                        ),
                        name="placement_one_employer",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="placement",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("ended_on__isnull", True),
                            ("ended_on__gte", models.F("started_on")),
                            _connector="OR",
                        ),
                        name="placement_ends_after_start",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="placement",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("monthly_wage__gt", 0)), name="placement_wage_positive"
                    ),
                ),
                migrations.AddIndex(
                    model_name="offer",
                    index=models.Index(fields=["region_code", "state"], name="offer_region_idx"),
                ),
                migrations.AddConstraint(
                    model_name="offer",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("post__isnull", True), ("workshop__isnull", False)),
                            models.Q(("post__isnull", False), ("workshop__isnull", True)),
                            _connector="OR",
                        ),
                        name="offer_one_employer",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="offer",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("state", "offered")),
                        fields=("member",),
                        name="offer_one_open_per_member",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="offer",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("monthly_wage__gt", 0)), name="offer_wage_positive"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="workshopassessment",
                    constraint=models.UniqueConstraint(
                        fields=("workshop", "quarter"), name="assessment_once_per_quarter"
                    ),
                ),
            ],
        ),
    ]

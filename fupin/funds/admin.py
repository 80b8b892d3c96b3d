"""Funds in the configuration pages: read-only. The ledgers are append-only and every yuan moves through
the services (a correction is a reversing entry with a reason): nothing is added, changed or deleted here."""

from django.contrib import admin

from fupin.core.admin_base import ReadOnlyAdmin

from .models import Allocation, Disbursement, Evaluation, FundSource


@admin.register(FundSource)
class FundSourceAdmin(ReadOnlyAdmin):
    list_display = ["document_no", "level", "year", "amount", "allocated"]
    list_filter = ["level", "year"]
    search_fields = ["document_no", "title"]


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyAdmin):
    list_display = ["id", "project", "source", "amount", "net_amount", "paid", "allocated_on"]
    search_fields = ["project__name", "source__document_no"]


@admin.register(Disbursement)
class DisbursementAdmin(ReadOnlyAdmin):
    list_display = ["id", "allocation", "amount", "paid_on", "payee", "voucher_no"]
    search_fields = ["payee", "voucher_no"]


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = ["project", "year", "score", "grade"]
    list_filter = ["year", "grade"]

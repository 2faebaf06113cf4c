"""Admin for members, membership plans, membership periods and payments."""
from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.utils import timezone

from fitness.admin_support import DataMonthFilter, OdsModelAdmin, OdsTabularInline, rows_link

from .models import Member, MemberMembership, MemberPayment, MembershipType
from .resources import MemberMembershipResource, MemberPaymentResource, MemberResource, MembershipTypeResource


# A member's change form shows their latest periods and payments (a decade's monthly periods would make a page
# of hundreds of rows and queries); `all_periods` and `all_payments` link to every one.
RECENT_ROWS = 12


class RecentRowsFormSet(BaseInlineFormSet):
    """The member's RECENT_ROWS newest rows (the inline's ordering)."""

    def get_queryset(self):
        if not hasattr(self, "_recent"):
            self._recent = super().get_queryset()[:RECENT_ROWS]
        return self._recent


class RecentRowsInline(OdsTabularInline):
    """Read-only rows, each with a link to its own change form, where it is edited."""

    formset = RecentRowsFormSet
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MemberMembershipInline(RecentRowsInline):
    model = MemberMembership
    fields = ("membership_id", "membership_type", "start_date", "end_date", "status", "auto_renew")
    ordering = ("-start_date", "-membership_id")
    verbose_name_plural = f"latest {RECENT_ROWS} membership periods"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("membership_type")


class MemberPaymentInline(RecentRowsInline):
    model = MemberPayment
    fields = ("payment_id", "payment_date", "amount", "payment_type", "payment_method", "status")
    ordering = ("-payment_date", "-payment_id")
    verbose_name_plural = f"latest {RECENT_ROWS} payments"


@admin.register(MembershipType)
class MembershipTypeAdmin(OdsModelAdmin):
    resource_classes = [MembershipTypeResource]
    list_display = (
        "membership_type_id", "type_name", "monthly_fee", "registration_fee", "duration",
        "max_family_members", "is_active",
    )
    list_filter = ("is_active",)
    search_fields = ("membership_type_id", "type_name")
    ordering = ("membership_type_id",)


@admin.register(Member)
class MemberAdmin(OdsModelAdmin):
    resource_classes = [MemberResource]
    list_display = ("member_id", "first_name", "last_name", "email", "city", "join_date", "member_status")
    list_filter = ("member_status", "gender", ("join_date", DataMonthFilter))
    # Exact matches only: they use the primary key, the (lastname, firstname) and the email index.
    search_fields = ("member_id__exact", "last_name__exact", "email__exact")
    search_help_text = "Exact member id (MEM000123), last name or email."
    ordering = ("-member_id",)
    readonly_fields = ("last_modified", "all_periods", "all_payments")
    inlines = [MemberMembershipInline, MemberPaymentInline]

    # A user who may not list a member's periods or payments (Front desk) gets no link to them.
    linked_rows = {"all_periods": MemberMembership, "all_payments": MemberPayment}

    @admin.display(description="membership periods")
    def all_periods(self, member):
        return rows_link(MemberMembership, "member", member, "period")

    @admin.display(description="payments")
    def all_payments(self, member):
        return rows_link(MemberPayment, "member", member, "payment")

    def save_model(self, request, obj, form, change):
        """An edit through the admin is a modification of the member record."""
        obj.last_modified = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(MemberMembership)
class MemberMembershipAdmin(OdsModelAdmin):
    resource_classes = [MemberMembershipResource]
    list_display = ("membership_id", "member_id", "membership_type", "start_date", "end_date", "status", "auto_renew")
    list_filter = ("status", "membership_type", "auto_renew")
    list_select_related = ("membership_type",)
    search_fields = ("membership_id__exact", "member__member_id__exact")
    search_help_text = "Exact membership id or member id."
    raw_id_fields = ("member",)
    ordering = ("-membership_id",)


@admin.register(MemberPayment)
class MemberPaymentAdmin(OdsModelAdmin):
    resource_classes = [MemberPaymentResource]
    list_display = ("payment_id", "member_id", "payment_date", "amount", "payment_type", "payment_method", "status")
    list_filter = ("status", "payment_type", "payment_method", ("payment_date", DataMonthFilter))
    search_fields = ("payment_id__exact", "member__member_id__exact")
    search_help_text = "Exact payment id or member id."
    raw_id_fields = ("member",)
    # Newest first by the payment date, served by its indexes (alone, by member).
    ordering = ("-payment_date", "-payment_id")

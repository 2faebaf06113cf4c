"""Admin for members, membership plans, membership periods and payments."""
from django.contrib import admin
from django.utils import timezone

from fitness.admin_support import OdsModelAdmin

from .models import Member, MemberMembership, MemberPayment, MembershipType
from .resources import MemberMembershipResource, MemberPaymentResource, MemberResource, MembershipTypeResource


class MemberMembershipInline(admin.TabularInline):
    model = MemberMembership
    fields = ("membership_id", "membership_type", "start_date", "end_date", "status", "auto_renew")
    extra = 0
    show_change_link = True


class MemberPaymentInline(admin.TabularInline):
    model = MemberPayment
    fields = ("payment_id", "payment_date", "amount", "payment_type", "payment_method", "status")
    extra = 0
    show_change_link = True
    ordering = ("-payment_date",)


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
    list_filter = ("member_status", "gender", ("join_date", admin.DateFieldListFilter))
    # Exact matches only: they use the primary key and the (lastname, firstname) index.
    search_fields = ("member_id__exact", "last_name__exact", "email__exact")
    search_help_text = "Exact member id (MEM000123), last name or email."
    ordering = ("-member_id",)
    readonly_fields = ("last_modified",)
    inlines = [MemberMembershipInline, MemberPaymentInline]

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
    list_filter = ("status", "payment_type", "payment_method", ("payment_date", admin.DateFieldListFilter))
    search_fields = ("payment_id__exact", "member__member_id__exact")
    search_help_text = "Exact payment id or member id."
    raw_id_fields = ("member",)
    # Newest first by the payment date, served by its indexes (alone, by member).
    ordering = ("-payment_date", "-payment_id")

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from cblog.core.admin import PageCacheAdminMixin
from cblog.users.models import User


@admin.register(User)
class UserAdmin(PageCacheAdminMixin, BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, ("Profile", {"fields": ("bio", "avatar")}))
    # E-mail is unique and required: without it on the add form, the second account created
    # here would collide on the empty address.
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "date_joined")

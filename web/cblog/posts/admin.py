from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from cblog.core.admin import PageCacheAdminMixin
from cblog.posts.markdown import plain_excerpt, render_markdown
from cblog.posts.models import Category, Comment, Like, Post, PostView, Tag
from cblog.posts.services import comment_delete, unique_slug


@admin.register(Category)
class CategoryAdmin(PageCacheAdminMixin, admin.ModelAdmin):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(Tag)
class TagAdmin(PageCacheAdminMixin, admin.ModelAdmin):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(Post)
class PostAdmin(PageCacheAdminMixin, admin.ModelAdmin):
    list_display = ("title", "author", "category", "status", "published_at", "view_count")
    list_filter = ("status", "category")
    search_fields = ("title", "body")
    date_hierarchy = "published_at"
    raw_id_fields = ("author",)
    filter_horizontal = ("tags",)
    readonly_fields = ("slug", "comment_count", "like_count", "view_count", "created_at")
    list_select_related = ("author", "category")

    def save_model(self, request: HttpRequest, obj: Post, form: object, change: bool) -> None:
        # Same derived fields as the site's own editor: slug once, sanitised HTML, excerpt.
        if not obj.slug:
            obj.slug = unique_slug(obj.title)
        obj.body_html = render_markdown(obj.body)
        obj.excerpt = plain_excerpt(obj.body_html)
        if obj.status == Post.Status.PUBLISHED and obj.published_at is None:
            obj.published_at = timezone.now()
        super().save_model(request, obj, form, change)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that only the site's own actions write (they keep the post's counters exact)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Comment)
class CommentAdmin(PageCacheAdminMixin, admin.ModelAdmin):
    """Moderation: comments can be read, edited and deleted; deletion keeps the counter."""

    list_display = ("post", "author", "created_at")
    search_fields = ("body",)
    raw_id_fields = ("post", "author")
    list_select_related = ("post", "author")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Comment) -> None:
        comment_delete(comment=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        for comment in queryset:
            comment_delete(comment=comment)


@admin.register(Like)
class LikeAdmin(ReadOnlyAdmin):
    list_display = ("post", "user", "created_at")
    list_select_related = ("post", "user")


@admin.register(PostView)
class PostViewAdmin(ReadOnlyAdmin):
    list_display = ("post", "day")
    list_filter = ("day",)

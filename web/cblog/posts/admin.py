from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from cblog.core import pagecache
from cblog.posts.markdown import plain_excerpt, render_markdown
from cblog.posts.models import Category, Comment, Like, Post, PostView, Tag
from cblog.posts.services import unique_slug


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
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
        pagecache.invalidate()

    def delete_model(self, request: HttpRequest, obj: Post) -> None:
        super().delete_model(request, obj)
        pagecache.invalidate()


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("post", "author", "created_at")
    search_fields = ("body",)
    raw_id_fields = ("post", "author")
    list_select_related = ("post", "author")


@admin.register(Like)
class LikeAdmin(admin.ModelAdmin):
    list_display = ("post", "user", "created_at")
    raw_id_fields = ("post", "user")
    list_select_related = ("post", "user")


@admin.register(PostView)
class PostViewAdmin(admin.ModelAdmin):
    list_display = ("post", "day")
    list_filter = ("day",)
    raw_id_fields = ("post",)

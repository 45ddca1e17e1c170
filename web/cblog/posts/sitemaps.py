from __future__ import annotations

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet

from cblog.posts.models import Category, Post


class PostSitemap(Sitemap):
    changefreq = "weekly"
    limit = 5000

    def items(self) -> QuerySet[Post]:
        return Post.objects.published().only("slug", "updated_at").order_by("-published_at")

    def lastmod(self, item: Post) -> datetime:
        return item.updated_at


class CategorySitemap(Sitemap):
    changefreq = "daily"

    def items(self) -> QuerySet[Category]:
        return Category.objects.all()


SITEMAPS = {"posts": PostSitemap, "categories": CategorySitemap}

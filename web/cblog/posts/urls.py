from __future__ import annotations

from django.urls import path

from cblog.core import pagecache
from cblog.posts import feeds, preview, views

app_name = "posts"
# Feeds are the same for every reader: cached for all, and invalidated like pages.
_feed = pagecache.cached("feed", shared=True)

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("category/<slug:slug>/", views.category_detail, name="category"),
    path("tag/<slug:slug>/", views.tag_detail, name="tag"),
    path("posts/new/", views.post_create, name="create"),
    path("editor/preview/", preview.markdown_preview, name="preview"),
    path("posts/mine/", views.my_posts, name="mine"),
    path("posts/<slug:slug>/", views.post_detail, name="detail"),
    path("posts/<slug:slug>/edit/", views.post_update, name="update"),
    path("posts/<slug:slug>/delete/", views.post_delete, name="delete"),
    path("posts/<slug:slug>/like/", views.like_toggle, name="like"),
    path("posts/<slug:slug>/comments/", views.comment_create, name="comment_create"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="comment_delete"),
    path("feeds/rss/", _feed(feeds.LatestPostsRss()), name="feed_rss"),
    path("feeds/atom/", _feed(feeds.LatestPostsAtom()), name="feed_atom"),
]

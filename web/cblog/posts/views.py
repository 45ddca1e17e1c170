"""Thin views: parse the request, call a selector or a service, render."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable, Sequence
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_http_methods, require_POST

from cblog.core import pagecache, paging
from cblog.core.paging import Window
from cblog.core.reversing import cached_reverse
from cblog.media import direct, renditions
from cblog.posts import selectors, services
from cblog.posts.forms import CommentForm, PostForm
from cblog.posts.models import Post
from cblog.posts.search import Results

VISITOR_COOKIE = "cblog_visitor"
VISITOR_COOKIE_AGE = 365 * 24 * 3600


def _page(
    request: HttpRequest, posts: QuerySet[Post], ids: Sequence[int] | None = None
) -> Page | Window:
    """One page of ``posts`` (or of ``ids``, in their order): ids first, then just those rows.

    A list of posts is not counted (``paging``): its page is a slice of ids, one more than a
    page, so it costs the same at 1,000 posts and at 10,000. The id query is answered from the
    (status, published_at) index alone; joining first lets MySQL pick a plan that sorts every
    post when its statistics are stale (a 40x difference at 10,000 posts). ``ids`` (search
    results, at most 1,000) are counted: the reader sees how many matched.
    """
    number = request.GET.get("page")
    if ids is None:
        page = paging.window(posts.values_list("pk", flat=True), number, settings.POSTS_PER_PAGE)
    else:
        page = Paginator(ids, settings.POSTS_PER_PAGE).get_page(number)
    ids = list(page.object_list)
    rows = posts.in_bulk(ids) if ids else {}
    page.object_list = [rows[pk] for pk in ids if pk in rows]  # one may go in between
    renditions.fill(page.object_list, ("cover_thumbnail",))
    return page


def _list(
    request: HttpRequest,
    title: str,
    posts: Callable[[], QuerySet[Post]],
    template: str = "posts/post_list.html",
    **context: object,
) -> HttpResponse:
    """A list page. Its heading and cards are a shared fragment (``list_key``): on a hit the
    page of posts, which is lazy, is never read, so it costs no query. ``posts`` builds the
    queryset: building one (filters, joins, ordering) costs as much as rendering a few cards,
    so only a miss does."""
    context = {
        "page_title": title,
        "page_obj": SimpleLazyObject(lambda: _page(request, posts())),
        # The fragment shows the same to every anonymous and to every signed-in reader.
        "list_key": f"{pagecache.page_path(request)} {request.user.is_authenticated}",
        **context,
    }
    return render(request, template, context)


@pagecache.cached("list")
def home(request: HttpRequest) -> HttpResponse:
    posts = functools.partial(selectors.post_list, viewer=request.user)
    return _list(request, "Latest posts", posts, is_home=True)


@pagecache.cached("list")
def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    category = selectors.category_get(slug=slug)
    posts = functools.partial(selectors.post_list, viewer=request.user, category=category)
    return _list(request, category.name, posts, intro=category.description)


@pagecache.cached("list")
def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tag = selectors.tag_get(slug=slug)
    posts = functools.partial(selectors.post_list, viewer=request.user, tag=tag)
    return _list(request, f"Tagged “{tag.name}”", posts)


@pagecache.cached("list")
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    posts = selectors.post_list(viewer=request.user)
    results = selectors.post_search(query=query) if query else Results()
    title = f"Search results for “{query}”" if query else "Search"
    context = {
        "page_title": title,
        "page_obj": _page(request, posts, results.ids),
        "search_query": query,
        "search": results,
    }
    return render(request, "posts/search.html", context)


def post_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A post with its comments; each visitor's first view of the day is counted.

    Anonymous readers usually get the page from the page cache; their view still counts.
    """
    visitor = request.COOKIES.get(VISITOR_COOKIE, "")
    new_visitor = not request.user.is_authenticated and len(visitor) != 32
    if new_visitor:
        visitor = secrets.token_hex(16)
    key = pagecache.cache_key(request, "post")
    hit = pagecache.get(key)
    if hit is not None:
        content, post_id, _ = hit
        services.view_record(post_id=post_id, visitor=f"anon:{visitor}")
        response = pagecache.respond(content)
    else:
        post = selectors.post_get_visible(slug=slug, viewer=request.user)
        identity = f"user:{request.user.pk}" if request.user.is_authenticated else f"anon:{visitor}"
        # An author reading their own post is not a reader: their visits are not views.
        is_author = request.user.is_authenticated and request.user.pk == post.author_id
        if not is_author and services.view_record(post_id=post.pk, visitor=identity):
            post.view_count += 1
        renditions.fill([post], ("cover",))
        response = render(request, "posts/post_detail.html", _detail_context(request, post))
        if post.is_public:  # drafts and scheduled posts are their author's alone
            pagecache.store(key, response, extra=post.pk)
    if new_visitor:
        response.set_cookie(
            VISITOR_COOKIE,
            visitor,
            max_age=VISITOR_COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


def _detail_context(
    request: HttpRequest, post: Post, comment_form: CommentForm | None = None
) -> dict[str, object]:
    """What the post page shows: the post, one page of comments, neighbours and related posts.

    What every reader sees alike is a shared fragment in the template; the values behind it
    are lazy (or callables, which the template calls), so a fragment hit costs no query.
    """
    comments_page = request.GET.get("comments") or "1"

    def comments() -> Page:
        paginator = Paginator(selectors.post_comments(post=post), settings.COMMENTS_PER_PAGE)
        paginator.count = post.comment_count  # the denormalised counter: no COUNT query
        return paginator.get_page(comments_page)

    def comments_key() -> str | None:
        """The comment list is shared unless this reader may delete some of it (their own
        comments, or any on their post): then it is rendered for them alone (``None``).
        Called only when the fragment cache is on."""
        user = request.user
        if user.is_authenticated and (
            user.pk == post.author_id or selectors.post_commented_by(post=post, user=user)
        ):
            return None
        return f"readers:{comments_page[:12]}"

    neighbours = functools.cache(lambda: selectors.post_neighbours(post=post))
    return {
        "post": post,
        # Where "Log in to like" and "Log in to comment" go (and back): worked out once.
        "login_url": None
        if request.user.is_authenticated
        else f"{cached_reverse('users:login')}?next={quote(post.get_absolute_url(), safe='/')}",
        "comments": SimpleLazyObject(comments),
        "comments_key": comments_key,
        "comment_form": comment_form or SimpleLazyObject(CommentForm),  # built on a miss only
        "comment_form_key": None if comment_form else "blank",  # a blank form is shared
        "liked": selectors.post_is_liked(post=post, user=request.user),
        "previous_post": lambda: neighbours()[0],
        "next_post": lambda: neighbours()[1],
        "related_posts": SimpleLazyObject(lambda: selectors.post_related(post=post)),
    }


@login_required
def my_posts(request: HttpRequest) -> HttpResponse:
    posts = selectors.post_list_for_author(author=request.user)
    return render(request, "posts/my_posts.html", {"page_obj": _page(request, posts)})


@login_required
@require_http_methods(["GET", "POST"])
def post_create(request: HttpRequest) -> HttpResponse:
    form = PostForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        media = direct.promote_all(form.media_changes())
        post = services.post_create(author=request.user, **form.post_fields(), **media)
        messages.success(request, _saved_message(post))
        return redirect(post)
    return render(request, "posts/post_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def post_update(request: HttpRequest, slug: str) -> HttpResponse:
    post = selectors.post_get_owned(slug=slug, owner=request.user)
    if request.method == "POST":
        form = PostForm.for_post(post, request.POST, request.FILES, user=request.user)
        if form.is_valid():
            media = direct.promote_all(form.media_changes())
            services.post_update(post=post, **form.post_fields(), **media)
            messages.success(request, _saved_message(post))
            return redirect(post)
    else:
        form = PostForm.for_post(post, user=request.user)
    renditions.fill([post], ("cover",))  # the cover's small sizes, for the editor's thumbnail
    return render(request, "posts/post_form.html", {"form": form, "post": post})


def _saved_message(post: Post) -> str:
    if post.is_public:
        return "Your post is published."
    if post.is_scheduled:
        return f"Your post is scheduled for {post.published_at:%Y-%m-%d %H:%M} UTC."
    return "Your draft is saved. Only you can see it."


@login_required
@require_http_methods(["GET", "POST"])
def post_delete(request: HttpRequest, slug: str) -> HttpResponse:
    post = selectors.post_get_owned(slug=slug, owner=request.user)
    if request.method == "POST":
        services.post_delete(post=post)
        messages.success(request, f"“{post.title}” was deleted.")
        return redirect("posts:mine")
    return render(request, "posts/post_confirm_delete.html", {"post": post})


@login_required
@require_POST
def like_toggle(request: HttpRequest, slug: str) -> HttpResponse:
    post = selectors.post_get_visible(slug=slug, viewer=request.user)
    liked = services.like_toggle(post=post, user=request.user)
    messages.success(request, "You like this post." if liked else "You no longer like this post.")
    return redirect(post)


@login_required
@require_POST
def comment_create(request: HttpRequest, slug: str) -> HttpResponse:
    post = selectors.post_get_visible(slug=slug, viewer=request.user)
    form = CommentForm(request.POST)
    if form.is_valid():
        services.comment_create(post=post, author=request.user, body=form.cleaned_data["body"])
        messages.success(request, "Your comment is posted.")
        return redirect(f"{post.get_absolute_url()}#comments")
    context = _detail_context(request, post, comment_form=form)
    return render(request, "posts/post_detail.html", context, status=400)


@login_required
@require_POST
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    comment = selectors.comment_get_deletable(pk=pk, user=request.user)
    services.comment_delete(comment=comment)
    messages.success(request, "The comment was deleted.")
    return redirect(f"{comment.post.get_absolute_url()}#comments")

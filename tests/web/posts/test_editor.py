"""The editor: "Publish"/"Save draft" buttons, the scheduled state, "Publish at" cleared,
and what a form with errors says about the files that were chosen."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cblog.posts.models import Post

pytestmark = pytest.mark.django_db
CREATE = reverse("posts:create")


def _form(**fields: str) -> dict[str, str]:
    return {"title": "Morning tide", "body": "Boats and gulls."} | fields


def _buttons(html: str) -> list[tuple[str, str]]:
    """(value, text) of each submit button named ``status``, in page order."""
    return re.findall(
        r'<button type="submit" name="status" value="(\w+)"[^>]*>([^<]+)</button>', html
    )


def test_a_new_post_offers_save_draft_first_then_publish(client_logged_in):
    html = client_logged_in.get(CREATE).content.decode()
    assert _buttons(html) == [("draft", "Save draft"), ("published", "Publish")]
    assert 'name="status"' not in html.replace('<button type="submit" name="status"', "")
    assert "js/editor.js" in html


@pytest.mark.parametrize(
    ("button", "public", "message"),
    [("published", True, "Your post is published."), ("draft", False, "Your draft is saved.")],
)
def test_the_status_follows_the_button(client_logged_in, button, public, message):
    response = client_logged_in.post(CREATE, _form(status=button), follow=True)
    post = Post.objects.get()
    assert post.status == button
    assert post.is_public is public
    assert message in response.content.decode()


def test_a_form_sent_without_a_button_saves_a_draft(client_logged_in):
    client_logged_in.post(CREATE, _form())
    assert Post.objects.get().status == Post.Status.DRAFT


def test_an_unknown_status_is_a_form_error(client_logged_in):
    response = client_logged_in.post(CREATE, _form(status="everywhere"))
    assert response.status_code == 200
    assert "Choose “Publish” or “Save draft”." in response.content.decode()
    assert not Post.objects.exists()


def test_publishing_with_a_future_date_schedules_and_the_editor_says_so(client_logged_in):
    when = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    stamp = when.strftime("%Y-%m-%dT%H:%M")
    response = client_logged_in.post(
        CREATE, _form(status="published", published_at=stamp), follow=True
    )
    post = Post.objects.get()
    assert post.is_scheduled
    assert post.published_at == when
    assert f"scheduled for {when:%Y-%m-%d %H:%M} UTC" in response.content.decode()

    html = client_logged_in.get(reverse("posts:update", args=[post.slug])).content.decode()
    shown = f"{when:%b} {when.day}, {when:%Y, %H:%M}"
    assert f'<p class="editor-state editor-state-scheduled">Scheduled for {shown} UTC.</p>' in html
    # The live post's action comes first (Enter keeps it scheduled) and reads "Schedule".
    assert _buttons(html) == [("published", "Schedule"), ("draft", "Switch to draft")]
    assert f"“Schedule” publishes it on {shown} UTC." in html


def test_clearing_publish_at_on_a_scheduled_post_publishes_it_now(
    client_logged_in, make_post, user, future
):
    post = make_post(author=user, published_at=future)
    assert post.is_scheduled
    before = timezone.now()
    response = client_logged_in.post(
        reverse("posts:update", args=[post.slug]),
        _form(title=post.title, status="published", published_at=""),
        follow=True,
    )
    post.refresh_from_db()
    assert post.is_public
    assert before <= post.published_at <= timezone.now()
    assert "Your post is published." in response.content.decode()


def test_saving_a_live_post_without_a_date_keeps_the_date_it_went_live(
    client_logged_in, make_post, user
):
    post = make_post(author=user)
    went_live = post.published_at - timedelta(days=5)
    Post.objects.filter(pk=post.pk).update(published_at=went_live)
    html = client_logged_in.get(reverse("posts:update", args=[post.slug])).content.decode()
    assert _buttons(html) == [("published", "Update"), ("draft", "Switch to draft")]
    client_logged_in.post(
        reverse("posts:update", args=[post.slug]),
        _form(title=post.title, status="published", published_at=""),
    )
    post.refresh_from_db()
    assert post.published_at == went_live


def test_a_draft_with_a_future_date_stays_a_draft_until_published(
    client_logged_in, make_post, user, future
):
    post = make_post(author=user, status=Post.Status.DRAFT)
    html = client_logged_in.get(reverse("posts:update", args=[post.slug])).content.decode()
    assert "Draft: only you can see it." in html
    assert _buttons(html) == [("draft", "Save draft"), ("published", "Publish")]
    client_logged_in.post(
        reverse("posts:update", args=[post.slug]),
        _form(title=post.title, status="draft", published_at=future.strftime("%Y-%m-%dT%H:%M")),
    )
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT
    assert not post.is_public


def test_a_failed_form_says_a_file_sent_with_it_must_be_chosen_again(
    client_logged_in, image_file, media_root
):
    response = client_logged_in.post(
        CREATE, _form(title="  ", status="published", cover=image_file)
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        f'<p class="upload-note upload-note-lost">{image_file.name} was not kept: '
        "choose it again before saving.</p>"
    ) in html
    assert not Post.objects.exists()


def test_the_cover_description_and_caption_are_stored_and_shown_on_the_post(
    client_logged_in, image_file, media_root
):
    response = client_logged_in.post(
        CREATE,
        _form(
            status="published",
            cover=image_file,
            cover_alt="  Fishing boats moored at dawn  ",
            cover_caption="Kaş harbour, 6 a.m. <b>",
        ),
    )
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.cover_alt == "Fishing boats moored at dawn"
    assert post.cover_caption == "Kaş harbour, 6 a.m. <b>"
    html = client_logged_in.get(post.get_absolute_url()).content.decode()
    assert re.search(
        r'<img class="post-cover" src="[^"]+" alt="Fishing boats moored at dawn"', html
    )
    assert (
        '<figcaption class="post-cover-caption">Kaş harbour, 6 a.m. &lt;b&gt;</figcaption>' in html
    )
    home = client_logged_in.get(reverse("posts:home")).content.decode()
    assert re.search(r'class="card-cover" src="[^"]+" alt="Fishing boats moored at dawn"', home)

    editor = client_logged_in.get(reverse("posts:update", args=[post.slug])).content.decode()
    assert 'value="Fishing boats moored at dawn"' in editor
    assert re.search(
        r'<img class="image-picker-preview" alt="The current cover"[^>]* '
        rf'src="{re.escape(post.cover.url)}"',
        editor,
    )
    assert ">Change</label>" in editor


def test_without_a_description_the_title_is_the_covers_alt_and_no_caption_shows(
    client_logged_in, image_file, media_root
):
    client_logged_in.post(CREATE, _form(status="published", cover=image_file))
    post = Post.objects.get()
    html = client_logged_in.get(post.get_absolute_url()).content.decode()
    assert re.search(r'<img class="post-cover" src="[^"]+" alt="Morning tide"', html)
    assert "<figcaption" not in html


def test_editing_other_fields_keeps_the_cover_texts_unless_they_are_changed(
    client_logged_in, make_post, user
):
    post = make_post(author=user, cover_alt="A gull", cover_caption="On the pier")
    url = reverse("posts:update", args=[post.slug])
    client_logged_in.post(url, _form(status="published", cover_alt="A gull", cover_caption=""))
    post.refresh_from_db()
    assert (post.title, post.cover_alt, post.cover_caption) == ("Morning tide", "A gull", "")


@pytest.mark.django_db(transaction=True)  # InnoDB's full-text index sees committed rows only
def test_the_search_index_still_follows_posts_after_the_cover_text_migration(make_post):
    """0005 rebuilds posts_post on SQLite; its full-text triggers must come back with it."""
    from cblog.posts import selectors

    post = make_post(title="Cormorants drying their wings")
    assert selectors.post_search(query="cormorants").ids == [post.pk]

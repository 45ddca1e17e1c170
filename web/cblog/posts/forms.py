from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from cblog.core.captions import clean_captions, language_choices
from cblog.core.uploads import clean_image, clean_video
from cblog.media.forms import DirectUploadMixin
from cblog.media.widgets import ImagePicker
from cblog.posts.models import Category, Comment, Post
from cblog.posts.services import tags_from_text


class PostForm(DirectUploadMixin, forms.Form):
    """Validates a post; files are checked by content and renamed before anything is saved.

    A plain form rather than a ModelForm: the service, not the form, changes the post, so the
    files a change replaces are still known when the service runs. Cover and video may come
    as keys of direct uploads to S3 (``DirectUploadMixin``).
    """

    direct_uploads = {"cover": "images", "video": "videos"}

    title = forms.CharField(max_length=200)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="Markdown: **bold**, _italic_, [links](https://…), lists, code.",
    )
    category = forms.ModelChoiceField(queryset=Category.objects.all(), required=False)
    tags_text = forms.CharField(
        label="Tags",
        required=False,
        max_length=300,
        help_text="Comma-separated, e.g. travel, photography.",
    )
    cover = forms.ImageField(
        label="Cover image",
        required=False,
        widget=ImagePicker(
            attrs={"accept": "image/jpeg,image/png,image/webp"}, preview_alt="The current cover"
        ),
        help_text="JPEG, PNG or WebP.",
    )
    cover_alt = forms.CharField(
        label="Cover description",
        required=False,
        max_length=250,
        help_text="What the picture shows, for readers who cannot see it. Empty: the title.",
    )
    cover_caption = forms.CharField(
        label="Cover caption",
        required=False,
        max_length=300,
        help_text="Optional. Shown under the cover on the post page.",
    )
    video = forms.FileField(
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "video/mp4,video/webm"}),
        help_text="Optional. MP4 or WebM.",
    )
    captions = forms.FileField(
        label="Video captions",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".vtt,text/vtt"}),
        help_text="Optional. A WebVTT (.vtt) file, shown as the video's captions.",
    )
    captions_language = forms.ChoiceField(
        label="Captions language", choices=language_choices, initial="en", required=False
    )
    published_at = forms.DateTimeField(
        label="Publish at",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=(
            "Optional, in UTC. A future date schedules the post; empty means now, on publishing."
        ),
    )

    @classmethod
    def for_post(cls, post: Post, *args: Any, **kwargs: Any) -> PostForm:
        """A form showing ``post``'s current values."""
        initial = {
            "title": post.title,
            "body": post.body,
            "category": post.category_id,
            "tags_text": ", ".join(tag.name for tag in post.tags.all()),
            "cover": post.cover or None,
            "cover_alt": post.cover_alt,
            "cover_caption": post.cover_caption,
            "video": post.video or None,
            "captions": post.captions or None,
            "captions_language": post.captions_language or "en",
            "published_at": post.published_at,
        }
        return cls(*args, initial=initial, **kwargs)

    def clean(self) -> dict[str, Any]:
        """The status comes from the button that sent the form ("Publish" or "Save draft"):
        ``status`` is the name of both. A form sent without one (Enter in a text field picks
        the first button, so this is a client that sent none) stays a draft."""
        cleaned = super().clean()
        status = self.data.get("status") or Post.Status.DRAFT
        if status not in Post.Status.values:
            raise forms.ValidationError("Choose “Publish” or “Save draft”.", code="status")
        cleaned["status"] = status
        # New captions need a video; kept ones go when the video goes (services._apply_media).
        new_captions = "captions" in self.changed_data and cleaned.get("captions")
        if new_captions and not self._will_have_video(cleaned):
            self.add_error("captions", "Captions go with a video: add the video too.")
        return cleaned

    def _will_have_video(self, cleaned: dict[str, Any]) -> bool:
        if "video" in self.changed_data or self.direct_upload("video"):
            return bool(cleaned.get("video"))
        return bool(self.initial.get("video"))

    def scheduled_for(self) -> datetime | None:
        """The future date in "Publish at" as the form shows it (sent or initial), else None."""
        value = self["published_at"].value()
        if isinstance(value, str):
            try:
                value = self.fields["published_at"].to_python(value)
            except ValidationError:
                return None
        if not isinstance(value, datetime):
            return None
        if timezone.is_naive(value):  # prepare_value shows an initial date in local time
            value = timezone.make_aware(value)
        return value if value > timezone.now() else None

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError("Give the post a title.")
        return title

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError("Write something in the post.")
        return body

    def clean_cover(self) -> Any:
        cover = self.cleaned_data.get("cover")
        return clean_image(cover) if isinstance(cover, UploadedFile) else cover

    def clean_video(self) -> Any:
        video = self.cleaned_data.get("video")
        return clean_video(video) if isinstance(video, UploadedFile) else video

    def clean_captions(self) -> Any:
        captions = self.cleaned_data.get("captions")
        return clean_captions(captions) if isinstance(captions, UploadedFile) else captions

    def media_changes(self) -> dict[str, Any]:
        """Only the files the user replaced or cleared: ``None`` clears, a file replaces."""
        return {
            name: self.cleaned_data[name] or None
            for name in ("cover", "video", "captions")
            if name in self.changed_data or self.direct_upload(name)
        }

    def post_fields(self) -> dict[str, Any]:
        """Keyword arguments for ``post_create``/``post_update`` (media excluded)."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "body": data["body"],
            "category": data["category"],
            "tags": tags_from_text(data.get("tags_text", "")),
            "status": data["status"],
            "published_at": data["published_at"],
            "cover_alt": data["cover_alt"],
            "cover_caption": data["cover_caption"],
            "captions_language": data["captions_language"] or "en",
        }


class CommentForm(forms.ModelForm):
    class Meta:
        model = Comment
        fields = ["body"]
        labels = {"body": "Your comment"}
        error_messages = {"body": {"required": "A comment cannot be empty."}}
        widgets = {"body": forms.Textarea(attrs={"rows": 4, "maxlength": 5000})}

    def clean_body(self) -> str:
        body = self.cleaned_data.get("body", "").strip()
        if not body:
            raise forms.ValidationError("A comment cannot be empty.")
        return body

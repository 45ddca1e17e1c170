"""Account pages. Thin: forms validate, services write, selectors read."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.http import require_GET, require_http_methods

from cblog.core import pagecache
from cblog.media import direct, renditions
from cblog.users import email_change, mail, selectors, services
from cblog.users.forms import ProfileForm, RegistrationForm, UnconfirmedAwarePasswordResetForm
from cblog.users.models import User


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """Register an account awaiting confirmation by e-mail.

    Whether or not the address already has an account, the answer is the same page and a
    message goes to that address (a confirmation link, or a note to the existing owner).
    """
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = RegistrationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_register(
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if user is None:
                mail.send_account_exists(request, form.cleaned_data["email"])
            else:
                mail.send_confirmation(request, user)
            return redirect("users:register_done")
    return render(request, "users/register.html", {"form": form})


@require_GET
def register_done(request: HttpRequest) -> HttpResponse:
    return render(request, "users/register_done.html")


@require_GET
def confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link from the confirmation e-mail: activate the account and sign its owner in."""
    try:
        user = User.objects.get(pk=urlsafe_base64_decode(uidb64).decode())
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        return render(request, "users/confirm_invalid.html", status=400)
    if not services.user_is_unconfirmed(user) and not user.is_active:
        return render(request, "users/confirm_invalid.html", status=400)  # disabled by an admin
    services.user_confirm(user=user)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, f"Welcome to {settings.SITE_NAME}, {user.username}!")
    return redirect(settings.LOGIN_REDIRECT_URL)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """Edit the signed-in user's own profile; there is no way to name anybody else's."""
    user = request.user
    data = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = ProfileForm(*data, user=user)
    if request.method == "POST" and form.is_valid():
        avatar = form.cleaned_data["avatar"]
        if upload := form.direct_upload("avatar"):
            avatar = direct.promote(upload)
        email = form.cleaned_data["email"]
        change = email_change.classify(user=user, email=email)
        try:
            services.profile_update(
                user=user,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                # Another address only through the link mailed to it (email_confirm).
                email=email if change is email_change.Request.UNCHANGED else user.email,
                bio=form.cleaned_data["bio"],
                avatar=avatar or None,
                clear_avatar=avatar is False,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Your profile has been updated.")
            # The same answer whether or not the address has an account: only its owner learns.
            if change is email_change.Request.CONFIRM:
                mail.send_email_change(
                    request, user, email, email_change.token(user=user, email=email)
                )
            elif change is email_change.Request.TAKEN:
                mail.send_email_in_use(request, email)
            if change is not email_change.Request.UNCHANGED:
                messages.info(
                    request,
                    f"We sent a link to {email}: your e-mail address changes when you follow it.",
                )
            return redirect("users:profile")
    renditions.fill([user], ("avatar",))
    return render(request, "users/profile.html", {"form": form})


@login_required
@require_GET
def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the e-mail-change message: move the signed-in account to the address."""
    email = email_change.confirm(user=request.user, value=token)
    if email is None:
        return render(request, "users/email_confirm_invalid.html", status=400)
    messages.success(request, f"Your e-mail address is now {email}.")
    return redirect("users:profile")


@require_GET
@pagecache.cached("author")
def author_detail(request: HttpRequest, username: str) -> HttpResponse:
    """An author's public page: avatar, bio and published posts, paginated."""
    author = get_object_or_404(selectors.active_users(), username=username)
    posts = selectors.author_posts(author=author, viewer=request.user)
    page_obj = Paginator(posts, settings.POSTS_PER_PAGE).get_page(request.GET.get("page"))
    renditions.fill([author], ("avatar",))
    renditions.fill(page_obj.object_list, ("cover_thumbnail",))
    return render(request, "users/author_detail.html", {"author": author, "page_obj": page_obj})


class LoginView(auth_views.LoginView):
    template_name = "users/login.html"
    redirect_authenticated_user = True

    def get_redirect_url(self) -> str:
        # "next" pointing back here (the nav's "Log in" link on this very page) would make
        # Django raise a redirect-loop error for the signed-in user: go home instead.
        url = super().get_redirect_url()
        return "" if url and urlsplit(url).path == self.request.path else url

    def form_valid(self, form: auth_views.AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, f"Welcome back, {form.get_user().username}.")
        return response


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5): a link or an <img> pointing here cannot sign anybody out."""

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.info(request, "You have been logged out.")
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "users/password_change_form.html"
    success_url = reverse_lazy("users:password_change_done")

    def form_valid(self, form: auth_views.PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, "Your password has been changed.")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Sends the reset link only to an active account with that address, yet answers the same
    way for any address, so the form cannot be used to find out who has an account."""

    form_class = UnconfirmedAwarePasswordResetForm
    template_name = "users/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    extra_email_context = {"site_name": settings.SITE_NAME}  # default is the request's host
    success_url = reverse_lazy("users:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """A completed reset also confirms an account that was never confirmed: the link proved
    the address."""

    template_name = "users/password_reset_confirm.html"
    success_url = reverse_lazy("users:password_reset_complete")

    def get_user(self, uidb64: str) -> User | None:
        user = super().get_user(uidb64)
        if user is not None and not user.is_active and not services.user_is_unconfirmed(user):
            return None  # disabled by an admin: no reset
        return user

    def form_valid(self, form: auth_views.SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        services.user_confirm(user=form.user)
        return response

"""Login throttling on top of django-axes: slowed first, then refused for a while.

django-axes records every failed sign-in in the database (so the count holds across instances)
and refuses an account or a client address once it reaches ``AXES_FAILURE_LIMIT`` failures
within ``AXES_COOLOFF_TIME``. Before that, from ``LOGIN_SLOW_AFTER`` failures on, each further
attempt must wait twice as long as the one before (1 s, 2 s, 4 s ... at most
``LOGIN_SLOW_MAX_SECONDS``); an attempt that comes too early is answered 429 without checking
the password. Both the site's login and the admin's go through here.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Callable
from datetime import timedelta

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone


def client_ip(request: HttpRequest) -> str:
    """The client's address: behind ``CLIENT_IP_PROXY_COUNT`` proxies, from X-Forwarded-For.

    gunicorn leaves REMOTE_ADDR as the connection's peer (the ALB). CloudFront appends the
    viewer's address to X-Forwarded-For and the ALB appends CloudFront's, so with two proxies
    the client is the second entry from the right; anything further left was sent by the
    client and is not trusted. A shorter header (a request that skipped a proxy) gives its
    left-most entry; no header, or a malformed entry, gives REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.CLIENT_IP_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if hops <= 0 or not forwarded:
        return remote
    candidate = forwarded[-hops] if len(forwarded) >= hops else forwarded[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def _delay(failures: int) -> float:
    """Seconds an attempt must wait after the last failure, given the failures so far."""
    if failures < settings.LOGIN_SLOW_AFTER:
        return 0.0
    return float(min(2 ** (failures - settings.LOGIN_SLOW_AFTER), settings.LOGIN_SLOW_MAX_SECONDS))


def seconds_to_wait(*, username: str, ip_address: str) -> tuple[int, bool]:
    """Whole seconds before this account's or address's next attempt may be checked, and
    whether that is a lockout (the failure limit reached) rather than a slowdown."""
    cool_off = get_cool_off() or timedelta(0)
    now = timezone.now()
    recent = AccessAttempt.objects.filter(attempt_time__gte=now - cool_off)
    wait, locked = 0.0, False
    for match in ({"username": username}, {"ip_address": ip_address}):
        if not next(iter(match.values())):
            continue
        seen = recent.filter(**match).aggregate(
            n=Sum("failures_since_start"), last=Max("attempt_time")
        )
        if not seen["n"]:
            continue
        if seen["n"] >= settings.AXES_FAILURE_LIMIT:
            ready_at, locked = seen["last"] + cool_off, True
        else:
            ready_at = seen["last"] + timedelta(seconds=_delay(seen["n"]))
        wait = max(wait, (ready_at - now).total_seconds())
    return math.ceil(wait), locked and wait > 0


def _refused(request: HttpRequest, seconds: int, *, locked: bool) -> HttpResponse:
    context = {"seconds": seconds, "minutes": math.ceil(seconds / 60), "locked": locked}
    response = render(request, "users/login_refused.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the page shown once an account or address is refused."""
    cool_off = get_cool_off(request) or timedelta(0)
    return _refused(request, int(cool_off.total_seconds()), locked=True)


class LoginSlowdownMiddleware:
    """Answers a sign-in attempt that comes before its delay is over, for both login pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path_info in (
            reverse("users:login"),
            reverse("admin:login"),
        ):
            username = request.POST.get("username", "")[:150]
            seconds, locked = seconds_to_wait(username=username, ip_address=client_ip(request))
            if seconds > 0:
                return _refused(request, seconds, locked=locked)
        return self.get_response(request)

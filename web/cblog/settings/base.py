"""Settings for every environment, with production-safe defaults.

Production is this module plus its environment (see `.env.example` and the README's
configuration table); `local.py` and `test.py` only relax it.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from boto3.s3.transfer import TransferConfig
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from cblog.ssm import read_secure_parameters, require

BASE_DIR = Path(__file__).resolve().parent.parent.parent  # web/
env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)

# --- AWS ---------------------------------------------------------------------------------------
AWS_REGION = env("AWS_REGION", default=env("AWS_DEFAULT_REGION", default="us-east-1"))
AWS_ENDPOINT_URL = env("AWS_ENDPOINT_URL", default=None)  # the local AWS endpoint; unset on AWS
SSM_PARAMETER_PREFIX = env("SSM_PARAMETER_PREFIX", default="")

# Which database user this process connects as, through DB_HOST: the web tier's own ("app",
# DML on its database only) or the RDS master user ("admin"), which only the release's migrate
# step uses; as admin it also creates the app user and keeps its password current.
DB_ROLE = env("DB_ROLE", default="") or "app"  # set but empty (an env file's `X=`): default
_DB_CREDENTIALS = {"app": ("app-username", "app-password"), "admin": ("username", "password")}
if DB_ROLE not in _DB_CREDENTIALS:
    raise ImproperlyConfigured(f"DB_ROLE must be 'app' or 'admin', not {DB_ROLE!r}.")

# Secrets are read from SSM once, while settings load, and only when a prefix is configured.
# The web tier never reads the master password.
_ssm: dict[str, str] = {}
_DB_HOST = "" if env("DATABASE_URL", default="") else env("DB_HOST", default="")
if SSM_PARAMETER_PREFIX:
    _wanted = ["secret-key"]
    if _DB_HOST:
        _wanted += ["app-username", "app-password"]
        _wanted += ["username", "password"] if DB_ROLE == "admin" else []
    _ssm = read_secure_parameters(
        SSM_PARAMETER_PREFIX, _wanted, region=AWS_REGION, endpoint_url=AWS_ENDPOINT_URL
    )

# --- Core --------------------------------------------------------------------------------------
SECRET_KEY = env("DJANGO_SECRET_KEY", default="") or _ssm.get("secret-key", "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "Set DJANGO_SECRET_KEY, or SSM_PARAMETER_PREFIX with a <prefix>/secret-key parameter."
    )
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "cblog.core",
    "cblog.users",
    "cblog.posts",
    "cblog.media",
    "axes",
]

MIDDLEWARE = [
    # First: answers load-balancer probes before host validation and HTTPS redirects.
    "cblog.core.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before anything reads the body: an oversized one is refused unread (413).
    "cblog.core.middleware.RequestBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside sessions, CSRF, authentication and messages: it sees every cookie they set.
    "cblog.core.cachecontrol.CacheControlMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, with the user from the shared cache when there is one.
    "cblog.users.authcache.CachedAuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cblog.users.throttle.LoginSlowdownMiddleware",
    # Last: turns django-axes' lockout flag into the "too many attempts" page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cblog.urls"
WSGI_APPLICATION = "cblog.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cblog" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cblog.core.context_processors.site",
            ],
            # {% url %} with remembered answers: reverse() is a large part of a page's render.
            "builtins": ["cblog.core.templatetags.urls"],
        },
    },
]

# --- Database ----------------------------------------------------------------------------------
if env("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
elif _DB_HOST:
    _user, _password = _DB_CREDENTIALS[DB_ROLE]
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.mysql",
            "HOST": _DB_HOST,
            "PORT": env.int("DB_PORT", default=3306),
            "NAME": env("DB_NAME", default="cblog"),
            "USER": require(_ssm, _user, SSM_PARAMETER_PREFIX),
            "PASSWORD": require(_ssm, _password, SSM_PARAMETER_PREFIX),
        }
    }
else:
    raise ImproperlyConfigured("Set DATABASE_URL, or DB_HOST/DB_NAME with SSM_PARAMETER_PREFIX.")

# The app user that `migrate_locked` provisions when it runs as admin (empty: nothing to do).
DB_APP_USER = _ssm.get("app-username", "") if DB_ROLE == "admin" else ""
DB_APP_PASSWORD = _ssm.get("app-password", "") if DB_ROLE == "admin" else ""
if bool(DB_APP_USER) != bool(DB_APP_PASSWORD):
    raise ImproperlyConfigured(
        f"Set both {SSM_PARAMETER_PREFIX}/app-username and {SSM_PARAMETER_PREFIX}/app-password."
    )

# TLS to MySQL: "verify" requires TLS and checks the server's certificate against DB_TLS_CA (by
# default the RDS CAs shipped in the image, web/cblog/certs/) and its host name; the default
# through DB_HOST, i.e. on AWS. "off" leaves PyMySQL's default: TLS if the server offers it,
# without verification. Over TLS, PyMySQL answers caching_sha2_password's full authentication
# (MySQL 8.4's default) without the RSA key exchange, which would need `cryptography`.
DB_TLS = env("DB_TLS", default="") or ("verify" if _DB_HOST else "off")
_RDS_CAS = BASE_DIR / "cblog" / "certs" / "rds-global-bundle.pem"
DB_TLS_CA = env("DB_TLS_CA", default="") or str(_RDS_CAS)
if DB_TLS not in ("verify", "off"):
    raise ImproperlyConfigured(f"DB_TLS must be 'verify' or 'off', not {DB_TLS!r}.")

_db = DATABASES["default"]
if DB_TLS == "verify" and _db["ENGINE"] != "django.db.backends.mysql":
    raise ImproperlyConfigured("DB_TLS=verify needs a MySQL database.")
_db["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
_db["CONN_HEALTH_CHECKS"] = True
if _db["ENGINE"] == "django.db.backends.mysql":
    _db["OPTIONS"] = {
        "charset": "utf8mb4",
        "init_command": "SET sql_mode='STRICT_TRANS_TABLES'",
        "isolation_level": "read committed",
        "connect_timeout": 5,
        **_db.get("OPTIONS", {}),
    }
    if DB_TLS == "verify":
        if not Path(DB_TLS_CA).is_file():
            raise ImproperlyConfigured(f"DB_TLS_CA: no CA bundle at {DB_TLS_CA}.")
        _db["OPTIONS"]["ssl"] = {"ca": DB_TLS_CA, "verify_mode": True, "check_hostname": True}
    _db.setdefault("TEST", {})["CHARSET"] = "utf8mb4"
    _db["TEST"]["COLLATION"] = "utf8mb4_unicode_ci"
elif _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the writer; IMMEDIATE avoids lock-upgrade deadlocks.
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        **_db.get("OPTIONS", {}),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts ----------------------------------------------------------------------------------
AUTH_USER_MODEL = "users.User"
LOGIN_URL = "users:login"
LOGIN_REDIRECT_URL = "posts:home"
LOGOUT_REDIRECT_URL = "posts:home"
# Login throttling (cblog.users.throttle): failures are counted in the database per account and
# per client address; from the 3rd each attempt waits twice as long (at most 60 s), the 10th
# refuses that account or address for 15 minutes. Further failures during the lockout do not
# extend it, so nobody can keep an account locked by guessing on. Both login pages, admin included.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "cblog.users.throttle.client_ip"
AXES_LOCKOUT_CALLABLE = "cblog.users.throttle.lockout_response"
LOGIN_SLOW_AFTER = 3
LOGIN_SLOW_MAX_SECONDS = 60
# Proxies in front of the app that append to X-Forwarded-For: CloudFront and the ALB.
CLIENT_IP_PROXY_COUNT = env.int("CLIENT_IP_PROXY_COUNT", default=2)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- E-mail: console unless EMAIL_URL names an SMTP server (smtp+tls://user:pass@host:587) ------
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="cblog <noreply@localhost>")

# --- Cache: per process unless CACHE_URL names a shared one (redis:// or rediss://) ----------
CACHE_URL = env("CACHE_URL", default="") or "locmemcache://"
CACHES = {"default": environ.Env.cache_url_config(CACHE_URL)}
SHARED_CACHE = CACHE_URL.startswith(("redis://", "rediss://"))
if SHARED_CACHE:
    # Django's own Redis backend (django-environ would pick django-redis if it were installed),
    # reusing its client (cblog.core.rediscache). Short timeouts: an unreachable cache costs a
    # request a fraction of a second, never a hung worker (cblog.core.pagecache renders the
    # page when the cache fails).
    CACHES["default"]["BACKEND"] = "cblog.core.rediscache.RedisCache"
    CACHES["default"]["OPTIONS"] = {
        "socket_connect_timeout": 0.5,
        "socket_timeout": 0.5,
        "health_check_interval": 30,
        **CACHES["default"].get("OPTIONS", {}),
    }
# Sessions in the shared cache, backed by the database; never in the per-process one, which a
# logout through another worker would leave holding the session (see cblog.core.sessions).
SESSION_ENGINE = f"cblog.core.sessions.{'cached_db' if SHARED_CACHE else 'db'}"

# --- Internationalisation ----------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files (inside the image, served by WhiteNoise) and media -------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "cblog" / "static"]
WHITENOISE_MAX_AGE = 365 * 24 * 3600  # only applied to hashed (immutable) names

MEDIA_URL = env("MEDIA_URL", default="/media/")
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_BUCKET = env("MEDIA_BUCKET", default="")
MEDIA_INDEX_TABLE = env("MEDIA_INDEX_TABLE", default="")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if MEDIA_BUCKET:
    # A private bucket: no ACLs, never overwrite, content type from the (server-chosen) name.
    # Multipart uploads stream from the temporary upload file in 5 MiB parts (S3's minimum),
    # 3 at a time. s3transfer reads each part of a file object into memory and by default
    # buffers up to 10 parts: with 8 MB parts a 200 MB video grew the worker by 98 MB; three
    # 5 MiB parts keep it near 35 MB (measured on the form path, before uploads went
    # straight to S3; only forms without JavaScript use it now). boto3's TransferConfig takes
    # no max_in_memory_upload_chunks argument; s3transfer reads the attribute.
    _transfer_config = TransferConfig(
        multipart_threshold=8 * 1024 * 1024,
        multipart_chunksize=5 * 1024 * 1024,
        max_concurrency=3,
    )
    _transfer_config.max_in_memory_upload_chunks = 3
    _s3_options = {
        "bucket_name": MEDIA_BUCKET,
        "region_name": AWS_REGION,
        "endpoint_url": AWS_ENDPOINT_URL,
        "location": "media",
        "default_acl": None,
        "file_overwrite": False,
        "querystring_auth": True,  # presigned URLs, e.g. from the local endpoint
        "transfer_config": _transfer_config,
    }
    _media_cdn = urlsplit(MEDIA_URL)
    if _media_cdn.scheme == "https":
        # Production: the CDN serves /media/* from the bucket through Origin Access Control.
        _s3_options |= {
            "custom_domain": _media_cdn.netloc,
            "url_protocol": "https:",
            "querystring_auth": False,
        }
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3_options}

# Upload limits, checked on the content (see cblog.core.uploads).
IMAGE_MAX_BYTES = env.int("IMAGE_MAX_BYTES", default=10 * 1024 * 1024)
IMAGE_MAX_PIXELS = env.int("IMAGE_MAX_PIXELS", default=40_000_000)
VIDEO_MAX_BYTES = env.int("VIDEO_MAX_BYTES", default=250 * 1024 * 1024)
CAPTIONS_MAX_BYTES = env.int("CAPTIONS_MAX_BYTES", default=512 * 1024)  # hours of subtitles
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # non-file fields; files stream to temp files
DATA_UPLOAD_MAX_NUMBER_FILES = 5  # a form has at most two file fields
# Any request body (cblog.core.middleware.RequestBodyLimitMiddleware): a form with one image
# within IMAGE_MAX_BYTES and its fields. Larger media go from the browser straight to S3.
REQUEST_BODY_MAX_BYTES = env.int("REQUEST_BODY_MAX_BYTES", default=IMAGE_MAX_BYTES + 1024 * 1024)

# --- Security (behind CloudFront + ALB, which terminate TLS and set X-Forwarded-Proto) --------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31_536_000)
# HSTS for this host only unless told otherwise: `includeSubDomains` would force HTTPS on every
# sibling name for max-age (one served over plain HTTP, such as an S3 website endpoint, becomes
# unreachable for returning visitors), and `preload` writes the domain into browsers' built-in
# lists, which takes months to undo. Opt in once every subdomain is HTTPS-only.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
# `check --deploy` recommends both; leaving them off is the decision above, not an oversight.
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]


# Content-Security-Policy on every response (django-csp): scripts and styles only from our own
# static files (no inline code, handlers or style attributes anywhere), media also from the
# bucket's or the CDN's origin, and browser uploads (fetch/XHR) only to the bucket.
def _origin(url: str | None) -> str | None:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


if AWS_ENDPOINT_URL:
    MEDIA_BUCKET_ORIGINS = [_origin(AWS_ENDPOINT_URL)]
elif MEDIA_BUCKET:  # presigned URLs name the bucket in either of S3's host name forms
    MEDIA_BUCKET_ORIGINS = [
        f"https://{MEDIA_BUCKET}.s3.amazonaws.com",
        f"https://{MEDIA_BUCKET}.s3.{AWS_REGION}.amazonaws.com",
    ]
else:
    MEDIA_BUCKET_ORIGINS = []
_media_sources = [SELF, *filter(None, {_origin(MEDIA_URL)}), *MEDIA_BUCKET_ORIGINS]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # blob: for the preview of an image chosen in a form (static/js/image-picker.js)
        "img-src": [*_media_sources, "data:", "blob:"],
        "media-src": _media_sources,
        "connect-src": [SELF, *MEDIA_BUCKET_ORIGINS],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

# --- Blog --------------------------------------------------------------------------------------
SITE_NAME = env("CBLOG_SITE_NAME", default="cblog")
SITE_TAGLINE = env(
    "CBLOG_SITE_TAGLINE", default="Travel notes, kitchen experiments and things we learned at work."
)
POSTS_PER_PAGE = 10
COMMENTS_PER_PAGE = 50
# Anonymous readers get pages from a short-lived cache (see cblog.core.pagecache); 0 disables.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=30)
# What every reader sees alike (post cards, post bodies, comment lists) is cached as fragments,
# signed-in readers included (see cblog.core.templatetags.fragments); 0 disables.
FRAGMENT_CACHE_SECONDS = env.int("FRAGMENT_CACHE_SECONDS", default=PAGE_CACHE_SECONDS)
# Views are counted in memory and written in bulk every this many seconds (see
# cblog.posts.viewcounts); 0 writes each view during its request.
VIEW_FLUSH_SECONDS = env.float("VIEW_FLUSH_SECONDS", default=1.0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        # Replaces Django's own console handler, so each record is printed once.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
    },
}

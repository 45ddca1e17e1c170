#!/usr/bin/env bash
# Entry point of the cblog web image (web/Dockerfile). The image contract (shared/DESIGN.md):
#
#   <image>                 serve: gunicorn on 0.0.0.0:8000 (the default command; gunicorn.conf.py)
#   <image> serve [ARGS]    the same, extra gunicorn options appended
#   <image> migrate [ARGS]  apply migrations under the database lock (manage.py migrate_locked)
#   <image> COMMAND [ARGS]  any other manage.py command, e.g. `createsuperuser`, `seed_demo`
#
# It runs manage.py from its own folder (/app in the image, web/ in a checkout), so the tests
# can run it against a temporary database with the project's Python on PATH.
set -Eeuo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
# Production settings: base plus the environment (manage.py alone would pick `local`).
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-cblog.settings.base}"

# Without MEDIA_BUCKET, uploads are files under the media folder (a volume in the image): refuse
# to start when the app's user cannot write there, instead of failing on the first upload.
require_writable_media() {
  [[ -n "${MEDIA_BUCKET:-}" ]] && return 0
  local media=${DJANGO_MEDIA_ROOT:-$PWD/media}
  if ! { mkdir -p "$media" 2>/dev/null && [[ -w "$media" ]]; }; then
    echo "docker-entrypoint: media folder $media is not writable by uid $(id -u)." >&2
    echo "Set MEDIA_BUCKET to store media on S3, or mount a writable volume there" \
      "(e.g. -v cblog-media:$media)." >&2
    exit 64
  fi
}

serve() {
  require_writable_media
  # Workers, threads, keep-alive, timeouts: gunicorn.conf.py (shared with `make bench`).
  exec gunicorn --config gunicorn.conf.py cblog.wsgi:application "$@"
}

command=${1:-serve}
(($#)) && shift
case "$command" in
  serve) serve "$@" ;;
  migrate) exec python manage.py migrate_locked --no-color "$@" ;;
  *)
    require_writable_media
    exec python manage.py "$command" "$@"
    ;;
esac

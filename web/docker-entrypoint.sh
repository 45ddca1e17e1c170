#!/usr/bin/env bash
# Entry point of the cblog web image (web/Dockerfile). The image contract (shared/DESIGN.md):
#
#   <image>                 serve: gunicorn on 0.0.0.0:8000 (the default command)
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

serve() {
  # --keep-alive 75: longer than the ALB's 60 s idle timeout, or the ALB reuses connections
  # gunicorn has already closed (sporadic 502s).
  # --forwarded-allow-ips '*': the ALB's addresses change and Docker's port mapping hides them;
  # only the ALB can reach the instances (security group), so its X-Forwarded-* are trusted.
  # --no-control-socket: gunicorn 27 would otherwise create one under $HOME, and the
  # image's non-root user has no home to write to.
  exec gunicorn cblog.wsgi:application \
    --bind 0.0.0.0:8000 \
    --workers "${WEB_CONCURRENCY:-2}" \
    --keep-alive 75 \
    --timeout "${GUNICORN_TIMEOUT:-60}" \
    --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-*}" \
    --access-logfile - \
    --error-logfile - \
    --no-control-socket \
    "$@"
}

command=${1:-serve}
(($#)) && shift
case "$command" in
  serve) serve "$@" ;;
  migrate) exec python manage.py migrate_locked --no-color "$@" ;;
  *) exec python manage.py "$command" "$@" ;;
esac

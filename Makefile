# cblog — every developer command. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# uv runs everything with Python 3.13; on machines with pyenv it takes pyenv's build, never a download.
PY313 := $(shell pyenv prefix 3.13 2>/dev/null | head -n1)
export UV_PYTHON ?= $(if $(PY313),$(PY313)/bin/python3.13,python3.13)
export UV_PYTHON_DOWNLOADS ?= never
export PYTHONDONTWRITEBYTECODE := 1

MANAGE := uv run --frozen python web/manage.py
# The SAM CLI runs from its own tool environment (its pins would hold back the web runtime's);
# local/invoke.py and the tests pin the same version.
SAM_CLI := aws-sam-cli==1.170.0
SAM := SAM_CLI_TELEMETRY=0 uvx --from $(SAM_CLI) sam
MYSQL_URL ?= mysql://root@127.0.0.1:3306/cblog
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install dev seed test lint format test-sqlite test-mysql check-migrations \
        check-deploy infra-check infra-lint infra-sam infra-scan container-check image-test compose-test invoke bench clean

help: ## List the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

install: ## Install Python 3.13 dependencies into .venv (locked)
	@command -v uv >/dev/null || python3 -m pip install --quiet uv
	uv sync --frozen

# make dev: the blog, a local AWS endpoint (moto) and the media relay, all on 127.0.0.1.
AWS_PORT ?= 4566
dev: export AWS_PORT := $(AWS_PORT)
dev: export WEB_HOST := $(HOST)
dev: export WEB_PORT := $(PORT)
dev: export AWS_ENDPOINT_URL := http://127.0.0.1:$(AWS_PORT)
dev: export AWS_ACCESS_KEY_ID := testing
dev: export AWS_SECRET_ACCESS_KEY := testing
dev: export AWS_REGION := us-east-1
dev: export MEDIA_BUCKET := cblog-media-local
dev: export MEDIA_INDEX_TABLE := cblog-media-index
dev: export SSM_PARAMETER_PREFIX := /cblog/local
dev: export DJANGO_SECRET_KEY :=
dev: export MOTO_ENABLE_RECORDING := True
dev: export MOTO_RECORDER_FILEPATH := $(CURDIR)/.local/aws-recording.jsonl

dev: install ## Run everything locally: blog on http://127.0.0.1:8000, local AWS, media indexer
	@mkdir -p .local
	uv run --frozen honcho -f Procfile.dev start

seed: install ## Seed demo content (N=1000 for many posts)
	$(MANAGE) seed_demo $(if $(N),--posts $(N))

test: install lint container-check test-sqlite test-mysql check-migrations check-deploy infra-check ## Run every test and check
	@echo "make test: all checks passed"

lint: ## ruff lint and format check
	uv run --frozen ruff check .
	uv run --frozen ruff format --check .

format: ## Apply ruff's formatting and safe fixes
	uv run --frozen ruff check --fix .
	uv run --frozen ruff format .

# One pytest worker per CPU (pytest-xdist); a module's tests stay on one worker, so its
# fixtures (moto servers, throw-away databases) start once.
PYTEST_PARALLEL := -n auto --dist loadscope

test-sqlite: ## The whole pytest suite on SQLite, with coverage of web/ (Docker tests aside)
	uv run --frozen pytest -m "not docker" $(PYTEST_PARALLEL) --cov --cov-report=term

test-mysql: ## The web test suite on MySQL/MariaDB ($(MYSQL_URL))
	DATABASE_URL=$(MYSQL_URL) uv run --frozen pytest tests/web $(PYTEST_PARALLEL) -p no:cacheprovider

check-migrations: ## Fail if a model change has no migration
	$(MANAGE) makemigrations --check --dry-run

check-deploy: ## Django's deployment checks with a production-like environment
	DJANGO_SETTINGS_MODULE=cblog.settings.base \
	DJANGO_SECRET_KEY="$$(uv run --frozen python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	DJANGO_ALLOWED_HOSTS=blog.example.com \
	DJANGO_CSRF_TRUSTED_ORIGINS=https://blog.example.com \
	DATABASE_URL=$(MYSQL_URL) \
	uv run --frozen python web/manage.py check --deploy --fail-level WARNING

# Three independent, single-threaded checks side by side; each one's output is kept together.
infra-check: ## Lint, validate, build and scan the CloudFormation/SAM templates
	@$(MAKE) --no-print-directory -j3 --output-sync=target infra-lint infra-sam infra-scan

infra-lint:
	uv run --frozen cfn-lint template.yaml infra/*.yaml
	uv run --frozen python infra/embed_user_data.py --check

# After the build, each function's handler is imported the way Lambda loads it: its package and
# the layer's python/ on the path, no site-packages (-S), so nothing comes from this checkout.
infra-sam:
	$(SAM) validate --lint --region us-east-1
	build="$$(mktemp -d)"; trap 'rm -rf "$$build"' EXIT; \
	  PATH="$(if $(PY313),$(PY313)/bin:)$$PATH" \
	  $(SAM) build --build-dir "$$build/build" --cache-dir "$$build/cache" && \
	  for fn in MediaIndexerFunction MediaDeriverFunction; do \
	    (cd "$$build" && PYTHONPATH="build/$$fn:build/S3RecordsLayer/python" \
	      POWERTOOLS_TRACE_DISABLED=true AWS_DEFAULT_REGION=us-east-1 \
	      $(if $(PY313),$(PY313)/bin/)python3.13 -S -c 'import app, s3records' \
	      && echo "$$fn imports from its package and the S3RecordsLayer alone") || exit 1; \
	  done

infra-scan:
	uvx checkov==3.3.30 --framework cloudformation --skip-download --quiet --compact \
	  -f template.yaml $(addprefix -f ,$(wildcard infra/*.yaml))

# Static checks, with tools from the locked environment: no Docker engine needed.
container-check: ## Lint web/Dockerfile, the shell scripts, and docker-compose.yml against the spec
	uv run --frozen hadolint web/Dockerfile local/containers/standins/*/Dockerfile
	uv run --frozen shellcheck .ci/run web/docker-entrypoint.sh local/containers/standins/*.sh \
	  local/containers/standins/*/*.sh
	uv run --frozen check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml

# The images for real, on a Docker engine: the one DOCKER_HOST names, else a private dockerd
# (root, Debian's docker.io) started and stopped around the run. Base images are pulled when a
# registry answers, else stood in for from Debian packages (local/containers/).
CONTAINERS := uv run --frozen python -m local.containers
DOCKER_PYTEST := uv run --frozen pytest -p no:cacheprovider --no-cov -m docker --durations=5

image-test: install ## Build web/Dockerfile and check the image contract on a real Docker engine
	$(CONTAINERS) --images python,db -- $(DOCKER_PYTEST) tests/containers/test_web_image.py

compose-test: install ## docker compose up the whole stack, sign up, upload a picture, find it indexed
	$(CONTAINERS) --images python,db,aws,cache -- $(DOCKER_PYTEST) tests/containers/test_compose.py

invoke: install ## Run a pipeline function behind Lambda's Runtime Interface Emulator: make invoke EVENT=events/s3_put.json [FUNCTION=deriver]
	uv run --frozen python -m local.invoke --function $(or $(FUNCTION),indexer) \
	  $(or $(EVENT),$(error give EVENT=events/<file>.json))

bench: install ## Load-test home and detail pages (SQLite and MariaDB) with wrk
	uv run --frozen python scripts/bench.py

clean: ## Remove local state (database, media, caches)
	rm -rf web/db.sqlite3* web/media web/staticfiles .local .pytest_cache .coverage htmlcov

# The two commands of the README, and what they stand on. Needs only python3, make and git.
PORT ?= 8000
HOST ?= 127.0.0.1
UV_VERSION := 0.13.9
TOOLS := .tools
VENV := .venv
PY := $(VENV)/bin/python
WORKERS ?= 2
TEST_WORKERS ?= 2

.PHONY: run test env lint format bench messages clean

## make run: environment, migrations, demo data (once), then the production server on $(HOST):$(PORT)
run: env
	$(PY) -m fupin migrate --noinput -v0
	$(PY) -m fupin collectstatic --noinput -v0
	$(PY) -m fupin demo
	@# A signed checkpoint of each audit chain (/public/audit/); cron runs it daily. A refusal is shown, not fatal.
	-$(PY) -m fupin audit checkpoint
	@# The worker's daily warning scan re-queues itself each day; this queues the first (or nothing).
	$(PY) -m fupin warnings schedule
	@echo ""
	@echo "  扶贫项目资金跟踪问效平台 → http://$(HOST):$(PORT)/"
	@echo "  演示账号（密码均为 fupin-demo）：admin 县级管理员 · sima 司马镇专干 · jishu 鸡黍镇专干 · cadre 村干部"
	@echo "  helper 帮扶责任人 · expert1…expert9 评审专家 · finance 财政 · inspector 纪检督查"
	@echo "  lectureadmin · lecturer · requester 清风讲堂 · gridstaff · dispatcher 城市管理"
	@echo "  API 文档 → http://$(HOST):$(PORT)/api/v1/docs"
	@echo ""
	@# The background worker (imports, exports, warning scans, webhooks) runs beside the web server and stops with it.
	$(PY) -m fupin db_worker --no-reload --interval 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn fupin.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) --threads 4 --no-control-socket \
		--worker-class gthread --access-logfile - --forwarded-allow-ips=127.0.0.1

## make test: the whole suite on $(TEST_WORKERS) processes (DATABASE_URL=postgres://… switches it to PostgreSQL)
# The demo tests go together to one process, which loads the demo once (fupin/conftest.py).
test: env
	$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

env: $(VENV)/.synced

$(VENV)/.synced: pyproject.toml uv.lock
	@test -x $(TOOLS)/bin/uv || (python3 -m venv $(TOOLS) && $(TOOLS)/bin/pip install -q uv==$(UV_VERSION))
	UV_PYTHON_DOWNLOADS=never $(TOOLS)/bin/uv sync --frozen --python 3.11
	@touch $@

lint: env
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: env
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## make messages: refresh the Chinese translation catalogue after changing user-facing strings
messages: env
	cd fupin && ../$(PY) -m fupin makemessages -l zh_Hans --no-obsolete --no-location
	$(PY) -m fupin compilemessages -l zh_Hans

bench: env
	$(PY) bench/api.py

clean:
	rm -rf $(VENV) $(TOOLS) var

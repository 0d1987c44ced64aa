# Two commands: `make run` and `make test` (README). Everything lives in .venv.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run test test-fast bench lint sample clean

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime
	$(PY) -m streamlit run app.py --server.port $(PORT) --browser.gatherUsageStats false

test: $(VENV)/.dev
	$(PY) -m pytest -n 2 --dist loadgroup --timeout 600

test-fast: $(VENV)/.dev
	$(PY) -m pytest -n 2 --dist loadgroup -m "not slow and not browser"

bench: $(VENV)/.dev
	$(PY) -m bench

lint: $(VENV)/.dev
	$(PY) -m ruff check .

clean:
	rm -rf $(VENV) bench/out

sample: $(VENV)/.runtime
	$(PY) -m retention_core.sample data/sample

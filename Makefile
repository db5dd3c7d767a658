# Two entry points: `make demo` runs BuildTrace on embedded defaults,
# `make test` runs the quality gates (`lint`, `typecheck`) and then the whole suite.
# All of them install what they need first.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install system-deps demo test lint typecheck audit bench clean

install: system-deps $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --no-binary tesserocr -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# time: GNU time, by which the benchmarks read each whole process's peak memory.
# prometheus: promtool and prometheus for the alert-rule tests; the services the package starts are stopped
# and disabled (the tests start their own on 127.0.0.1).
# OCR: tesserocr is built from source (`--no-binary tesserocr` above) against Debian's libtesseract, the
# Tesseract the engine is tuned on (its wheels bundle another release, which reads differently): the library's
# headers, pkg-config and a C++ compiler to build it, tesseract-ocr for the English model.
OCR_PACKAGES := tesseract-ocr libtesseract-dev libleptonica-dev pkg-config g++
system-deps:
	@missing=""; \
	for package in $(OCR_PACKAGES); do \
		dpkg-query -W -f '$${Status}' $$package 2>/dev/null | grep -q "ok installed" || missing="$$missing $$package"; \
	done; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v promtool >/dev/null || missing="$$missing prometheus"; \
	[ -x /usr/bin/time ] || missing="$$missing time"; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing; \
	fi; \
	for service in prometheus prometheus-node-exporter; do \
		[ -e /etc/init.d/$$service ] || continue; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO service $$service stop >/dev/null 2>&1 || true; \
		$$SUDO update-rc.d $$service disable >/dev/null 2>&1 || true; \
	done

demo: install
	$(BIN)/buildtrace demo

# Two workers, each taking a whole test file at a time (module fixtures stay in one process): most tests wait on
# servers, daemons and sandboxed children, so the suite takes about half the time on two cores.
test: install lint typecheck
	$(BIN)/python -m pytest -q -p no:cacheprovider -n 2 --dist loadfile

# ruff's rules and mypy's strictness are configured in pyproject.toml.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

# Every pin of constraints.txt against the PyPI advisory database (needs the network, so not part of `test`).
# --strict: a pin that cannot be looked up fails the audit instead of being skipped.
audit: install
	@$(BIN)/pip-audit --requirement constraints.txt --no-deps --disable-pip --strict --progress-spinner off || { \
		echo "make audit: FAILED: a vulnerability was found or a pin could not be looked up (see above)" >&2; exit 1; }

# bench.dwg writes its 10 MB plan once (ezdwg's writer takes about 10 minutes) and keeps it in .buildtrace.
bench: install
	$(BIN)/python -m bench.engine
	$(BIN)/python -m bench.dwg --sizes-mb 10 --analyze-up-to-mb 0 --plans .buildtrace/bench-dwg-plans
	$(BIN)/python -m bench.pipeline
	$(BIN)/python -m bench.storage_listing
	$(BIN)/python -m bench.reports

clean:
	rm -rf $(VENV) .buildtrace

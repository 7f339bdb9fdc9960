# Two commands matter: `make demo` and `make test`. Each builds .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench reliability record lock clean

$(STAMP): requirements-dev.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

demo: $(STAMP)  ## run the real pipeline against the bundled sandbox
	$(BIN)/python -m runner demo

test: $(STAMP)  ## the whole suite, offline, plus lint
	$(BIN)/ruff check runner tests bench docs
	$(BIN)/python -m pytest

lint: $(STAMP)  ## workflow linters that work offline
	$(BIN)/zizmor --offline .github/workflows
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml

bench: $(STAMP)  ## requests and wall time against the sandbox, vs the original script
	$(BIN)/python bench/run.py

reliability: $(STAMP)  ## run the fault catalogue and regenerate docs/reliability.md
	$(BIN)/python docs/reliability.py

record: $(STAMP)  ## record your own system (dailyplan.toml + secrets) as tests/cassettes/site/<account>.yaml
	$(BIN)/python -m runner record

lock:  ## refresh the hash-pinned lock files (needs pip-tools)
	pip-compile -q --generate-hashes --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml
	pip-compile -q --generate-hashes --strip-extras --no-emit-index-url --no-emit-find-links --extra dev -o requirements-dev.lock pyproject.toml

clean:
	rm -rf $(VENV) build *.egg-info

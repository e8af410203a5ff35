# rewardkit: `make serve` and `make test` are all a fresh machine needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install serve test lint format bench clean example-grpo

install: $(STAMP)

# Re-runs only when pyproject.toml changes (or the venv is missing): quick when nothing changed.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "rewardkit needs Python >= 3.11"; exit 1; }
	@# The code sandbox and its languages' toolchains (command:Debian package): only the
	@# missing ones are installed. A language without its toolchain answers 'invalid'.
	@missing=""; for pair in bwrap:bubblewrap g++:g++ gcc:gcc node:nodejs javac:openjdk-17-jdk-headless rustc:rustc; do \
	  command -v $${pair%%:*} >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing$$missing (code sandbox)"; \
	    mkdir -p /usr/share/man/man1; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "warning: missing$$missing and not root: code checks in those languages answer 'invalid' (no bwrap: 'error')"; \
	  fi; \
	fi
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check -e '.[server,dev]'
	@touch $(STAMP)

serve: install
	$(VENV)/bin/rewardkit serve

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: install lint
	$(VENV)/bin/pytest

# The GRPO example (examples/grpo_trl.py): TRL trains against a live server. The trainer side has
# its own venv, with the client installed WITHOUT the server extras, so torch and TRL stay out of
# .venv and of `make test`. torch==2.13.0 is a CPU build (an unpinned torch pulls GBs of CUDA).
EXAMPLES_VENV := .venv-examples
EXAMPLES_STAMP := $(EXAMPLES_VENV)/.installed-stamp

$(EXAMPLES_STAMP): pyproject.toml
	@test -x $(EXAMPLES_VENV)/bin/python || $(PYTHON) -m venv $(EXAMPLES_VENV)
	$(EXAMPLES_VENV)/bin/python -m pip install -q --disable-pip-version-check torch==2.13.0 -e '.[examples]'
	@touch $@

example-grpo: install $(EXAMPLES_STAMP)
	@port=$$($(PY) -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'); \
	log=$$(mktemp); \
	$(VENV)/bin/rewardkit serve --port $$port --workers 2 >$$log 2>&1 & server=$$!; \
	trap 'kill $$server 2>/dev/null; wait $$server 2>/dev/null; rm -f $$log' EXIT; \
	REWARDKIT_URL=http://127.0.0.1:$$port $(EXAMPLES_VENV)/bin/python examples/grpo_trl.py \
	  || { echo "--- server log:"; cat $$log; exit 1; }

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info $(EXAMPLES_VENV)

# One entry point for people and CI. `make test` works on a fresh machine with Python 3.11 and pip.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
MINISTACK_VENV ?= .venv-ministack
STACK ?= dev
CONFIG ?=
JSON ?=
STATUS ?=

.PHONY: help uv install test unit lint format plan diff check pack pack-config pulumi-cli up preview destroy bench docs

help:
	@echo "make test                 install everything into $(VENV) and $(MINISTACK_VENV), run the whole suite offline"
	@echo "make plan STACK=dev       offline plan: what the stack would create, per region (Pulumi mocks)"
	@echo "make diff STACK=prod CONFIG=\"--config frontDoor=cloudfront\" [STATE=prod.json]   what pulumi up would do to the live stack (exit 1 on a hazard; STATE: a pulumi stack export)"
	@echo "make check STACK=dev      the CrossGuard rules against the stack, offline (exit 1 on a mandatory violation)"
	@echo "make release STACK=prod   move each region's live alias wave by wave (ops.release; DRY_RUN=1 prints the plan, OUTPUTS=FILE the stack outputs)"
	@echo "  plan/diff/check also take JSON=1 (--json; use make -s) and STATUS=FILE (the tool's exit code: 0 ok, 1 findings, 2 bad input)"
	@echo "make up STACK=dev         pulumi up with the policy pack (needs the Pulumi CLI and AWS credentials)"
	@echo "make preview STACK=dev    pulumi preview with the policy pack"
	@echo "  up/preview pass the pack config generated from Pulumi.<stack>.yaml (make pack-config STACK=dev: build/pack-config/dev.json)"
	@echo "make pack                 copy what the policy pack shares with the program into policies/ (CHECK=1: only check)"
	@echo "make bench                benchmarks (ratios against baselines measured in the same run)"
	@echo "make docs                 rewrite the generated facts in README.md and docs/ from the tools (CHECK=1: only check)"

# uv installs both virtualenvs from uv.lock (pyproject.toml's dependency groups), exactly as locked, and
# compiles their bytecode once: where Python may not write it (PYTHONDONTWRITEBYTECODE, read-only or fresh
# CI images) every process would otherwise compile pulumi_aws's modules again: a plan took 5.6 s instead
# of 2.7 s and 174 MiB instead of 140 MiB.
UV_VERSION := 0.13.9
UV := $(PYTHON) -m uv

uv:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: pyproject.toml uv.lock
	@$(MAKE) --no-print-directory uv
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --frozen --quiet --compile-bytecode --python $(PYTHON)
	touch $@

# ministack pins an older botocore, so it gets its own virtualenv (see tests/integration).
$(MINISTACK_VENV)/.installed: pyproject.toml uv.lock
	@$(MAKE) --no-print-directory uv
	UV_PROJECT_ENVIRONMENT=$(MINISTACK_VENV) $(UV) sync --frozen --quiet --compile-bytecode --only-group ministack --python $(PYTHON)
	touch $@

install: $(VENV)/.installed $(MINISTACK_VENV)/.installed

# Two workers (these machines have 2 cores); ministack's tests share one worker and one emulator.
test: install lint
	MINISTACK_PYTHON=$(abspath $(MINISTACK_VENV))/bin/python $(PY) -m pytest -n 2 --dist loadgroup

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pyright

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

unit: $(VENV)/.installed
	$(PY) -m pytest -n 2 tests/unit tests/components tests/lifecycle tests/policies tests/functions

# The offline tools exit 0 (ok), 1 (findings: violations, hazards) or 2 (unusable input). GNU make itself
# only exits 0 or 2 (1 is reserved for -q), so a recipe's 1 comes out of make as 2: the recipe writes the
# tool's own code to STATUS=FILE for scripts, and make fails ("Error 1"/"Error 2") whenever the tool does.
# Scripts may also run the module directly: .venv/bin/python -m offline.diff ... exits 0, 1 or 2 itself.
offline = @$(PY) -m offline.$(1) --stack $(STACK) $(CONFIG) $(if $(JSON),--json) $(2); code=$$?; \
	$(if $(STATUS),echo $$code > "$(STATUS)";) exit $$code

plan: $(VENV)/.installed
	$(call offline,plan)

diff: $(VENV)/.installed
	$(call offline,diff,$(if $(STATE),--state $(STATE)))

check: $(VENV)/.installed
	$(call offline,check)

# ops.release moves each region's `live` alias to its newest published version through CodeDeploy, wave by wave
# (needs AWS credentials, and the Pulumi CLI unless OUTPUTS=FILE holds `pulumi stack output --json`). Exit 0
# released, 1 stopped (a region rolled back, an alarm fired), 2 unusable input; STATUS=FILE keeps the tool's code.
.PHONY: release
release: $(VENV)/.installed
	@$(PY) -m ops.release --stack $(STACK) $(CONFIG) $(if $(JSON),--json) $(if $(DRY_RUN),--dry-run) \
		$(if $(OUTPUTS),--outputs $(OUTPUTS)); code=$$?; $(if $(STATUS),echo $$code > "$(STATUS)";) exit $$code

# The policy pack (policies/) is self-contained so `pulumi policy publish policies` works: what it shares
# with the program (doors, backends, names) is copied into policies/shared/ and its requirements.txt is
# pinned from uv.lock by offline/pack_build.py; CHECK=1 writes nothing and fails when a copy is stale.
pack: $(VENV)/.installed
	$(PY) -m offline.pack_build $(if $(CHECK),--check)

# The pack's own virtualenv (PulumiPolicy.yaml `virtualenv: venv`), from its requirements.txt alone.
PACK_VENV := policies/venv
$(PACK_VENV)/.installed: policies/requirements.txt
	@$(MAKE) --no-print-directory uv
	$(UV) venv --quiet --allow-existing --python $(PYTHON) $(PACK_VENV)
	$(UV) pip install --quiet --compile-bytecode --python $(PACK_VENV)/bin/python -r policies/requirements.txt
	touch $@

# The stack facts the pack needs (regions, home region, front doors, ...), generated from Pulumi.$(STACK).yaml
# for --policy-pack-config: a generated file cannot go stale, so nobody keeps one by hand.
PACK_CONFIG := build/pack-config/$(STACK).json
pack-config: $(VENV)/.installed
	$(PY) -m offline.pack_config --stack $(STACK) --out $(PACK_CONFIG)

pulumi-cli:
	@command -v pulumi >/dev/null || { echo "The Pulumi CLI is not installed: https://www.pulumi.com/docs/install/ (make test and make plan do not need it)"; exit 1; }

# Pulumi.yaml's uv toolchain runs `uv`: put the one `make` installed on PATH for the CLI.
WITH_UV = PATH="$$($(PYTHON) -c 'import os, uv; print(os.path.dirname(uv.find_uv_bin()))'):$$PATH"

# The stack's config lives in Pulumi.$(STACK).yaml; `select --create` makes the stack on first use.
up: $(VENV)/.installed pulumi-cli pack $(PACK_VENV)/.installed pack-config
	$(WITH_UV) pulumi stack select --create $(STACK)
	$(WITH_UV) pulumi up --stack $(STACK) --policy-pack policies --policy-pack-config $(PACK_CONFIG)

preview: $(VENV)/.installed pulumi-cli pack $(PACK_VENV)/.installed pack-config
	$(WITH_UV) pulumi stack select --create $(STACK)
	$(WITH_UV) pulumi preview --stack $(STACK) --policy-pack policies --policy-pack-config $(PACK_CONFIG)

destroy: pulumi-cli
	$(WITH_UV) pulumi destroy --stack $(STACK)

bench: install
	$(PY) bench/synth.py
	$(PY) bench/policy_check.py
	$(PY) bench/handler.py

# README.md and docs/: every count, table of facts and sample output between <!-- generated:NAME --> markers is
# rewritten from the tools themselves (offline/docs.py); CHECK=1 writes nothing and fails when a doc is stale.
docs: $(VENV)/.installed
	$(PY) -m offline.docs $(if $(CHECK),--check)

# The two commands a newcomer needs: `make run` and `make test`. Everything else is a helper.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: run test test-python test-extension test-browser system-deps bench extension extension-bundle lint format clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/microscout serve

# Debian's Chromium for the browser tests and a redis-server binary for the Redis contract suite.
system-deps:
	@command -v chromium >/dev/null 2>&1 && command -v redis-server >/dev/null 2>&1 || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium redis-server >/dev/null; }

test: $(STAMP) system-deps
	node --test extension/test/
	$(BIN)/python -m pytest

# The extension's linters and esbuild are npm devDependencies pinned by extension/package-lock.json.
extension/node_modules/.installed: extension/package.json extension/package-lock.json
	cd extension && npm ci --no-audit --no-fund --silent
	touch $@

lint: $(STAMP) extension/node_modules/.installed
	$(BIN)/ruff check server training tests bench extension/tools
	$(BIN)/mypy
	cd extension && npx eslint . && npx prettier --check .

# Rewrites the extension's files in prettier's style (make lint checks it).
format: extension/node_modules/.installed
	cd extension && npx prettier --write .

bench: $(STAMP)
	$(BIN)/python bench/score_bench.py
	$(BIN)/python bench/glance_bench.py
	$(BIN)/python bench/audit_bench.py
	$(BIN)/python bench/soak.py --minutes 20

# The Chrome Web Store zip of extension/src (Python's zipfile: no `zip` binary needed).
extension:
	$(PY) extension/tools/bundle.py --check
	$(PY) extension/tools/release.py dist/microscout-extension.zip

# Rebuild content/bundle.js after changing a module the content script imports (esbuild from npm).
extension-bundle: extension/node_modules/.installed
	$(PY) extension/tools/bundle.py

clean:
	rm -rf $(VENV) dist build *.egg-info .pytest_cache

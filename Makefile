# Two commands that work on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
DEMO_DIR := .demo
EXTRAS ?= test,ray

.PHONY: demo test install install-test bench bench-quality handshake clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

install: $(BIN)/python
	$(PIP) install --quiet -e .

install-test: $(BIN)/python
	$(PIP) install --quiet -e '.[$(EXTRAS)]'

demo: install
	@mkdir -p $(DEMO_DIR)
	$(BIN)/video-json-ai sample $(DEMO_DIR)/sample.mp4
	VIDEO_JSON_HOME=$(CURDIR)/$(DEMO_DIR)/home $(BIN)/video-json-ai extract $(DEMO_DIR)/sample.mp4 --refresh -o $(DEMO_DIR)/report.json
	@cat $(DEMO_DIR)/report.json

test: install-test
	$(BIN)/python -m pytest -q

bench: EXTRAS = test,bench,ray
bench: install-test
	$(BIN)/python bench/bench_startup.py
	$(BIN)/python bench/bench_scenes.py
	$(BIN)/python bench/bench_audio.py
	$(BIN)/python bench/bench_render.py
	$(BIN)/python bench/bench_batch.py
	$(BIN)/python bench/bench_cues.py

# Shot boundaries on real footage against PySceneDetect and TransNetV2. Long: the first run makes the
# 192-transition set and a torch venv for TransNetV2 in bench/.cache (~1.2 GB; TransNetV2 ~40 min on 2
# cores); later runs read the peers' cached results.
bench-quality: EXTRAS = test,bench
bench-quality: install-test
	$(BIN)/python bench/bench_quality.py

# After changing a tool, the server's instructions or the SDK version: re-record the handshake
# answers shipped with the package (tests/test_stdio_relay.py fails until this is done).
handshake: install-test
	$(BIN)/python scripts/record_handshake.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) build src/*.egg-info .pytest_cache

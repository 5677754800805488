# The two commands: `make book` (the published book) and `make test` (what CI runs).
# Both create the environment in .venv when it is missing and reuse it after.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DELETE_ON_ERROR:
.SECONDARY:

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The chapter list and what their results depend on (com, and the machinery a chapter
# runs) are computed in one place, bookkit.chapters, read here with any python3.
CHAPTERS := $(shell $(PYTHON) -m bookkit.chapters)
DEPS := $(shell $(PYTHON) -m bookkit.chapters --deps)
PAGES := $(wildcard book/*.md)
BOOK_FILES := _config.yml _toc.yml references.bib $(PAGES)
JB_FLAGS := -W -n --keep-going

.PHONY: all book pdf test unit smoke nbval smoke-book browser regenerate notebooks env clean distclean help bench sweep FORCE
all: book
FORCE:

help:
	@echo "make book        full-scale execution of every chapter, then _build/html"
	@echo "make test        unit tests, smoke execution, nbval regression, smoke build"
	@echo "make pdf         the whole book as one PDF: _build/pdf/curse-of-memory.pdf"
	@echo "make bench       time-loop baseline vs com, and the full book's wall time"
	@echo "make sweep       every chapter x SEEDS (0-19) at SCALE (full) on Dask: _build/sweep"
	@echo "make browser     open every page of the smoke site in Chromium (SITE=_build/html: the book)"
	@echo "make regenerate  refresh the nbval reference notebooks in tests/notebooks"
	@echo "make clean       remove what make built, except the result cache and the sweep's runs"
	@echo "make distclean   remove everything make built, the cache too"
	@echo "chapters: $(CHAPTERS)"

env: $(STAMP)
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[book,test,sweep]' \
	    || { echo "make: pip failed. On Linux torch is pinned to 2.13.0+cpu: without a local" \
	         "copy, rerun with PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu" >&2; \
	         exit 1; }
	touch $@

# the paired notebooks: book/<chapter>.ipynb from book/<chapter>.py (the source of truth);
# checked on every run, rewritten only when the .py changed, and a notebook edited by
# hand stops make (bookkit.build.notebooks says how to keep or drop the edit)
notebooks: $(CHAPTERS:%=book/%.ipynb)
book/%.ipynb: book/%.py FORCE | $(STAMP)
	@$(BIN)/python -m bookkit.build.notebooks $< $@

# the python, torch and numpy versions, rewritten only when they change: results
# depend on them, so an upgrade re-executes the chapters
VERSIONS := _build/versions.txt
$(VERSIONS): FORCE | $(STAMP)
	@$(BIN)/python -m bookkit.build.notebooks --versions $@

# execute a chapter at one scale: smoke with its parameter file book/params/smoke/, full
# with the defaults of its parameters cell (no -f: declared once, in the chapter).
# bookkit.build.execute runs papermill into a folder of the run's own and renames the
# finished notebook into place (an interrupted or failed run leaves the target as it
# was, and is redone; .PRECIOUS: make never deletes one), folding in the run's facts
# (bookkit.provenance: measured in the kernel, with the commit and the papermill command,
# for the page's reproduce box). One run of a target at a time: a second make of it waits
# for the first, saying which process holds it, and then keeps what the first made.
# No run is priced before it starts: every size parameter has an upper bound in the
# chapter's declaration (an absurd size stops it at its first cell), and a cell that
# runs longer than CELL_TIMEOUT seconds (4 hours) stops the run.
CELL_TIMEOUT ?= 14400
export CELL_TIMEOUT
.PRECIOUS: _build/executed/%.ipynb
define execute
_build/executed/$(1)/%.ipynb: book/%.ipynb $(3) $(DEPS) $(VERSIONS) | $(STAMP)
	$(2) $(BIN)/python -m bookkit.build.execute --timeout "$$$$CELL_TIMEOUT" $$@ $$^
endef
# The nbval references are the smoke executions (make regenerate copies them), so the
# smoke runs use one fixed vector unit: torch's portable kernels and MKL's AVX2 path.
# make nbval re-executes them under this machine's own unit (AVX-512 or AVX2 on most
# CPUs), which sums in another order: a reference output that shows round-off digits
# fails on the developer's machine, not on a reader's. (Round-off is glued and printed
# as a bound, bookkit.claims.bound.)
REFERENCE_UNIT := ATEN_CPU_CAPABILITY=default MKL_ENABLE_INSTRUCTIONS=AVX2
# COM_BOOK_BUILD=1: a glued figure is shown once, where the prose places it (outside
# the build, e.g. in Colab, bookkit.claims.glue also shows it in its cell)
$(eval $(call execute,full,COM_BOOK_BUILD=1 COM_PROGRESS=1))
$(eval $(call execute,smoke,$(REFERENCE_UNIT) COM_BOOK_BUILD=1 COM_CACHE=off COM_PROGRESS=0,book/params/smoke/%.yaml))

# build a book from executed notebooks, without executing anything again
define build
	rm -rf $(1)/src && mkdir -p $(1)/src/book
	cp $(filter-out $(PAGES),$(BOOK_FILES)) $(1)/src/
	cp $(PAGES) $(1)/src/book/
	cp $(CHAPTERS:%=_build/executed/$(2)/%.ipynb) $(1)/src/book/
	$(BIN)/python -m bookkit.build.stage $(1)/src $(2)
	$(BIN)/jupyter-book build $(1)/src --path-output $(3) $(JB_FLAGS) $(4)
endef

book: $(CHAPTERS:%=_build/executed/full/%.ipynb) $(BOOK_FILES) | $(STAMP)
	$(call build,_build/full,full,.)
	@echo "book: $(CURDIR)/_build/html/index.html"

# the whole book as one PDF: the full-scale chapters built once more as a single HTML
# page (Sphinx's singlehtml builder), printed by headless Chromium (bookkit.build.pdf);
# copied into the site when there is one (the intro links it: make book pdf)
PDF := _build/pdf/curse-of-memory.pdf
pdf: $(CHAPTERS:%=_build/executed/full/%.ipynb) $(BOOK_FILES) | $(STAMP)
	$(call build,_build/pdf,full,_build/pdf,--builder singlehtml)
	$(BIN)/python -m bookkit.build.pdf _build/pdf/_build/singlehtml $(PDF)
	if [ -d _build/html ]; then cp $(PDF) _build/html/; fi

unit: | $(STAMP)
	$(BIN)/python -m pytest -q tests --ignore=tests/notebooks

smoke: $(CHAPTERS:%=_build/executed/smoke/%.ipynb)

# under this machine's own vector unit (see REFERENCE_UNIT), unless the caller sets one
nbval: | $(STAMP)
	@$(BIN)/python -c "import torch; print('nbval: re-executing under', \
	    torch.backends.cpu.get_cpu_capability(), '(the references: default)')"
	COM_BOOK_BUILD=1 COM_CACHE=off COM_PROGRESS=0 $(BIN)/python -m pytest -q -p no:randomly --nbval \
	    --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg tests/notebooks

smoke-book: smoke | $(STAMP)
	$(call build,_build/smoke,smoke,_build/smoke)

# open every page of a built site in headless Chromium (screenshots in _build/screenshots)
# (make's variables reach recipes through the environment, never pasted into the shell)
SITE ?= _build/smoke/_build/html
export SITE
browser: | $(STAMP)
	COM_SITE="$$SITE" $(BIN)/python -m pytest -q -p no:randomly tests/browser

test: unit smoke nbval smoke-book browser

regenerate: smoke
	mkdir -p tests/notebooks
	cp $(CHAPTERS:%=_build/executed/smoke/%.ipynb) tests/notebooks/

# every chapter x seed (x parameter grid) as a Dask task, on a LocalCluster sized to the
# machine or on DASK_SCHEDULER_ADDRESS; finished runs are kept in _build/sweep and skipped,
# _build/sweep/summary.json feeds the book's "Robustness across seeds" page.
# e.g. make sweep SCALE=smoke SEEDS=0-3 ARGS="-c nonlinear_curse -p widths=[8,16,32]"
# SCALE, SEEDS and ARGS reach the sweep as text (ARGS split as a shell would, by
# bookkit.sweep itself), so nothing in them is run by the shell.
SEEDS ?= 0-19
SCALE ?= full
ARGS ?=
export SEEDS SCALE ARGS
sweep: | $(STAMP)
	$(BIN)/python -m bookkit.sweep --scale="$$SCALE" --seeds="$$SEEDS" --args="$$ARGS"

# timings: the authors' time-loop approach against com (asserting both agree), then
# make book at full scale in a clean clone; writes _build/bench.json and _build/bench.md
bench: | $(STAMP)
	$(BIN)/python -m benchmarks --book

# clean keeps the result cache and the sweep's kept runs (hours of full-scale work, each
# keyed so it is never stale); distclean removes them too
clean:
	rm -rf $(filter-out _build/cache _build/sweep,$(wildcard _build/* _build/.[!.]*)) \
	    $(CHAPTERS:%=book/%.ipynb)

distclean: clean
	rm -rf _build

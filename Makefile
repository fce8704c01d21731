# Each target is one call of the command line through the project's environment; pass flags with
# ARGS, e.g. `make evaluate RUN=runs/NAME ARGS="--set evaluation.benchmarks=[medtune_mcq]"`.
ARGS ?=
RUN ?= latest
.PHONY: train test data evaluate chat safety-report runs
train:  ## the dev training run (installs what it needs)
	bash scripts/train-dev.sh
test:   ## the whole test suite (installs what it needs)
	bash scripts/test.sh
data:   ## the data pipeline without training; report in reports/data
	bash scripts/medtune.sh data $(ARGS)
evaluate:  ## evaluate RUN (default: latest) against the base model; RUN/eval/report.md
	bash scripts/medtune.sh evaluate --run $(RUN) --base $(ARGS)
chat:   ## the chat demo behind the safety layer (ARGS="--run latest" for a trained run)
	bash scripts/medtune.sh chat $(ARGS)
safety-report:  ## deferral on the shipped suites; exit 1 when a release gate fails
	bash scripts/medtune.sh safety-report $(ARGS)
runs:   ## the runs under training.output_dir, with their recipe, losses and status
	bash scripts/medtune.sh runs $(ARGS)

.PHONY: train test
train:  ## the dev training run (installs what it needs)
	bash scripts/train-dev.sh
test:   ## the whole test suite (installs what it needs)
	bash scripts/test.sh

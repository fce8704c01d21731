"""`medtune evaluate`: how much better the fine-tuned model is than the base, on the run's own data.

For an opened run (:func:`medtune.runs.open_run`) it measures, for the fine-tuned model and
(with ``include_base``) the base model:

1. eval loss and perplexity on the run's eval split, assistant tokens only, with the training
   masking (the split comes from the run's saved config, so it is the split training held out);
2. generation quality on a sample of that split: ROUGE-L and BLEU against the reference answer,
   mean answer length, and the share of answers that close their turn with ``<|end|>``;
3. multiple-choice accuracy (``evaluation.mcq_path``) by option log-likelihood, with a 95% Wilson
   interval;

and writes ``RUN/eval/``: ``metrics.json``, ``report.md`` and PNG plots. Modules: ``loading``
(what is compared), ``measure`` (one model, every measure), ``render`` (table, report, plots),
``compare`` (:func:`evaluate_run`).
"""

from medtune.evaluate.compare import Evaluation, evaluate_run
from medtune.evaluate.loading import with_current_evaluation
from medtune.evaluate.render import metrics_table

__all__ = ["Evaluation", "evaluate_run", "metrics_table", "with_current_evaluation"]

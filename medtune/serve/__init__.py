"""`medtune serve`: the OpenAI chat-completions API behind the safety layer (docs/serving.md).

- :mod:`~medtune.serve.protocol`  the protocol: request validation, responses, stream chunks,
  error bodies, the ``safety`` object
- :mod:`~medtune.serve.backends`  where answers come from: the model in-process (transformers'
  continuous batching, or generate) or an upstream OpenAI-compatible server, always through the
  demo's guarded turn (:class:`~medtune.demo.engine.ChatEngine`)
- :mod:`~medtune.serve.app`       the Starlette app, its limits, and uvicorn

Importing this package imports neither torch nor a web framework.
"""

from medtune.serve.backends import Backend, open_backend

__all__ = ["Backend", "open_backend"]

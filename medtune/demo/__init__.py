"""`medtune chat`: the fine-tuned assistant behind the safety layer.

- :mod:`~medtune.demo.engine`  the model behind the guard, streaming, turn records (no Gradio)
- :mod:`~medtune.demo.target`  which weights to serve (a run, a merged export, the base) and the
  chat-template check
- :mod:`~medtune.demo.login`   per-client back-off on the login form (ASGI middleware)
- :mod:`~medtune.demo.page`    the Gradio page, :func:`~medtune.demo.page.launch` and
  :func:`~medtune.demo.page.serve`

Importing this package does not import Gradio; ``medtune.demo.page`` does.
"""

from medtune.demo.engine import ChatEngine, GenerationSettings, TurnRecord, history_messages
from medtune.demo.target import ChatTarget, check_template, load_target, select_target

__all__ = [
    "ChatEngine",
    "ChatTarget",
    "GenerationSettings",
    "TurnRecord",
    "check_template",
    "history_messages",
    "load_target",
    "select_target",
]

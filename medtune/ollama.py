"""An Ollama ``Modelfile`` for a GGUF export: Phi-4-mini's chat format and where it stops.

Ollama renders prompts with its own (Go) template, not the Jinja chat template inside the GGUF,
so the template here must produce exactly what the tokenizer's chat template produces:
``<|system|>...<|end|><|user|>...<|end|><|assistant|>`` with no newlines between turns. Ollama
puts the Modelfile's ``SYSTEM`` prompt first in ``.Messages`` when a request brings none, so one
loop over the messages covers both. Generation stops on ``<|end|>`` (end of turn) and on
``<|endoftext|>``.

A model served by Ollama alone is not behind medtune's safety layer: the Modelfile says so, and
``medtune serve --upstream http://127.0.0.1:11434/v1`` puts the layer in front of it.
"""

from __future__ import annotations

from medtune.phi4 import END, ENDOFTEXT

MODELFILE = "Modelfile"
STOP_TOKENS = (END, ENDOFTEXT)
# Every message as <|role|>content<|end|>, then the generation prompt; Go-template whitespace
# trimming ({{- ... }}) keeps the newlines of this source out of the prompt.
TEMPLATE = "{{- range .Messages }}<|{{ .Role }}|>{{ .Content }}<|end|>{{ end }}<|assistant|>"


def _quoted(text: str) -> str:
    if '"""' in text:
        raise ValueError('a Modelfile value cannot contain """')
    return f'"""{text}"""'


def modelfile(gguf_name: str, system_prompt: str | None = None) -> str:
    """The Modelfile text for ``gguf_name`` (a file in the same directory)."""
    lines = [
        "# Ollama Modelfile written by medtune: `ollama create NAME -f Modelfile`, then `ollama run NAME`.",
        "# Served by Ollama alone this model is NOT behind medtune's safety layer; for that, run",
        "#   medtune serve --upstream http://127.0.0.1:11434/v1",
        f"FROM ./{gguf_name}",
        f"TEMPLATE {_quoted(TEMPLATE)}",
    ]
    if system_prompt and system_prompt.strip():
        lines.append(f"SYSTEM {_quoted(system_prompt)}")
    lines += [f'PARAMETER stop "{t}"' for t in STOP_TOKENS]
    return "\n".join(lines) + "\n"

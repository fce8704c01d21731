"""Story: the guard can sit in front of the model without loading the ML stack."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HEAVY = ["torch", "transformers", "gradio", "numpy", "medtune", "yaml"]


def test_importing_and_using_safety_loads_nothing_heavy():
    code = (
        "import sys, json, safety\n"
        "g = safety.SafetyGuard(); g.check_input('I cannot breathe')\n"
        "s = safety.StreamGuard(g); s.feed('hi'); s.finish()\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO))
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=60, check=True)
    assert json.loads(run.stdout) == []

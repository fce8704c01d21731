"""medtune: fine-tune Phi-4-mini into a domain medical assistant that knows when to step aside.

The package reads as the story of a run: config -> data -> model -> train -> evaluation -> report.
Importing it is cheap; torch and transformers load only inside the commands that need them.
"""

__version__ = "0.1.0"

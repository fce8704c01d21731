"""Layered configuration, validated once at the edge.

- :mod:`~medtune.config.schema`   the typed :class:`Config` and readable schema errors
- :mod:`~medtune.config.layers`   files, ``base_template``, ``{stem}.{env}.yaml``, ``.env``, environment
  variables, ``--set``; the source of every value; named templates; :func:`load_config`
- :mod:`~medtune.config.aliases`  environment short names and keys of other tools' shapes, read as medtune's
- :mod:`~medtune.config.trainer_args` TrainingArguments / SFTConfig fields passed through ``training.*``
- :mod:`~medtune.config.checks`   pure cross-field checks that return problems and warnings
- :mod:`~medtune.config.hardware` checks that need torch; :func:`validate_all`, every problem at once
- :mod:`~medtune.config.render`   the config as annotated YAML, plain YAML, and its hash

Below this package, code receives a typed :class:`Config`, never a raw dict. Nothing heavy is
imported here: pydantic, yaml and the standard library only (torch inside hardware checks).
"""

from medtune.config.checks import check_config, fused_targets, is_phi3_family
from medtune.config.hardware import check_hardware, process_problems, validate_all
from medtune.config.layers import (
    DEFAULT_CONFIG_NAME,
    ENV_PREFIX,
    ENV_SHORT_NAMES,
    ResolvedConfig,
    _flatten,
    available_envs,
    cli_overrides,
    deep_merge,
    env_overrides,
    env_path_for,
    find_config,
    load_config,
    load_saved_config,
    named_templates,
    parse_value,
    read_layers,
    resolve_config,
    yaml_load,
)
from medtune.config.render import config_hash, dump_config, render_with_sources
from medtune.config.schema import (
    DEFAULT_SYSTEM_PROMPT,
    PHI3_FUSED_TARGETS,
    PHI3_TARGETS,
    AuditConfig,
    Config,
    ContentFilterConfig,
    DataConfig,
    DatasetSpec,
    DedupConfig,
    DemoConfig,
    DistributedConfig,
    EvaluationConfig,
    FineTuningConfig,
    FSDPConfig,
    LoggingConfig,
    LoraConfig,
    ModelConfig,
    QuantizationConfig,
    SafetyCategoryConfig,
    SafetyConfig,
    SafetyEvalConfig,
    Section,
    TrainingConfig,
    nearest_key,
)
from medtune.errors import ConfigError, MedtuneError

__all__ = [name for name in dir() if not name.startswith("__") and name not in (
    "aliases", "checks", "hardware", "layers", "render", "schema", "trainer_args")]

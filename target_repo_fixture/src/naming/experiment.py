"""MLflow experiment naming."""

from __future__ import annotations

from typing import Optional

from core.normalize import normalize_name
from naming.context_tokens import build_context, expand_tokens

__all__ = ["DEFAULT_EXPERIMENT_TEMPLATE", "build_experiment_name", "is_stage_experiment"]

DEFAULT_EXPERIMENT_TEMPLATE = "{project}-{stage}"
_MODEL_TEMPLATE = "{project}-{stage}-{model}"


def build_experiment_name(
    project: str,
    stage: str,
    model: Optional[str] = None,
    template: Optional[str] = None,
) -> str:
    """Experiment name for a project/stage (and optionally a model).

    >>> build_experiment_name("NER Project", "hpo", "BERT base")
    'ner-project-hpo-bert-base'
    """
    if not normalize_name(project) or not normalize_name(stage):
        raise ValueError("project and stage are required to build an experiment name")
    if template is None:
        template = _MODEL_TEMPLATE if model else DEFAULT_EXPERIMENT_TEMPLATE
    context = build_context(
        project=normalize_name(project),
        stage=normalize_name(stage),
        model=normalize_name(model) if model else None,
    )
    return expand_tokens(template, context)


def is_stage_experiment(experiment_name: str, project: str, stage: str) -> bool:
    """True when ``experiment_name`` was built for ``project``/``stage``."""
    prefix = build_experiment_name(project, stage)
    return experiment_name == prefix or experiment_name.startswith(prefix + "-")

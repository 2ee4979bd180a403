"""What the plots share: argument checks, finite filtering, param kinds (as Optuna's)."""

import math
import warnings

from hpo import logging
from hpo._core import StudyDirection
from hpo.distributions import CategoricalDistribution

_logger = logging.get_logger("hpo.visualization")


def check_plot_args(study, target, target_name):
    studies = study if isinstance(study, (list, tuple)) else [study]
    if target is None and any(len(s.directions) > 1 for s in studies):
        raise ValueError(
            "If the `study` is being used for multi-objective optimization, "
            "please specify the `target`."
        )
    if target is not None and target_name == "Objective Value":
        warnings.warn(
            "`target` is specified, but `target_name` is the default value, 'Objective Value'."
        )


def target_or_value(target):
    return target if target is not None else (lambda t: t.value)


def filter_nonfinite(trials, target=None, with_message=True):
    """The trials whose target (default: value) is a finite number."""
    target = target_or_value(target)
    kept = []
    for trial in trials:
        value = target(trial)
        try:
            value = float(value)
        except (TypeError, ValueError):
            warnings.warn(
                f"Trial{trial.number}'s target value {value!r} could not be cast to float."
            )
            raise
        if math.isfinite(value):
            kept.append(trial)
        elif with_message:
            _logger.warning(
                f"Trial {trial.number} is omitted in visualization because its objective value "
                "is inf or nan."
            )
    return kept


def is_log_scale(trials, param):
    for trial in trials:
        if param in trial.params:
            dist = trial.distributions[param]
            if getattr(dist, "log", False):
                return True
    return False


def is_categorical(trials, param):
    return any(isinstance(t.distributions[param], CategoricalDistribution)
               for t in trials if param in t.params)


def is_numerical(trials, param):
    return all(isinstance(t.params[param], (int, float)) and not isinstance(t.params[param], bool)
               for t in trials if param in t.params)


def is_reverse_scale(study, target):
    return target is not None or study.directions[0] == StudyDirection.MINIMIZE

"""Hyperparameter importance, with Optuna's API: get_param_importances(study, ...).

hpo measures importance by PED-ANOVA (Watanabe et al., IJCAI 2023), computed in C++
(importance/ped_anova.h): per param, the Pearson divergence between its distribution among the
top trials and among all trials. It needs no model fit, so it is fast and deterministic. Optuna's
fANOVA and mean-decrease-impurity evaluators fit random forests with scikit-learn; hpo does not
have them, and asking for one raises NotImplementedError.
"""

from collections import OrderedDict
import math
import warnings

from hpo import _core
from hpo._core import StudyDirection
from hpo._core import TrialState

_MULTI_OBJECTIVE_MESSAGE = (
    "If the `study` is being used for multi-objective optimization, please specify the "
    "`target`. For example, use `target=lambda t: t.values[0]` for the first objective value."
)


class BaseImportanceEvaluator:
    """An importance algorithm: evaluate(study, params=None, *, target=None) returns an
    OrderedDict param name -> importance (>= 0), highest first."""

    def evaluate(self, study, params=None, *, target=None):
        raise NotImplementedError


def _completed_trials(study, params):
    """The COMPLETE trials to assess (those holding every param of `params`), checked as
    Optuna checks them."""
    completed = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if len(completed) == 0:
        raise ValueError("Cannot evaluate parameter importances without completed trials.")
    if len(completed) == 1:
        raise ValueError("Cannot evaluate parameter importances with only a single trial.")
    if params is None:
        return completed
    if not isinstance(params, (list, tuple)):
        raise TypeError(f"Parameters must be specified as a list. Actual parameters: {params}.")
    if any(not isinstance(p, str) for p in params):
        raise TypeError(
            "Parameters must be specified by their names with strings. Actual parameters: "
            f"{params}."
        )
    trials = [t for t in completed if all(p in t.params for p in params)]
    if params and not trials:
        raise ValueError(
            "Study must contain completed trials with all specified parameters. "
            f"Specified parameters: {params}."
        )
    return trials


class PedAnovaImportanceEvaluator(BaseImportanceEvaluator):
    """PED-ANOVA (https://arxiv.org/abs/2304.10255), hpo's default evaluator.

    baseline_quantile: the top fraction of COMPLETE trials whose param distributions are
        examined (at least two trials), as in Optuna 4.
    evaluate_on_local: True (the default) compares the top trials with the trials of the study;
        Optuna's False (a uniform distribution over the search space) is not supported.
    region_quantile: hpo's extension from the paper: compare with the top `region_quantile`
        trials instead of all of them, i.e. which params matter within the good region.

    evaluate() returns the raw divergences; get_param_importances normalizes them. Given a
    `target`, lower target values count as better (as Optuna's PED-ANOVA does).
    """

    def __init__(self, *, baseline_quantile=0.1, evaluate_on_local=True, region_quantile=1.0):
        if not 0.0 < baseline_quantile <= 1.0:
            raise ValueError(f"baseline_quantile must be in (0, 1], got {baseline_quantile}.")
        if not evaluate_on_local:
            raise NotImplementedError(
                "PedAnovaImportanceEvaluator(evaluate_on_local=False) is not supported by hpo; "
                "use the default evaluate_on_local=True"
            )
        if not baseline_quantile <= region_quantile <= 1.0:
            raise ValueError(
                f"region_quantile must be in [baseline_quantile, 1] = [{baseline_quantile}, 1], "
                f"got {region_quantile}."
            )
        self._baseline_quantile = baseline_quantile
        self._region_quantile = region_quantile

    def evaluate(self, study, params=None, *, target=None):
        if target is None and len(study.directions) > 1:
            raise ValueError(_MULTI_OBJECTIVE_MESSAGE)
        trials = _completed_trials(study, params)
        if params is not None and len(params) == 0:
            return OrderedDict()
        if target is None:
            direction = study.directions[0]
            targets = [t.value for t in trials]
        else:
            warnings.warn(
                f"{self.__class__.__name__} computes the importances of params to achieve low "
                "`target` values. If this is not what you want, please modify target, e.g., by "
                "multiplying the output by -1."
            )
            direction = StudyDirection.MINIMIZE
            targets = [float(target(t)) for t in trials]
        if sum(1 for v in targets if math.isfinite(v)) < 2:
            raise ValueError(
                "Cannot evaluate parameter importances with fewer than two completed trials "
                "whose target value is finite."
            )
        pairs = _core._ped_anova_importances(
            trials, targets, direction, self._baseline_quantile, self._region_quantile,
            list(params or []), False,
        )
        return OrderedDict(pairs)


def _forest_evaluator_error(class_name):
    return NotImplementedError(
        f"{class_name} is not implemented in hpo: hpo computes importances with PED-ANOVA in "
        "C++; use hpo.importance.PedAnovaImportanceEvaluator (the default)"
    )


def _needs_scikit_forest(class_name):
    def __init__(self, *args, **kwargs):
        raise _forest_evaluator_error(class_name)

    return __init__


class FanovaImportanceEvaluator(BaseImportanceEvaluator):
    __init__ = _needs_scikit_forest("FanovaImportanceEvaluator")


class MeanDecreaseImpurityImportanceEvaluator(BaseImportanceEvaluator):
    __init__ = _needs_scikit_forest("MeanDecreaseImpurityImportanceEvaluator")


def get_param_importances(study, *, evaluator=None, params=None, target=None, normalize=True):
    """Importance of each param for the study's COMPLETE trials, as Optuna's function of the same
    name: an OrderedDict name -> importance, highest first, summing to 1 with `normalize`
    (equal shares when nothing tells the params apart). `params` limits the assessment to those
    params (and to the trials having them all); `target` (required for multi-objective studies)
    maps a FrozenTrial to the value to assess. The default evaluator is PED-ANOVA.
    """
    if evaluator is None:
        evaluator = PedAnovaImportanceEvaluator()
    # Optuna's own evaluator objects (an `optuna.importance.FanovaImportanceEvaluator()`).
    if type(evaluator).__name__ in ("FanovaImportanceEvaluator",
                                    "MeanDecreaseImpurityImportanceEvaluator"):
        raise _forest_evaluator_error(type(evaluator).__name__)
    if not isinstance(evaluator, BaseImportanceEvaluator):
        raise TypeError("Evaluator must be a subclass of BaseImportanceEvaluator.")
    result = evaluator.evaluate(study, params=params, target=target)
    if not normalize:
        return OrderedDict(result)
    total = sum(result.values())
    if total == 0.0:
        return OrderedDict((name, 1.0 / len(result)) for name in result)
    return OrderedDict((name, value / total) for name, value in result.items())


__all__ = [
    "BaseImportanceEvaluator",
    "FanovaImportanceEvaluator",
    "MeanDecreaseImpurityImportanceEvaluator",
    "PedAnovaImportanceEvaluator",
    "get_param_importances",
]

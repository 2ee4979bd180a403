"""Pruners with Optuna's class and argument names, built by the C++ factory."""

from hpo import _core
from hpo._factory import build


class BasePruner:
    """What every hpo pruner is an instance of. Subclassing it in Python is allowed, but
    create_study refuses such a pruner: only the factory's C++ pruners can run."""


class _FactoryPruner(_core.Pruner, BasePruner):
    pass


class NopPruner(_FactoryPruner):
    def __init__(self):
        build(_core.Pruner, self, "pruner", "nop", "NopPruner", {})


_PERCENTILE_DEFAULTS = {
    "n_startup_trials": 5,
    "n_warmup_steps": 0,
    "interval_steps": 1,
    "n_min_trials": 1,
}


class PercentilePruner(_FactoryPruner):
    def __init__(self, percentile, n_startup_trials=5, n_warmup_steps=0, interval_steps=1, *,
                 n_min_trials=1):
        build(
            _core.Pruner, self, "pruner", "percentile", "PercentilePruner",
            {"percentile": percentile, "n_startup_trials": n_startup_trials,
             "n_warmup_steps": n_warmup_steps, "interval_steps": interval_steps,
             "n_min_trials": n_min_trials},
            _PERCENTILE_DEFAULTS, required=("percentile",),
        )


class MedianPruner(_FactoryPruner):
    def __init__(self, n_startup_trials=5, n_warmup_steps=0, interval_steps=1, *,
                 n_min_trials=1):
        build(
            _core.Pruner, self, "pruner", "median", "MedianPruner",
            {"n_startup_trials": n_startup_trials, "n_warmup_steps": n_warmup_steps,
             "interval_steps": interval_steps, "n_min_trials": n_min_trials},
            _PERCENTILE_DEFAULTS,
        )


class SuccessiveHalvingPruner(_FactoryPruner):
    def __init__(self, min_resource="auto", reduction_factor=4, min_early_stopping_rate=0,
                 bootstrap_count=0):
        build(
            _core.Pruner, self, "pruner", "successive_halving", "SuccessiveHalvingPruner",
            {"min_resource": min_resource, "reduction_factor": reduction_factor,
             "min_early_stopping_rate": min_early_stopping_rate,
             "bootstrap_count": bootstrap_count},
            {"min_resource": "auto", "reduction_factor": 4, "min_early_stopping_rate": 0,
             "bootstrap_count": 0},
        )


class HyperbandPruner(_FactoryPruner):
    def __init__(self, min_resource=1, max_resource="auto", reduction_factor=3,
                 bootstrap_count=0):
        build(
            _core.Pruner, self, "pruner", "hyperband", "HyperbandPruner",
            {"min_resource": min_resource, "max_resource": max_resource,
             "reduction_factor": reduction_factor, "bootstrap_count": bootstrap_count},
            {"min_resource": 1, "max_resource": "auto", "reduction_factor": 3,
             "bootstrap_count": 0},
        )


class ThresholdPruner(_FactoryPruner):
    def __init__(self, lower=None, upper=None, n_warmup_steps=0, interval_steps=1):
        build(
            _core.Pruner, self, "pruner", "threshold", "ThresholdPruner",
            {"lower": lower, "upper": upper, "n_warmup_steps": n_warmup_steps,
             "interval_steps": interval_steps},
            {"n_warmup_steps": 0, "interval_steps": 1},
        )


class PatientPruner(_FactoryPruner):
    def __init__(self, wrapped_pruner, patience, min_delta=0.0):
        wrapped = None
        if wrapped_pruner is not None:
            wrapped = getattr(wrapped_pruner, "_hpo_spec", None)
            if wrapped is None:
                raise NotImplementedError(
                    "PatientPruner(wrapped_pruner=...) needs one of hpo.pruners' classes"
                )
        build(
            _core.Pruner, self, "pruner", "patient", "PatientPruner",
            {"wrapped_pruner": wrapped, "patience": patience, "min_delta": min_delta},
            {"min_delta": 0.0}, required=("patience",),
        )


__all__ = [
    "BasePruner",
    "HyperbandPruner",
    "MedianPruner",
    "NopPruner",
    "PatientPruner",
    "PercentilePruner",
    "SuccessiveHalvingPruner",
    "ThresholdPruner",
]

"""Trials: Trial (what the objective receives), FrozenTrial, TrialState, create_trial."""

from hpo._core import FrozenTrial
from hpo._core import Trial
from hpo._core import TrialState
from hpo._core import create_trial
from hpo._factory import not_implemented

BaseTrial = Trial


def _suggest_uniform(self, name, low, high):
    return self.suggest_float(name, low, high)


def _suggest_loguniform(self, name, low, high):
    return self.suggest_float(name, low, high, log=True)


def _suggest_discrete_uniform(self, name, low, high, q):
    return self.suggest_float(name, low, high, step=q)


# Optuna 3.x keeps these deprecated spellings; they map onto suggest_float.
Trial.suggest_uniform = _suggest_uniform
Trial.suggest_loguniform = _suggest_loguniform
Trial.suggest_discrete_uniform = _suggest_discrete_uniform


class FixedTrial:
    __init__ = not_implemented("trial.FixedTrial")


__all__ = ["BaseTrial", "FixedTrial", "FrozenTrial", "Trial", "TrialState", "create_trial"]

"""hpo: hyperparameter optimization on a C++ engine, with Optuna's Python API.

    import hpo as optuna
    study = optuna.create_study(direction="minimize")
    study.optimize(lambda t: (t.suggest_float("x", -10, 10) - 2) ** 2, n_trials=100)
"""

from hpo import _core
from hpo import exceptions

_core._register_exceptions(exceptions)

from hpo import distributions  # noqa: E402
from hpo import importance  # noqa: E402
from hpo import logging  # noqa: E402
from hpo import pruners  # noqa: E402
from hpo import samplers  # noqa: E402
from hpo import storages  # noqa: E402
from hpo import trial  # noqa: E402
from hpo import visualization  # noqa: E402
from hpo import study  # noqa: E402
from hpo.exceptions import TrialPruned  # noqa: E402
from hpo.study import Study  # noqa: E402
from hpo.study import copy_study  # noqa: E402
from hpo.study import create_study  # noqa: E402
from hpo.study import delete_study  # noqa: E402
from hpo.study import get_all_study_names  # noqa: E402
from hpo.study import get_all_study_summaries  # noqa: E402
from hpo.study import load_study  # noqa: E402
from hpo.trial import create_trial  # noqa: E402
from hpo.trial import FrozenTrial  # noqa: E402
from hpo.trial import Trial  # noqa: E402
from hpo.trial import TrialState  # noqa: E402

__version__ = "0.1.0"

# Optuna modules hpo does not have: using one says so instead of an AttributeError.
_NOT_IMPLEMENTED_MODULES = ("artifacts", "cli", "integration", "multi_objective", "search_space",
                            "terminator")


def __getattr__(name):
    if name in _NOT_IMPLEMENTED_MODULES:
        raise NotImplementedError(f"optuna.{name} is not implemented in hpo")
    raise AttributeError(f"module 'hpo' has no attribute '{name}'")

__all__ = [
    "Study",
    "Trial",
    "FrozenTrial",
    "TrialPruned",
    "TrialState",
    "copy_study",
    "create_study",
    "create_trial",
    "delete_study",
    "distributions",
    "exceptions",
    "get_all_study_names",
    "get_all_study_summaries",
    "importance",
    "load_study",
    "logging",
    "pruners",
    "samplers",
    "storages",
    "study",
    "trial",
    "visualization",
]

"""Parameter distributions, with Optuna's class names and arguments."""

from hpo._core import CategoricalDistribution
from hpo._core import FloatDistribution
from hpo._core import IntDistribution
from hpo._core import distribution_to_json
from hpo._core import json_to_distribution

BaseDistribution = (FloatDistribution, IntDistribution, CategoricalDistribution)

__all__ = [
    "BaseDistribution",
    "CategoricalDistribution",
    "FloatDistribution",
    "IntDistribution",
    "distribution_to_json",
    "json_to_distribution",
]

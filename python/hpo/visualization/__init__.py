"""Optuna's plotly figures for hpo studies: `hpo.visualization.plot_optimization_history(study)`.

The functions take the same arguments as Optuna 3.1's and return plotly figures with the same
traces, names and axis titles, so a notebook switches with `import hpo as optuna`. plotly is
imported when a figure is drawn (Debian: python3-plotly); without it the call raises an
ImportError that says so. Importances come from hpo.importance (PED-ANOVA).
"""

from hpo.visualization._contour import plot_contour
from hpo.visualization._edf import plot_edf
from hpo.visualization._intermediate_values import plot_intermediate_values
from hpo.visualization._optimization_history import plot_optimization_history
from hpo.visualization._parallel_coordinate import plot_parallel_coordinate
from hpo.visualization._param_importances import plot_param_importances
from hpo.visualization._pareto_front import plot_pareto_front
from hpo.visualization._plotly import is_available
from hpo.visualization._slice import plot_slice

# Optuna names hpo does not draw: using one says so instead of an AttributeError.
_NOT_IMPLEMENTED = ("plot_terminator_improvement", "matplotlib")


def __getattr__(name):
    if name in _NOT_IMPLEMENTED:
        raise NotImplementedError(f"optuna.visualization.{name} is not implemented in hpo")
    raise AttributeError(f"module 'hpo.visualization' has no attribute '{name}'")


__all__ = [
    "is_available",
    "plot_contour",
    "plot_edf",
    "plot_intermediate_values",
    "plot_optimization_history",
    "plot_parallel_coordinate",
    "plot_param_importances",
    "plot_pareto_front",
    "plot_slice",
]

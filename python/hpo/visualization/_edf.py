"""plot_edf: the empirical distribution function of the objective, one line per study."""

import numpy as np

from hpo._core import TrialState
from hpo.visualization import _plotly
from hpo.visualization._utils import _logger
from hpo.visualization._utils import check_plot_args
from hpo.visualization._utils import filter_nonfinite
from hpo.visualization._utils import target_or_value

# Points on the x axis, evenly spaced over every study's range of values (Optuna's count).
_N_POINTS = 100


def plot_edf(study, *, target=None, target_name="Objective Value"):
    """For each study (one or a list), the fraction of its finite COMPLETE trials whose target
    is at most x, named after the study."""
    go = _plotly.go()
    studies = list(study) if isinstance(study, (list, tuple)) else [study]
    check_plot_args(studies, target, target_name)
    layout = go.Layout(title="Empirical Distribution Function Plot", xaxis={"title": target_name},
                       yaxis={"title": "Cumulative Probability"})
    if not studies:
        _logger.warning("There are no studies.")
        return go.Figure(data=[], layout=layout)
    value = target_or_value(target)
    per_study = []
    for s in studies:
        trials = filter_nonfinite(s.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)),
                                  target=target)
        per_study.append((s.study_name, np.array([value(t) for t in trials])))
    if all(values.size == 0 for _, values in per_study):
        _logger.warning("There are no complete trials.")
        return go.Figure(data=[], layout=layout)
    every = np.concatenate([values for _, values in per_study])
    x = np.linspace(np.min(every), np.max(every), _N_POINTS)
    traces = []
    for name, values in per_study:
        y = np.sum(values[:, np.newaxis] <= x, axis=0) / values.size
        traces.append(go.Scatter(x=x, y=y, name=name, mode="lines"))
    figure = go.Figure(data=traces, layout=layout)
    figure.update_yaxes(range=[0, 1])
    return figure

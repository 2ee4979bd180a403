"""plot_optimization_history: every COMPLETE trial's value and the best value so far."""

import statistics

from hpo._core import StudyDirection
from hpo._core import TrialState
from hpo.visualization import _plotly
from hpo.visualization._utils import _logger
from hpo.visualization._utils import check_plot_args


def _series(study, target, label, best_label):
    """(trial numbers, values, best-so-far values or None) of one study."""
    trials = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    numbers = [t.number for t in trials]
    if target is not None:
        # Which direction is better is unknown for a user's target: no best line.
        return numbers, [target(t) for t in trials], None, label, best_label
    values = [t.value for t in trials]
    pick = min if study.directions[0] == StudyDirection.MINIMIZE else max
    best, best_so_far = None, []
    for v in values:
        best = v if best is None else pick(best, v)
        best_so_far.append(best)
    return numbers, values, best_so_far, label, best_label


def _mean_std_by_number(series, use_best):
    by_number = {}
    for numbers, values, best, _, _ in series:
        for n, v in zip(numbers, best if use_best else values):
            by_number.setdefault(n, []).append(v)
    numbers = sorted(by_number)
    means = [statistics.fmean(by_number[n]) for n in numbers]
    stds = [statistics.pstdev(by_number[n]) for n in numbers]
    return numbers, means, stds


def plot_optimization_history(study, *, target=None, target_name="Objective Value",
                              error_bar=False):
    """Scatter of each COMPLETE trial's value by trial number, and the best value so far as a
    line ("Best Value"; not drawn with a custom `target`). `study` may be a list of studies:
    one pair of traces each, or with error_bar=True their mean and standard deviation."""
    go = _plotly.go()
    check_plot_args(study, target, target_name)
    studies = list(study) if isinstance(study, (list, tuple)) else [study]
    series = []
    for s in studies:
        one = len(studies) == 1
        series.append(_series(s, target,
                              target_name if one else f"{target_name} of {s.study_name}",
                              "Best Value" if one else f"Best Value of {s.study_name}"))
    if not studies:
        _logger.warning("There are no studies.")
    if sum(len(s[0]) for s in series) == 0:
        _logger.warning("There are no complete trials.")
        series = []

    layout = go.Layout(title="Optimization History Plot", xaxis={"title": "Trial"},
                       yaxis={"title": target_name})
    traces = []
    if error_bar and series:
        numbers, means, stds = _mean_std_by_number(series, use_best=False)
        traces.append(go.Scatter(x=numbers, y=means, mode="markers", name=target_name,
                                 error_y={"type": "data", "array": stds, "visible": True}))
        if target is None:
            numbers, best, best_stds = _mean_std_by_number(series, use_best=True)
            traces.append(go.Scatter(x=numbers, y=best, name="Best Value"))
            traces.append(go.Scatter(x=numbers, y=[m + s for m, s in zip(best, best_stds)],
                                     mode="lines", line={"width": 0.01}, showlegend=False))
            traces.append(go.Scatter(x=numbers, y=[m - s for m, s in zip(best, best_stds)],
                                     mode="none", showlegend=False, fill="tonexty",
                                     fillcolor="rgba(255,0,0,0.2)"))
        return go.Figure(data=traces, layout=layout)

    for numbers, values, best, label, best_label in series:
        traces.append(go.Scatter(x=numbers, y=values, mode="markers", name=label))
        if best is not None:
            traces.append(go.Scatter(x=numbers, y=best, name=best_label))
    return go.Figure(data=traces, layout=layout)

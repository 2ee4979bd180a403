"""plot_parallel_coordinate: one vertical axis per param, a line per trial."""

import math

import numpy as np

from hpo._core import TrialState
from hpo.visualization import _plotly
from hpo.visualization._utils import _logger
from hpo.visualization._utils import check_plot_args
from hpo.visualization._utils import filter_nonfinite
from hpo.visualization._utils import is_categorical
from hpo.visualization._utils import is_log_scale
from hpo.visualization._utils import is_numerical
from hpo.visualization._utils import is_reverse_scale
from hpo.visualization._utils import target_or_value


def _truncate(label):
    return label if len(label) < 20 else f"{label[:17]}..."


def _param_dimension(trials, name, values):
    """The plotly dimension of one param, and whether it is a numeric categorical (whose trials
    are then sorted so its lines do not cross needlessly, as Optuna does)."""
    if is_log_scale(trials, name):
        logs = [math.log10(v) for v in values]
        low, high = min(logs), max(logs)
        ticks = list(range(math.ceil(low), math.ceil(high)))
        if low not in ticks:
            ticks = [low] + ticks
        if high not in ticks:
            ticks = ticks + [high]
        return {"label": _truncate(name), "values": tuple(logs), "range": (low, high),
                "tickvals": ticks, "ticktext": [f"{math.pow(10, x):.3g}" for x in ticks]}, False
    if is_categorical(trials, name):
        vocabulary = {}
        numeric = is_numerical(trials, name)
        for v in (sorted(values) if numeric else values):
            vocabulary.setdefault(v, len(vocabulary))
        codes = [vocabulary[v] for v in values]
        return {"label": _truncate(name), "values": tuple(codes), "range": (min(codes), max(codes)),
                "tickvals": list(range(len(vocabulary))),
                "ticktext": [str(v) for v in vocabulary]}, numeric
    return {"label": _truncate(name), "values": tuple(values),
            "range": (min(values), max(values))}, False


def plot_parallel_coordinate(study, params=None, *, target=None, target_name="Objective Value"):
    """The objective axis first, then one axis per param (sorted by name; `params` picks some),
    one line per finite COMPLETE trial that has every plotted param, coloured by the objective
    (dark = good)."""
    go = _plotly.go()
    check_plot_args(study, target, target_name)
    layout = go.Layout(title="Parallel Coordinate Plot")
    reverse_scale = is_reverse_scale(study, target)
    trials = filter_nonfinite(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)),
                              target=target)
    all_params = {name for t in trials for name in t.params}
    if params is not None:
        for name in params:
            if name not in all_params:
                raise ValueError(f"Parameter {name} does not exist in your study.")
        all_params = set(params)
    names = sorted(all_params)
    if not trials:
        _logger.warning("Your study does not have any completed trials.")
        return go.Figure(data=[], layout=layout)
    used = [t for t in trials if all(n in t.params for n in names)]
    if not used:
        _logger.warning("Your study has only completed trials with missing parameters.")
        return go.Figure(data=[], layout=layout)
    if not names:
        return go.Figure(data=[], layout=layout)

    value = target_or_value(target)
    objectives = [value(t) for t in used]
    dims = [{"label": target_name, "values": tuple(objectives),
             "range": (min(objectives), max(objectives))}]
    sort_by = []
    for name in names:
        dim, numeric_categorical = _param_dimension(trials, name, [t.params[name] for t in used])
        dims.append(dim)
        if numeric_categorical:
            sort_by.append(len(dims) - 1)
    if sort_by:
        order = np.lexsort([dims[i]["values"] for i in sort_by][::-1])
        for dim in dims:
            dim["values"] = tuple(np.array(dim["values"])[order])

    line = {"color": dims[0]["values"], "colorscale": _plotly.color_scale(),
            "colorbar": {"title": target_name}, "showscale": True,
            "reversescale": reverse_scale}
    trace = go.Parcoords(dimensions=dims, labelangle=30, labelside="bottom", line=line)
    return go.Figure(data=[trace], layout=layout)

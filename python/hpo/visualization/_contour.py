"""plot_contour: the objective over every pair of params, as filled contours with the trials."""

import math

from hpo._core import TrialState
from hpo.visualization import _plotly
from hpo.visualization._utils import _logger
from hpo.visualization._utils import check_plot_args
from hpo.visualization._utils import filter_nonfinite
from hpo.visualization._utils import is_log_scale
from hpo.visualization._utils import is_numerical
from hpo.visualization._utils import is_reverse_scale
from hpo.visualization._utils import target_or_value

# Room left around the trials on each axis, as a fraction of their span.
_PADDING = 0.05


class _Axis:
    """One param as a contour axis: each trial's value (None when absent; categoricals as
    strings), the sorted distinct values (numeric axes padded by one point on each side), the
    drawn range, and whether the axis is log or categorical."""

    def __init__(self, trials, name):
        self.name = name
        numeric = is_numerical(trials, name)
        if numeric:
            self.values = [t.params.get(name) for t in trials]
        else:
            self.values = [str(t.params[name]) if name in t.params else None for t in trials]
        present = [v for v in self.values if v is not None]
        self.is_log = is_log_scale(trials, name)
        self.is_cat = not numeric and not self.is_log
        if self.is_log:
            low, high = math.log10(min(present)), math.log10(max(present))
            pad = (high - low) * _PADDING
            low, high = math.pow(10, low - pad), math.pow(10, high + pad)
        elif numeric:
            low, high = float(min(present)), float(max(present))
            pad = (high - low) * _PADDING
            low, high = low - pad, high + pad
        else:
            span = len(set(present)) - 1
            low, high = -span * _PADDING, span + span * _PADDING
        self.range = (low, high)
        self.indices = sorted(set(present))
        if len(self.indices) >= 2 and numeric:
            self.indices = [low] + self.indices + [high]


def _z_grid(trials, x, y, target):
    """The target of each trial at its (x, y) cell; NaN elsewhere (plotly fills the gaps)."""
    z = [[float("nan")] * len(x.indices) for _ in y.indices]
    if x.name == y.name or len(x.indices) < 2 or len(y.indices) < 2:
        if x.name != y.name:
            short = x if len(x.indices) < 2 else y
            _logger.warning(f"Param {short.name} unique value length is less than 2.")
        return z, False
    for i, trial in enumerate(trials):
        if x.name in trial.params and y.name in trial.params:
            z[y.indices.index(y.values[i])][x.indices.index(x.values[i])] = target(trial)
    return z, True


def _pair(go, trials, x, y, target, reverse_scale, target_name):
    z, drawable = _z_grid(trials, x, y, target)
    if not drawable:
        return go.Contour(), go.Scatter()
    points = [(a, b) for a, b in zip(x.values, y.values) if a is not None and b is not None]
    contour = go.Contour(
        x=x.indices, y=y.indices, z=z, colorbar={"title": target_name},
        colorscale=_plotly.color_scale(), connectgaps=True, contours_coloring="heatmap",
        hoverinfo="none", line_smoothing=1.3, reversescale=reverse_scale)
    scatter = go.Scatter(
        x=[a for a, _ in points], y=[b for _, b in points],
        marker={"line": {"width": 2.0, "color": "Grey"}, "color": "black"}, mode="markers",
        showlegend=False)
    return contour, scatter


def _style_axes(figure, x, y, **cell):
    figure.update_xaxes(range=x.range, **cell)
    figure.update_yaxes(range=y.range, **cell)
    if x.is_cat:
        figure.update_xaxes(type="category", **cell)
    if y.is_cat:
        figure.update_yaxes(type="category", **cell)
    if x.is_log:
        figure.update_xaxes(range=[math.log10(p) for p in x.range], type="log", **cell)
    if y.is_log:
        figure.update_yaxes(range=[math.log10(p) for p in y.range], type="log", **cell)


def plot_contour(study, params=None, *, target=None, target_name="Objective Value"):
    """For two params (sorted by name; `params` picks them), a contour of the target over them
    with the trials as black points; for more, a matrix of such plots, one per pair."""
    go = _plotly.go()
    check_plot_args(study, target, target_name)
    layout = go.Layout(title="Contour Plot")
    trials = filter_nonfinite(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)),
                              target=target)
    all_params = {name for t in trials for name in t.params}
    if not trials:
        _logger.warning("Your study does not have any completed trials.")
        names = []
    elif params is None:
        names = sorted(all_params)
    else:
        if len(params) <= 1:
            _logger.warning("The length of params must be greater than 1.")
        for name in params:
            if name not in all_params:
                raise ValueError(f"Parameter {name} does not exist in your study.")
        names = sorted(set(params))
    if len(names) <= 1:
        return go.Figure(data=[], layout=layout)

    value = target_or_value(target)
    reverse_scale = is_reverse_scale(study, target)
    axes = {name: _Axis(trials, name) for name in names}
    if len(names) == 2:
        x, y = axes[names[0]], axes[names[1]]
        figure = go.Figure(data=list(_pair(go, trials, x, y, value, reverse_scale, target_name)),
                           layout=layout)
        figure.update_xaxes(title_text=x.name)
        figure.update_yaxes(title_text=y.name)
        _style_axes(figure, x, y)
        return figure

    n = len(names)
    figure = _plotly.make_subplots(rows=n, cols=n, shared_xaxes=True, shared_yaxes=True)
    figure.update_layout(layout)
    showscale = True  # one colour bar for the whole matrix
    for col, x_name in enumerate(names, start=1):
        for row, y_name in enumerate(names, start=1):
            x, y = axes[x_name], axes[y_name]
            if x_name == y_name:
                figure.add_trace(go.Scatter(), row=row, col=col)
            else:
                contour, scatter = _pair(go, trials, x, y, value, reverse_scale, target_name)
                contour.update(showscale=showscale)
                showscale = False
                figure.add_trace(contour, row=row, col=col)
                figure.add_trace(scatter, row=row, col=col)
            _style_axes(figure, x, y, row=row, col=col)
            if col == 1:
                figure.update_yaxes(title_text=y_name, row=row, col=col)
            if row == n:
                figure.update_xaxes(title_text=x_name, row=row, col=col)
    return figure

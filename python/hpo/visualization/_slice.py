"""plot_slice: the objective against each param, one panel per param, coloured by trial."""

from hpo._core import TrialState
from hpo.visualization import _plotly
from hpo.visualization._utils import _logger
from hpo.visualization._utils import check_plot_args
from hpo.visualization._utils import filter_nonfinite
from hpo.visualization._utils import is_log_scale
from hpo.visualization._utils import target_or_value


def _scatter(go, trials, param, target):
    having = [t for t in trials if param in t.params]
    x = [t.params[param] for t in having]
    return go.Scatter(
        x=[v if v is not None else "None" for v in x],
        y=[target(t) for t in having],
        mode="markers",
        marker={
            "line": {"width": 0.5, "color": "Grey"},
            "color": [t.number for t in having],
            "colorscale": _plotly.color_scale(),
            "colorbar": {"title": "Trial", "x": 1.0, "xpad": 40},
        },
        showlegend=False,
    )


def plot_slice(study, params=None, *, target=None, target_name="Objective Value"):
    """One scatter per param (sorted by name; `params` picks some), x the param's value (log axis
    for log params), y the target of each finite COMPLETE trial, colour the trial number."""
    go = _plotly.go()
    check_plot_args(study, target, target_name)
    layout = go.Layout(title="Slice Plot")
    trials = filter_nonfinite(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)),
                              target=target)
    if not trials:
        _logger.warning("Your study does not have any completed trials.")
        return go.Figure(data=[], layout=layout)
    all_params = {name for t in trials for name in t.params}
    if params is None:
        names = sorted(all_params)
    else:
        for name in params:
            if name not in all_params:
                raise ValueError(f"Parameter {name} does not exist in your study.")
        names = sorted(set(params))
    value = target_or_value(target)

    if len(names) == 1:
        figure = go.Figure(data=[_scatter(go, trials, names[0], value)], layout=layout)
        figure.update_xaxes(title_text=names[0])
        figure.update_yaxes(title_text=target_name)
        if is_log_scale(trials, names[0]):
            figure.update_xaxes(type="log")
        return figure

    figure = _plotly.make_subplots(rows=1, cols=len(names), shared_yaxes=True)
    figure.update_layout(layout)
    for column, name in enumerate(names, start=1):
        trace = _scatter(go, trials, name, value)
        trace.update(marker={"showscale": column == 1})  # one colour bar is enough
        figure.add_trace(trace, row=1, col=column)
        figure.update_xaxes(title_text=name, row=1, col=column)
        if column == 1:
            figure.update_yaxes(title_text=target_name, row=1, col=column)
        if is_log_scale(trials, name):
            figure.update_xaxes(type="log", row=1, col=column)
    if len(names) > 3:
        figure.update_layout(width=300 * len(names))
    return figure

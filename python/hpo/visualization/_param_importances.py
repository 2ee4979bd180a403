"""plot_param_importances: a horizontal bar per param, the most important at the top."""

from hpo import importance
from hpo._core import TrialState
from hpo.visualization import _plotly
from hpo.visualization._utils import _logger
from hpo.visualization._utils import check_plot_args
from hpo.visualization._utils import filter_nonfinite


def _distribution_name(study, param):
    for trial in study.trials:
        if param in trial.distributions:
            return type(trial.distributions[param]).__name__
    return ""


def plot_param_importances(study, evaluator=None, params=None, *, target=None,
                           target_name="Objective Value"):
    """The importances of hpo.importance.get_param_importances (PED-ANOVA by default) as bars,
    labelled with their value ("<0.01" below 0.01)."""
    go = _plotly.go()
    check_plot_args(study, target, target_name)
    layout = go.Layout(title="Hyperparameter Importances",
                       xaxis={"title": f"Importance for {target_name}"},
                       yaxis={"title": "Hyperparameter"}, showlegend=False)
    trials = filter_nonfinite(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)),
                              target=target)
    if not trials:
        _logger.warning("Study instance does not contain completed trials.")
        return go.Figure(data=[], layout=layout)

    importances = importance.get_param_importances(study, evaluator=evaluator, params=params,
                                                   target=target)
    # Plotly draws the first bar at the bottom: reverse, so the most important is on top.
    names = list(reversed(importances.keys()))
    values = [importances[n] for n in names]
    if not values:
        return go.Figure(data=[], layout=layout)
    labels = [f"{v:.2f}" if v >= 0.01 else "<0.01" for v in values]
    hover = [f"{n} ({_distribution_name(study, n)}): {v}<extra></extra>"
             for n, v in zip(names, values)]
    bar = go.Bar(x=values, y=names, text=labels, textposition="outside", cliponaxis=False,
                 hovertemplate=hover, marker_color=_plotly.color_scale()[-4], orientation="h")
    return go.Figure(data=[bar], layout=layout)

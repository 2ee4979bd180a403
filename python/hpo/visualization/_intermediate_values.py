"""plot_intermediate_values: the learning curve (reported values by step) of every trial."""

from hpo._core import TrialState
from hpo.visualization import _plotly
from hpo.visualization._utils import _logger


def plot_intermediate_values(study):
    """One line per COMPLETE, PRUNED or RUNNING trial that reported values ("Trial{number}").
    Unlike Optuna 3.1, pruned trials are marked: a dotted line and x markers."""
    go = _plotly.go()
    trials = study.get_trials(
        deepcopy=False, states=(TrialState.PRUNED, TrialState.COMPLETE, TrialState.RUNNING))
    reported = [t for t in trials if len(t.intermediate_values) > 0]
    if not trials:
        _logger.warning("Study instance does not contain trials.")
    elif not reported:
        _logger.warning(
            "You need to set up the pruning feature to utilize `plot_intermediate_values()`")

    layout = go.Layout(title="Intermediate Values Plot", xaxis={"title": "Step"},
                       yaxis={"title": "Intermediate Value"}, showlegend=False)
    traces = []
    for t in reported:
        steps = sorted(t.intermediate_values.items())
        trace = go.Scatter(
            x=tuple(step for step, _ in steps),
            y=tuple(value for _, value in steps),
            mode="lines+markers",
            marker={"maxdisplayed": 10},
            name=f"Trial{t.number}",
        )
        if t.state == TrialState.PRUNED:
            trace.update(marker={"symbol": "x"}, line={"dash": "dot"})
        traces.append(trace)
    return go.Figure(data=traces, layout=layout)

"""plot_pareto_front: the objectives of a multi-objective study against each other."""

import collections.abc
import json
import warnings

from hpo._core import StudyDirection
from hpo._core import TrialState
from hpo.visualization import _plotly
from hpo.visualization._utils import _logger


def _dominates(a, b, directions):
    """True if values `a` are at least as good as `b` in every objective and better in one."""
    signs = [1.0 if d == StudyDirection.MINIMIZE else -1.0 for d in directions]
    a = [s * v for s, v in zip(signs, a)]
    b = [s * v for s, v in zip(signs, b)]
    return all(x <= y for x, y in zip(a, b)) and any(x < y for x, y in zip(a, b))


def _front(trials, directions):
    return [t for t in trials
            if not any(_dominates(o.values, t.values, directions) for o in trials)]


def _hovertext(trial):
    def plain(v):
        try:
            json.dumps(v)
            return v
        except TypeError:
            return str(v)

    user_attrs = {k: plain(v) for k, v in trial.user_attrs.items()}
    text = json.dumps({"number": trial.number, "values": trial.values,
                       "params": {k: plain(v) for k, v in trial.params.items()},
                       **({"user_attrs": user_attrs} if user_attrs else {})}, indent=2)
    return text.replace("\n", "<br>")


def _marker(trials, include_dominated, kind):
    if kind == "infeasible":
        return {"color": "#cccccc"}
    if kind == "dominated":
        return {"line": {"width": 0.5, "color": "Grey"}, "color": [t.number for t in trials],
                "colorscale": "Blues", "colorbar": {"title": "Trial"}}
    return {"line": {"width": 0.5, "color": "Grey"}, "color": [t.number for t in trials],
            "colorscale": "Reds",
            "colorbar": {"title": "Best Trial", "x": 1.1 if include_dominated else 1,
                         "xpad": 40}}


def _scatter(go, n_targets, axis_order, with_values, hover_label, marker):
    coords = {axis: [v[axis_order[i]] for _, v in with_values]
              for i, axis in enumerate("xyz"[:n_targets])}
    kwargs = dict(text=[_hovertext(t) for t, _ in with_values], mode="markers",
                  hovertemplate=f"%{{text}}<extra>{hover_label}</extra>", marker=marker,
                  showlegend=False, **coords)
    return go.Scatter(**kwargs) if n_targets == 2 else go.Scatter3d(**kwargs)


def _check_axis_order(axis_order, n_targets):
    if len(axis_order) != n_targets:
        raise ValueError(
            f"Size of `axis_order` {axis_order}. Expect: {n_targets}, Actual: {len(axis_order)}.")
    if len(set(axis_order)) != n_targets:
        raise ValueError(f"Elements of given `axis_order` {axis_order} are not unique!.")
    if max(axis_order) > n_targets - 1:
        raise ValueError(f"Given `axis_order` {axis_order} contains invalid index "
                         f"{max(axis_order)} higher than {n_targets - 1}.")
    if min(axis_order) < 0:
        raise ValueError(f"Given `axis_order` {axis_order} contains invalid index "
                         f"{min(axis_order)} lower than 0.")


def plot_pareto_front(study, *, target_names=None, include_dominated_trials=True,
                      axis_order=None, constraints_func=None, targets=None):
    """COMPLETE trials of a 2- or 3-objective study (or 2-3 `targets`): the Pareto-optimal ones
    in red ("Best Trial"), the dominated ones in blue, infeasible ones (constraints_func > 0)
    in grey. Optuna 3.1's traces, in the same order."""
    go = _plotly.go()
    if axis_order is not None:
        warnings.warn("`axis_order` has been deprecated in v3.0.0. This feature will be removed "
                      "in v5.0.0.", FutureWarning)
    if targets is not None and axis_order is not None:
        raise ValueError("Using both `targets` and `axis_order` is not supported. "
                         "Use either `targets` or `axis_order`.")
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if constraints_func is not None:
        feasible = [t for t in complete if all(c <= 0.0 for c in constraints_func(t))]
        infeasible = [t for t in complete if t not in feasible]
        best = _front(feasible, study.directions)
        others = feasible
        if not best:
            _logger.warning("Your study does not have any completed and feasible trials.")
    else:
        infeasible = []
        best = list(study.best_trials)
        others = complete
        if not best:
            _logger.warning("Your study does not have any completed trials.")
    best_numbers = {t.number for t in best}
    dominated = [t for t in others if t.number not in best_numbers] \
        if include_dominated_trials else []

    if targets is None:
        if len(study.directions) not in (2, 3):
            raise ValueError(
                "`plot_pareto_front` function only supports 2 or 3 objective studies when using "
                "`targets` is `None`. Please use `targets` if your objective studies have more "
                "than 3 objectives.")
        targets = lambda t: t.values  # noqa: E731

    def with_values(trials):
        out = []
        for t in trials:
            v = targets(t)
            if not isinstance(v, collections.abc.Sequence):
                raise ValueError("`targets` should return a sequence of target values. your "
                                 f"`targets` returns {type(v)}")
            out.append((t, list(v)))
        return out

    best_v, dominated_v, infeasible_v = with_values(best), with_values(dominated), \
        with_values(infeasible)
    n_targets = next((len(group[0][1]) for group in (best_v, infeasible_v) if group), None)
    if n_targets is None:
        if target_names is not None:
            n_targets = len(target_names)
        elif targets is not None and len(study.directions) not in (2, 3):
            raise ValueError(
                "If `targets` is specified for empty studies, `target_names` must be specified.")
        else:
            n_targets = len(study.directions)
    if n_targets not in (2, 3):
        raise ValueError("`plot_pareto_front` function only supports 2 or 3 targets. you used "
                         f"{n_targets} targets now.")
    if target_names is None:
        target_names = [f"Objective {i}" for i in range(n_targets)]
    elif len(target_names) != n_targets:
        raise ValueError(f"The length of `target_names` is supposed to be {n_targets}.")
    if axis_order is None:
        axis_order = list(range(n_targets))
    else:
        _check_axis_order(axis_order, n_targets)

    include = include_dominated_trials
    if constraints_func is None:
        data = [
            _scatter(go, n_targets, axis_order, dominated_v, "Trial",
                     _marker([t for t, _ in dominated_v], include, "dominated")),
            _scatter(go, n_targets, axis_order, best_v, "Best Trial",
                     _marker([t for t, _ in best_v], include, "best")),
        ]
    else:
        data = [
            _scatter(go, n_targets, axis_order, infeasible_v, "Infeasible Trial",
                     _marker([], include, "infeasible")),
            _scatter(go, n_targets, axis_order, dominated_v, "Feasible Trial",
                     _marker([t for t, _ in dominated_v], include, "dominated")),
            _scatter(go, n_targets, axis_order, best_v, "Best Trial",
                     _marker([t for t, _ in best_v], include, "best")),
        ]
    names = [target_names[i] for i in axis_order]
    if n_targets == 2:
        layout = go.Layout(title="Pareto-front Plot", xaxis_title=names[0],
                           yaxis_title=names[1])
    else:
        layout = go.Layout(title="Pareto-front Plot",
                           scene={"xaxis_title": names[0], "yaxis_title": names[1],
                                  "zaxis_title": names[2]})
    return go.Figure(data=data, layout=layout)

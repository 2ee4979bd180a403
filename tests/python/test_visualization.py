"""hpo.visualization: Optuna 3.1's plotly figures, drawn from hpo studies.

Most tests draw the same trials with hpo and with Optuna 3.1 (the trials copied into an Optuna
study) and compare the whole figures, then check the numbers that matter directly.
"""

from collections import OrderedDict
import json
import math
import sys
import warnings

import pytest

import hpo
from hpo.trial import TrialState

pytest.importorskip("plotly")
optuna = pytest.importorskip("optuna")
optuna.logging.set_verbosity(optuna.logging.WARNING)

_STATES = {
    TrialState.COMPLETE: optuna.trial.TrialState.COMPLETE,
    TrialState.PRUNED: optuna.trial.TrialState.PRUNED,
    TrialState.FAIL: optuna.trial.TrialState.FAIL,
}


def to_optuna(study):
    """An Optuna study holding the same trials (same name, numbers, params, values, reports)."""
    copy = optuna.create_study(study_name=study.study_name,
                               directions=[d.name.lower() for d in study.directions])
    for t in study.trials:
        distributions = {
            name: optuna.distributions.json_to_distribution(
                hpo.distributions.distribution_to_json(d))
            for name, d in t.distributions.items()
        }
        copy.add_trial(optuna.trial.create_trial(
            state=_STATES[t.state], values=t.values, params=t.params,
            distributions=distributions, intermediate_values=dict(t.intermediate_values),
            user_attrs=t.user_attrs))
    return copy


def single_objective_study(direction="minimize", n=16):
    """Trials 3, 7, 11, 15 PRUNED and 5 FAIL; every trial reports 3 steps."""
    study = hpo.create_study(direction=direction, sampler=hpo.samplers.RandomSampler(seed=1))
    for i in range(n):
        t = study.ask()
        x = t.suggest_float("x", -5, 5)
        lr = t.suggest_float("lr", 1e-4, 1, log=True)
        c = t.suggest_categorical("c", ["a", "b"])
        k = t.suggest_int("k", 1, 4)
        for step in range(3):
            t.report(x * x / (step + 1), step)
        if i % 4 == 3:
            study.tell(t, state=TrialState.PRUNED)
        elif i == 5:
            study.tell(t, state=TrialState.FAIL)
        else:
            study.tell(t, x * x + math.log(lr) + (c == "a") + k)
    return study


@pytest.fixture(scope="module")
def study():
    return single_objective_study()


def complete(study):
    return [t for t in study.trials if t.state == TrialState.COMPLETE]


def same_figure(ours, theirs):
    """Asserts the two figures are equal as plotly JSON (numpy arrays become lists)."""
    a = ours if isinstance(ours, dict) else json.loads(ours.to_json())
    b = json.loads(theirs.to_json())
    assert a["layout"] == b["layout"]
    assert len(a["data"]) == len(b["data"])
    for trace_a, trace_b in zip(a["data"], b["data"]):
        assert trace_a == trace_b
    return a


def test_optimization_history_values_and_best_so_far(study):
    fig = same_figure(hpo.visualization.plot_optimization_history(study),
                      optuna.visualization.plot_optimization_history(to_optuna(study)))
    done = complete(study)
    assert len(fig["data"]) == 2
    values, best = fig["data"]
    assert values["name"] == "Objective Value" and values["mode"] == "markers"
    assert list(values["x"]) == [t.number for t in done] == [0, 1, 2, 4, 6, 8, 9, 10, 12, 13, 14]
    assert list(values["y"]) == [t.value for t in done]
    assert best["name"] == "Best Value"
    assert list(best["y"]) == [min(t.value for t in done[: i + 1]) for i in range(len(done))]
    assert fig["layout"]["title"]["text"] == "Optimization History Plot"
    assert fig["layout"]["xaxis"]["title"]["text"] == "Trial"
    assert fig["layout"]["yaxis"]["title"]["text"] == "Objective Value"


def test_optimization_history_when_maximizing_and_for_several_studies():
    up = single_objective_study("maximize")
    fig = same_figure(hpo.visualization.plot_optimization_history(up),
                      optuna.visualization.plot_optimization_history(to_optuna(up)))
    done = complete(up)
    assert list(fig["data"][1]["y"]) == [max(t.value for t in done[: i + 1])
                                         for i in range(len(done))]

    studies = [single_objective_study(n=8), single_objective_study(n=12)]
    copies = [to_optuna(s) for s in studies]  # Optuna names the traces by study name
    many = same_figure(hpo.visualization.plot_optimization_history(studies),
                       optuna.visualization.plot_optimization_history(copies))
    assert [t["name"] for t in many["data"]] == [
        f"Objective Value of {studies[0].study_name}", f"Best Value of {studies[0].study_name}",
        f"Objective Value of {studies[1].study_name}", f"Best Value of {studies[1].study_name}"]
    bars = same_figure(hpo.visualization.plot_optimization_history(studies, error_bar=True),
                       optuna.visualization.plot_optimization_history(copies, error_bar=True))
    assert len(bars["data"]) == 4
    assert bars["data"][0]["error_y"]["visible"] is True


def test_optimization_history_with_a_target_has_no_best_line(study):
    with pytest.warns(UserWarning, match="target_name"):
        fig = hpo.visualization.plot_optimization_history(study, target=lambda t: t.params["x"])
    assert len(fig.data) == 1
    assert list(fig.data[0].y) == [t.params["x"] for t in complete(study)]
    multi = hpo.create_study(directions=["minimize", "maximize"])
    with pytest.raises(ValueError, match="specify the `target`"):
        hpo.visualization.plot_optimization_history(multi)


def test_intermediate_values_one_line_per_reporting_trial_pruned_ones_marked(study):
    ours = hpo.visualization.plot_intermediate_values(study)
    theirs = optuna.visualization.plot_intermediate_values(to_optuna(study))
    reporting = [t for t in study.trials if t.state != TrialState.FAIL]
    assert [trace.name for trace in ours.data] == [f"Trial{t.number}" for t in reporting]
    pruned = {f"Trial{t.number}" for t in reporting if t.state == TrialState.PRUNED}
    assert pruned == {"Trial3", "Trial7", "Trial11", "Trial15"}
    for trace, expected in zip(ours.data, reporting):
        assert list(trace.x) == [0, 1, 2]
        assert list(trace.y) == [expected.intermediate_values[s] for s in range(3)]
        if trace.name in pruned:
            assert trace.line.dash == "dot" and trace.marker.symbol == "x"
        else:
            assert trace.line.dash is None and trace.marker.symbol is None
    # Apart from the marking, the figure is Optuna's.
    unmarked = json.loads(ours.to_json())
    for trace in unmarked["data"]:
        trace.pop("line", None)
        trace["marker"].pop("symbol", None)
    same_figure(unmarked, theirs)
    assert ours.layout.xaxis.title.text == "Step"
    assert ours.layout.yaxis.title.text == "Intermediate Value"


def test_slice_one_panel_per_param(study):
    fig = same_figure(hpo.visualization.plot_slice(study),
                      optuna.visualization.plot_slice(to_optuna(study)))
    assert len(fig["data"]) == 4  # c, k, lr, x: sorted by name
    done = complete(study)
    assert list(fig["data"][3]["x"]) == [t.params["x"] for t in done]
    assert list(fig["data"][3]["y"]) == [t.value for t in done]
    assert fig["layout"]["xaxis3"]["type"] == "log"  # lr
    one = same_figure(hpo.visualization.plot_slice(study, params=["lr"]),
                      optuna.visualization.plot_slice(to_optuna(study), params=["lr"]))
    assert len(one["data"]) == 1 and one["layout"]["xaxis"]["type"] == "log"
    with pytest.raises(ValueError, match="Parameter nope does not exist"):
        hpo.visualization.plot_slice(study, params=["nope"])


def test_parallel_coordinate_axes_and_lines(study):
    fig = same_figure(hpo.visualization.plot_parallel_coordinate(study),
                      optuna.visualization.plot_parallel_coordinate(to_optuna(study)))
    (trace,) = fig["data"]
    assert trace["type"] == "parcoords"
    dims = trace["dimensions"]
    assert [d["label"] for d in dims] == ["Objective Value", "c", "k", "lr", "x"]
    assert len(dims[0]["values"]) == len(complete(study))
    assert dims[1]["ticktext"] == ["a", "b"] or dims[1]["ticktext"] == ["b", "a"]
    assert dims[3]["values"] == pytest.approx([math.log10(t.params["lr"])
                                               for t in complete(study)])
    assert trace["line"]["reversescale"] is True  # minimize: low is good, drawn dark
    same_figure(hpo.visualization.plot_parallel_coordinate(study, params=["x", "k"]),
                optuna.visualization.plot_parallel_coordinate(to_optuna(study),
                                                              params=["x", "k"]))


def test_contour_of_two_params_and_the_matrix_of_all_pairs(study):
    two = same_figure(hpo.visualization.plot_contour(study, params=["x", "lr"]),
                      optuna.visualization.plot_contour(to_optuna(study), params=["x", "lr"]))
    contour, points = two["data"]
    assert contour["type"] == "contour" and points["type"] == "scatter"
    done = complete(study)
    # x axis: lr (sorted by name), padded by one point on each side of the trials' values.
    assert contour["x"][1:-1] == sorted(t.params["lr"] for t in done)
    assert points["y"] == [t.params["x"] for t in done]
    z_at = {(t.params["lr"], t.params["x"]): t.value for t in done}
    for (lr, x), value in z_at.items():
        assert contour["z"][contour["y"].index(x)][contour["x"].index(lr)] == value
    assert two["layout"]["xaxis"]["type"] == "log"
    matrix = same_figure(hpo.visualization.plot_contour(study),
                         optuna.visualization.plot_contour(to_optuna(study)))
    # 4 params: 12 off-diagonal cells of (contour, scatter) and 4 empty diagonal cells.
    assert len(matrix["data"]) == 12 * 2 + 4
    assert len(hpo.visualization.plot_contour(study, params=["x"]).data) == 0


class _HpoFixed(hpo.importance.BaseImportanceEvaluator):
    def evaluate(self, study, params=None, *, target=None):
        return OrderedDict([("x", 0.6), ("lr", 0.3), ("k", 0.095), ("c", 0.005)])


class _OptunaFixed(optuna.importance.BaseImportanceEvaluator):
    def evaluate(self, study, params=None, *, target=None):
        return OrderedDict([("x", 0.6), ("lr", 0.3), ("k", 0.095), ("c", 0.005)])


def test_param_importances_bars_by_importance(study):
    fig = same_figure(hpo.visualization.plot_param_importances(study, evaluator=_HpoFixed()),
                      optuna.visualization.plot_param_importances(to_optuna(study),
                                                                  evaluator=_OptunaFixed()))
    (bar,) = fig["data"]
    assert bar["orientation"] == "h"
    assert list(bar["y"]) == ["c", "k", "lr", "x"]  # most important drawn on top
    assert list(bar["x"]) == pytest.approx([0.005, 0.095, 0.3, 0.6])
    assert list(bar["text"]) == ["<0.01", "0.10", "0.30", "0.60"]
    assert fig["layout"]["xaxis"]["title"]["text"] == "Importance for Objective Value"


def test_param_importances_default_is_ped_anova():
    def objective(trial):
        a = trial.suggest_float("a", 0, 1)
        trial.suggest_float("b", 0, 1)
        return a

    s = hpo.create_study(sampler=hpo.samplers.RandomSampler(seed=4))
    s.optimize(objective, n_trials=100)
    fig = hpo.visualization.plot_param_importances(s)
    importances = hpo.importance.get_param_importances(s)
    assert list(fig.data[0].y) == ["b", "a"]
    assert list(fig.data[0].x) == [importances["b"], importances["a"]]
    assert fig.data[0].hovertemplate[1].startswith("a (FloatDistribution): ")


def two_objective_study(n_objectives=2):
    study = hpo.create_study(directions=["minimize"] * n_objectives,
                             sampler=hpo.samplers.RandomSampler(seed=6))

    def objective(trial):
        x = trial.suggest_float("x", 0, 5)
        y = trial.suggest_float("y", 0, 3)
        values = [4 * x * x + 4 * y * y, (x - 5) ** 2 + (y - 5) ** 2, x + y]
        return tuple(values[:n_objectives])

    study.optimize(objective, n_trials=30)
    return study


def test_pareto_front_best_and_dominated_trials():
    study = two_objective_study()
    fig = same_figure(hpo.visualization.plot_pareto_front(study),
                      optuna.visualization.plot_pareto_front(to_optuna(study)))
    dominated, best = fig["data"]
    best_numbers = sorted(t.number for t in study.best_trials)
    assert sorted(best["marker"]["color"]) == best_numbers
    assert len(best["x"]) + len(dominated["x"]) == 30
    assert fig["layout"]["xaxis"]["title"]["text"] == "Objective 0"
    assert "Best Trial" in best["hovertemplate"]
    same_figure(hpo.visualization.plot_pareto_front(study, include_dominated_trials=False,
                                                    target_names=["cost", "error"]),
                optuna.visualization.plot_pareto_front(to_optuna(study),
                                                       include_dominated_trials=False,
                                                       target_names=["cost", "error"]))
    three = two_objective_study(3)
    fig3 = same_figure(hpo.visualization.plot_pareto_front(three),
                       optuna.visualization.plot_pareto_front(to_optuna(three)))
    assert fig3["data"][0]["type"] == "scatter3d"

    def constraints(t):
        return [t.params["x"] - 2.5]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fig_c = same_figure(
            hpo.visualization.plot_pareto_front(study, constraints_func=constraints),
            optuna.visualization.plot_pareto_front(to_optuna(study),
                                                   constraints_func=constraints))
    infeasible = [t for t in study.trials if t.params["x"] > 2.5]
    assert len(fig_c["data"][0]["x"]) == len(infeasible)
    with pytest.raises(ValueError, match="2 or 3 objective"):
        hpo.visualization.plot_pareto_front(hpo.create_study())


def test_edf_one_line_per_study(study):
    fig = same_figure(hpo.visualization.plot_edf(study),
                      optuna.visualization.plot_edf(to_optuna(study)))
    (line,) = fig["data"]
    values = sorted(t.value for t in complete(study))
    assert line["x"][0] == values[0] and line["x"][-1] == values[-1]
    assert line["y"][0] == pytest.approx(1 / len(values)) and line["y"][-1] == 1.0
    other = single_objective_study("maximize", n=8)
    two = same_figure(hpo.visualization.plot_edf([study, other]),
                      optuna.visualization.plot_edf([to_optuna(study), to_optuna(other)]))
    assert [t["name"] for t in two["data"]] == [study.study_name, other.study_name]


def test_empty_studies_give_empty_figures():
    empty = hpo.create_study()
    for plot in (hpo.visualization.plot_optimization_history, hpo.visualization.plot_edf,
                 hpo.visualization.plot_contour,
                 hpo.visualization.plot_intermediate_values, hpo.visualization.plot_slice,
                 hpo.visualization.plot_parallel_coordinate,
                 hpo.visualization.plot_param_importances):
        assert len(plot(empty).data) == 0, plot.__name__


def test_missing_plotly_names_the_debian_package(study, monkeypatch):
    for name in list(sys.modules):
        if name == "plotly" or name.startswith("plotly."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "plotly", None)
    assert hpo.visualization.is_available() is False
    with pytest.raises(ImportError, match="python3-plotly"):
        hpo.visualization.plot_optimization_history(study)


def test_plots_hpo_lacks_say_so():
    with pytest.raises(NotImplementedError, match="matplotlib"):
        hpo.visualization.matplotlib
    with pytest.raises(AttributeError):
        hpo.visualization.no_such_plot

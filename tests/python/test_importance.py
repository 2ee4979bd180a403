"""hpo.importance: Optuna's get_param_importances over hpo's C++ PED-ANOVA."""

from collections import OrderedDict
import math

import pytest

import hpo
from hpo.importance import BaseImportanceEvaluator
from hpo.importance import PedAnovaImportanceEvaluator
from hpo.trial import TrialState


def six_params(trial):
    """Strong in x, then lr (in log space), weak in layers; opt, batch and dropout unused."""
    x = trial.suggest_float("x", -5, 5)
    lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    layers = trial.suggest_int("layers", 1, 8)
    trial.suggest_categorical("opt", ["adam", "sgd", "rmsprop"])
    trial.suggest_int("batch", 1, 1024, log=True)
    trial.suggest_float("dropout", 0.0, 0.5, step=0.05)
    return (x - 1) ** 2 + 2 * (math.log10(lr) + 3) ** 2 + 0.6 * abs(layers - 3)


def random_study(objective=six_params, n_trials=300, seed=0, **kwargs):
    study = hpo.create_study(sampler=hpo.samplers.RandomSampler(seed=seed), **kwargs)
    study.optimize(objective, n_trials=n_trials)
    return study


@pytest.fixture(scope="module")
def study():
    return random_study()


def test_params_that_matter_rank_first_in_order(study):
    importances = hpo.importance.get_param_importances(study)
    assert isinstance(importances, OrderedDict)
    assert list(importances)[:3] == ["x", "lr", "layers"]
    assert set(importances) == {"x", "lr", "layers", "opt", "batch", "dropout"}
    assert sum(importances.values()) == pytest.approx(1.0)
    assert importances["x"] + importances["lr"] > 0.8
    for unused in ("opt", "batch", "dropout"):
        assert 0.0 <= importances[unused] < 0.05
    values = list(importances.values())
    assert values == sorted(values, reverse=True)


def test_import_hpo_as_optuna_spelling(study):
    import hpo as optuna

    evaluator = optuna.importance.PedAnovaImportanceEvaluator(baseline_quantile=0.1)
    importances = optuna.importance.get_param_importances(study, evaluator=evaluator)
    assert importances == hpo.importance.get_param_importances(study)


def test_maximizing_the_negation_gives_the_same_importances(study):
    negated = random_study(lambda t: -six_params(t), direction="maximize")
    assert [t.params for t in negated.trials] == [t.params for t in study.trials]
    a = hpo.importance.get_param_importances(study)
    b = hpo.importance.get_param_importances(negated)
    assert list(a) == list(b)
    assert list(a.values()) == pytest.approx(list(b.values()), rel=1e-12)


def test_unnormalized_values_are_the_divergences_in_the_same_ratio(study):
    normalized = hpo.importance.get_param_importances(study)
    raw = hpo.importance.get_param_importances(study, normalize=False)
    total = sum(raw.values())
    assert total > 1.0
    assert list(raw) == list(normalized)
    for name in raw:
        assert raw[name] / total == pytest.approx(normalized[name], rel=1e-9)


def test_params_limits_the_assessment(study):
    importances = hpo.importance.get_param_importances(study, params=["dropout", "lr"])
    assert list(importances) == ["lr", "dropout"]
    assert sum(importances.values()) == pytest.approx(1.0)
    assert hpo.importance.get_param_importances(study, params=[]) == OrderedDict()
    with pytest.raises(TypeError, match="as a list"):
        hpo.importance.get_param_importances(study, params="lr")
    with pytest.raises(TypeError, match="names with strings"):
        hpo.importance.get_param_importances(study, params=[1])
    with pytest.raises(ValueError, match="all specified parameters"):
        hpo.importance.get_param_importances(study, params=["no_such_param"])


def test_conditional_params_count_only_where_present():
    def objective(trial):
        kind = trial.suggest_categorical("kind", ["linear", "tree"])
        if kind == "tree":
            depth = trial.suggest_int("depth", 1, 10)
            return abs(depth - 3) + trial.suggest_float("noise", 0, 1) * 0.01
        return 5.0 + trial.suggest_float("noise", 0, 1) * 0.01

    study = random_study(objective, n_trials=200, seed=3)
    default = hpo.importance.get_param_importances(study)
    assert set(default) == {"kind", "noise"}  # depth is not in every trial
    assert list(default)[0] == "kind"
    trees = hpo.importance.get_param_importances(study, params=["depth", "noise"])
    assert list(trees)[0] == "depth"
    assert trees["depth"] > 0.8


def test_only_complete_trials_count():
    def objective(trial):
        x = trial.suggest_float("x", 0, 1)
        y = trial.suggest_float("y", 0, 1)
        if trial.number % 5 == 4:
            raise hpo.TrialPruned()
        if trial.number % 7 == 6:
            raise RuntimeError("failed")
        return x + 0.001 * y

    study = hpo.create_study(sampler=hpo.samplers.RandomSampler(seed=5))
    study.optimize(objective, n_trials=150, catch=(RuntimeError,))
    states = {t.state for t in study.trials}
    assert {TrialState.PRUNED, TrialState.FAIL, TrialState.COMPLETE} <= states
    importances = hpo.importance.get_param_importances(study)
    assert list(importances) == ["x", "y"]
    assert importances["x"] > 0.9


def test_multi_objective_needs_a_target():
    def objective(trial):
        a = trial.suggest_float("a", 0, 1)
        b = trial.suggest_float("b", 0, 1)
        return a, b

    study = random_study(objective, n_trials=200, seed=2, directions=["minimize", "minimize"])
    with pytest.raises(ValueError, match=r"specify the `target`.*t\.values\[0\]"):
        hpo.importance.get_param_importances(study)
    with pytest.warns(UserWarning, match="low `target` values"):
        second = hpo.importance.get_param_importances(study, target=lambda t: t.values[1])
    assert list(second) == ["b", "a"]
    assert second["b"] > 0.9
    with pytest.warns(UserWarning):
        first = hpo.importance.get_param_importances(study, target=lambda t: t.values[0])
    assert list(first) == ["a", "b"]


def test_too_few_trials_are_errors():
    study = hpo.create_study()
    with pytest.raises(ValueError, match="without completed trials"):
        hpo.importance.get_param_importances(study)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    with pytest.raises(ValueError, match="only a single trial"):
        hpo.importance.get_param_importances(study)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    # Two trials are both "top" trials: nothing tells the params apart, equal shares as Optuna.
    assert hpo.importance.get_param_importances(study) == OrderedDict(x=1.0)


def test_forest_evaluators_say_they_are_not_implemented(study):
    with pytest.raises(NotImplementedError, match="FanovaImportanceEvaluator.*PED-ANOVA"):
        hpo.importance.FanovaImportanceEvaluator()
    with pytest.raises(NotImplementedError, match="MeanDecreaseImpurityImportanceEvaluator"):
        hpo.importance.MeanDecreaseImpurityImportanceEvaluator(seed=0)
    optuna = pytest.importorskip("optuna")
    with pytest.raises(NotImplementedError, match="PedAnovaImportanceEvaluator"):
        hpo.importance.get_param_importances(
            study, evaluator=optuna.importance.FanovaImportanceEvaluator())
    with pytest.raises(TypeError, match="BaseImportanceEvaluator"):
        hpo.importance.get_param_importances(study, evaluator=object())


def test_evaluator_options_and_custom_evaluators(study):
    wide = PedAnovaImportanceEvaluator(baseline_quantile=0.5)
    assert hpo.importance.get_param_importances(study, evaluator=wide) != \
        hpo.importance.get_param_importances(study)
    with pytest.raises(ValueError, match=r"baseline_quantile must be in \(0, 1\], got 0"):
        PedAnovaImportanceEvaluator(baseline_quantile=0)
    with pytest.raises(ValueError, match="region_quantile"):
        PedAnovaImportanceEvaluator(baseline_quantile=0.2, region_quantile=0.1)
    with pytest.raises(NotImplementedError, match="evaluate_on_local=False"):
        PedAnovaImportanceEvaluator(evaluate_on_local=False)

    class Fixed(BaseImportanceEvaluator):
        def evaluate(self, study, params=None, *, target=None):
            return OrderedDict([("b", 3.0), ("a", 1.0)])

    assert hpo.importance.get_param_importances(study, evaluator=Fixed()) == \
        OrderedDict([("b", 0.75), ("a", 0.25)])

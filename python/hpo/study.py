"""Study and the module functions that make, load and list studies, as in Optuna."""

import collections.abc
import gc
import math
import os
import warnings

from hpo import _core
from hpo import exceptions
from hpo import logging
from hpo import storages
from hpo._core import StudyDirection
from hpo._core import StudySummary
from hpo._core import TrialState

_logger = logging.get_logger("hpo.study")


def _direction_of(d):
    if isinstance(d, StudyDirection):
        return d
    if isinstance(d, str) and d.lower() in ("minimize", "maximize"):
        return StudyDirection.MINIMIZE if d.lower() == "minimize" else StudyDirection.MAXIMIZE
    raise ValueError(f"Please set either 'minimize' or 'maximize' to direction, got {d!r}.")


def _check_sampler(sampler):
    if sampler is not None and not isinstance(sampler, _core.Sampler):
        raise NotImplementedError(
            f"sampler {sampler!r} is not one of hpo.samplers' classes; custom samplers written "
            "in Python are not supported by hpo"
        )
    return sampler


def _check_pruner(pruner):
    if pruner is not None and not isinstance(pruner, _core.Pruner):
        raise NotImplementedError(
            f"pruner {pruner!r} is not one of hpo.pruners' classes; custom pruners written "
            "in Python are not supported by hpo"
        )
    return pruner


def _init(study, name, storage, sampler, pruner, directions, load_if_exists, create):
    storage = storages.get_storage(storage)
    _core.Study.__init__(
        study, name or "", storage, _check_sampler(sampler), _check_pruner(pruner),
        directions, load_if_exists, create,
    )
    study._storage_object = storage
    study._sampler_object = sampler
    study._pruner_object = pruner


def _log_finished(study, trial):
    if trial.state != TrialState.FAIL and not _logger.isEnabledFor(logging.INFO):
        return
    if trial.state == TrialState.COMPLETE:
        if len(study.directions) == 1:
            best = study.best_trial
            _logger.info(
                f"Trial {trial.number} finished with value: {trial.value} and parameters: "
                f"{trial.params}. Best is trial {best.number} with value: {best.value}."
            )
        else:
            _logger.info(
                f"Trial {trial.number} finished with values: {trial.values} and parameters: "
                f"{trial.params}."
            )
    elif trial.state == TrialState.PRUNED:
        _logger.info(f"Trial {trial.number} pruned.")
    elif trial.state == TrialState.FAIL:
        _logger.warning(
            f"Trial {trial.number} failed with parameters: {trial.params} because of the "
            f"following error: {trial.system_attrs.get('fail_reason', 'unknown')}."
        )


def _collect_garbage(study, trial):
    gc.collect()


class _ProgressBar:
    """optimize(show_progress_bar=True): a tqdm bar over trials, or over seconds when only a
    timeout bounds the run, as Optuna shows it."""

    def __init__(self, n_trials, timeout):
        import time

        from tqdm.auto import tqdm

        self._time = time.monotonic
        self._start = self._time()
        self._by_time = n_trials is None
        if self._by_time and timeout is None:
            warnings.warn("Progress bar is only supported with n_trials or timeout.")
            self._bar = None
            return
        total = timeout if self._by_time else n_trials
        fmt = "{desc} {percentage:3.0f}%|{bar}| {n:.2f}/{total_fmt} [{elapsed}<{remaining}]"
        self._bar = tqdm(total=total, bar_format=fmt if self._by_time else None)

    def update(self, study, trial):
        if self._bar is None:
            return
        if self._by_time:
            elapsed = min(self._time() - self._start, self._bar.total)
            self._bar.update(elapsed - self._bar.n)
        else:
            self._bar.update(1)
        if len(study.directions) == 1 and trial.state == TrialState.COMPLETE:
            best = study.best_trial
            self._bar.set_description(f"Best trial: {best.number}. Best value: {best.value:.6g}")

    def close(self):
        if self._bar is not None:
            self._bar.close()


class Study(_core.Study):
    """A study: a set of trials of one objective, kept in a storage.

    Study(study_name, storage) loads an existing study, as in Optuna; create_study makes one.
    """

    def __init__(self, study_name, storage, sampler=None, pruner=None):
        _init(self, study_name, storage, sampler, pruner, [StudyDirection.MINIMIZE], False, False)

    @property
    def sampler(self):
        """The sampler given to create_study, or the C++ default one the study runs."""
        return self._sampler if self._sampler_object is None else self._sampler_object

    @property
    def pruner(self):
        """The pruner given to create_study, or the C++ default one the study runs."""
        return self._pruner if self._pruner_object is None else self._pruner_object

    @property
    def trials(self):
        return self._get_trials(None)

    def get_trials(self, deepcopy=True, states=None):
        # Trials are immutable snapshots, so a deep copy would change nothing.
        return self._get_trials(None if states is None else list(states))

    def optimize(self, func, n_trials=None, timeout=None, n_jobs=1, catch=(), callbacks=None,
                 gc_after_trial=False, show_progress_bar=False):
        if isinstance(catch, type):
            catch = (catch,)
        hooks = []
        if gc_after_trial:
            hooks.append(_collect_garbage)
        # WARNING, not INFO: a failed trial's reason is a warning, shown at hpo.logging.WARNING
        # as in Optuna.
        if _logger.isEnabledFor(logging.WARNING):
            hooks.append(_log_finished)
        hooks.extend(callbacks or [])
        bar = _ProgressBar(n_trials, timeout) if show_progress_bar else None
        if bar is not None:
            hooks.append(bar.update)
        try:
            self._optimize(func, n_trials, timeout, n_jobs, tuple(catch), hooks,
                           exceptions.TrialPruned)
        finally:
            if bar is not None:
                bar.close()

    def ask(self, fixed_distributions=None):
        return self._ask(dict(fixed_distributions or {}))

    def tell(self, trial, values=None, state=None, skip_if_finished=False):
        """Finishes a trial (a Trial or its number) with values or a state, as Optuna does."""
        if values is None:
            told = None
        elif isinstance(values, collections.abc.Sequence):
            told = list(values)
        else:
            told = [values]

        if state == TrialState.COMPLETE and told is None:
            raise ValueError(
                "No values were told. Values are required when state is TrialState.COMPLETE."
            )
        if state in (TrialState.PRUNED, TrialState.FAIL) and told is not None:
            raise ValueError(
                "Values were told. Values cannot be specified when state is "
                "TrialState.PRUNED or TrialState.FAIL."
            )
        if state not in (None, TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL):
            raise ValueError(f"Cannot tell with state {state}.")

        problem = None if told is None else self._infeasible(told)
        if state == TrialState.COMPLETE and problem is not None:
            raise ValueError(problem)
        if state is None:
            if told is None:
                problem = "The value None could not be cast to float."
            if problem is None:
                state = TrialState.COMPLETE
            else:
                warnings.warn(problem)
                state, told = TrialState.FAIL, None

        frozen = self._frozen_trial(trial)
        if frozen.state.is_finished() and skip_if_finished:
            return frozen
        if frozen.state != TrialState.RUNNING:
            raise ValueError(f"Cannot tell a {frozen.state.name} trial.")
        values = [float(v) for v in told] if told is not None else []
        return self._tell(trial, state, values)

    def _infeasible(self, values):
        for v in values:
            try:
                f = float(v)
            except (TypeError, ValueError):
                return f"The value {v!r} could not be cast to float."
            if math.isnan(f):
                return f"The value {v} is not acceptable."
        if len(values) != len(self.directions):
            return (
                f"The number of the values {len(values)} did not match the number of the "
                f"objectives {len(self.directions)}."
            )
        return None

    def add_trials(self, trials):
        for t in trials:
            self.add_trial(t)

    def trials_dataframe(self, attrs=("number", "value", "datetime_start", "datetime_complete",
                                      "duration", "params", "user_attrs", "system_attrs",
                                      "state"), multi_index=False):
        """The trials as a pandas DataFrame, with Optuna's columns (pandas must be installed)."""
        import pandas as pd

        trials = self.trials
        if not trials:
            return pd.DataFrame()
        if "value" in attrs and len(self.directions) > 1:
            attrs = tuple("values" if a == "value" else a for a in attrs)
        columns = {}  # attr -> set of (column, sub-column)
        records = []
        for t in trials:
            record = {}
            for attr in attrs:
                column = attr[1:] if attr.startswith("_") else attr
                value = getattr(t, attr)
                if isinstance(value, TrialState):
                    value = value.name
                if isinstance(value, dict):
                    cells = [((column, k), v) for k, v in value.items()]
                elif isinstance(value, list):
                    cells = [((column, i), v) for i, v in enumerate(value)]
                elif attr == "values":
                    cells = [((column, i), None) for i in range(len(self.directions))]
                else:
                    cells = [((column, ""), value)]
                for key, v in cells:
                    record[key] = v
                    columns.setdefault(attr, set()).add(key)
            records.append(record)
        ordered = [key for a in attrs if a in columns for key in sorted(columns[a], key=str)]
        df = pd.DataFrame(records, columns=pd.MultiIndex.from_tuples(ordered))
        if not multi_index:
            df.columns = ["_".join(str(part) for part in key if part != "") for key in ordered]
        return df


def create_study(*, storage=None, sampler=None, pruner=None, study_name=None, direction=None,
                 load_if_exists=False, directions=None):
    if direction is not None and directions is not None:
        raise ValueError("Specify only one of `direction` and `directions`.")
    if directions is None:
        directions = [direction if direction is not None else "minimize"]
    directions = [_direction_of(d) for d in directions]
    study = Study.__new__(Study)
    _init(study, study_name, storage, sampler, pruner, directions, load_if_exists, True)
    return study


def _check_sqlite_file_exists(storage, study_name):
    """Loading from an SQLite URL whose file is missing would create an empty database as a side
    effect of a failed load (Optuna does); refuse before anything is opened."""
    if not isinstance(storage, str) or not storage.startswith("sqlite:///"):
        return
    path = storage[len("sqlite:///"):].split("?", 1)[0]
    if path and path != ":memory:" and not os.path.exists(path):
        raise exceptions.NotFoundError(
            f"no study named {study_name!r}: the database file {path!r} does not exist; "
            f"check the storage URL {storage.split('?', 1)[0]!r}")


def load_study(*, study_name, storage, sampler=None, pruner=None):
    _check_sqlite_file_exists(storage, study_name)
    storage = storages.get_storage(storage)
    if study_name is None:
        names = storage.get_all_study_names()
        if len(names) != 1:
            raise ValueError(
                f"Could not determine the study name since the storage has {len(names)} studies; "
                "pass study_name."
            )
        study_name = names[0]
    return Study(study_name, storage, sampler, pruner)


def delete_study(*, study_name, storage):
    _check_sqlite_file_exists(storage, study_name)
    storages.get_storage(storage).delete_study(study_name)


def get_all_study_names(storage):
    return storages.get_storage(storage).get_all_study_names()


class _Summary:
    """Optuna's StudySummary: name, directions, attributes, trial count and best trial."""

    def __init__(self, summary, best_trial):
        self.study_name = summary.study_name
        self._study_id = summary._study_id
        self.directions = list(summary.directions)
        self.user_attrs = summary.user_attrs
        self.system_attrs = summary.system_attrs
        self.n_trials = summary.n_trials
        self.datetime_start = summary.datetime_start
        self.best_trial = best_trial

    @property
    def direction(self):
        if len(self.directions) > 1:
            raise RuntimeError("this attribute is not available for multi-objective studies")
        return self.directions[0]


def get_all_study_summaries(storage, include_best_trial=True):
    storage = storages.get_storage(storage)
    out = []
    for summary in storage.get_all_studies():
        best = None
        if include_best_trial and len(summary.directions) == 1:
            study = Study(summary.study_name, storage)
            if study.get_trials(states=(TrialState.COMPLETE,)):
                best = study.best_trial
        out.append(_Summary(summary, best))
    return out


class MaxTrialsCallback:
    """Stops the study once it holds n_trials trials in `states` (all trials if None)."""

    def __init__(self, n_trials, states=(TrialState.COMPLETE,)):
        self._n_trials = n_trials
        self._states = None if states is None else tuple(states)

    def __call__(self, study, trial):
        if len(study.get_trials(states=self._states)) >= self._n_trials:
            study.stop()


def copy_study(*args, **kwargs):
    raise NotImplementedError("copy_study is not implemented in hpo")


__all__ = [
    "MaxTrialsCallback",
    "Study",
    "StudyDirection",
    "StudySummary",
    "copy_study",
    "create_study",
    "delete_study",
    "get_all_study_names",
    "get_all_study_summaries",
    "load_study",
]

"""Storages: URL strings or objects, with Optuna's class names, built by the C++ factory."""

from hpo import _core
from hpo._factory import not_implemented

BaseStorage = _core.Storage


class InMemoryStorage(_core.Storage):
    def __init__(self):
        _core.Storage.__init__(self, ":memory:")


class RDBStorage(_core.Storage):
    """A database given by URL ("sqlite:///study.db").

    heartbeat_interval, grace_period and a RetryFailedTrialCallback become the storage's own
    options (the URL's query, as the factory reads them), so stale trials are failed and
    retried in C++ by whichever worker notices them first.
    """

    def __init__(self, url, engine_kwargs=None, skip_compatibility_check=False, *,
                 heartbeat_interval=None, grace_period=None, failed_trial_callback=None,
                 skip_table_creation=False):
        if engine_kwargs:
            raise NotImplementedError("RDBStorage(engine_kwargs=...) is not supported by hpo")
        if skip_table_creation:
            raise NotImplementedError("RDBStorage(skip_table_creation=True) is not supported by hpo")
        options = {}
        if heartbeat_interval is not None:
            if heartbeat_interval <= 0:
                raise ValueError(
                    f"The value of `heartbeat_interval` should be a positive integer, "
                    f"got {heartbeat_interval}.")
            options["heartbeat_interval"] = heartbeat_interval
        if grace_period is not None:
            if grace_period <= 0:
                raise ValueError(
                    f"The value of `grace_period` should be a positive integer, got {grace_period}.")
            options["grace_period"] = grace_period
        if failed_trial_callback is not None:
            if not isinstance(failed_trial_callback, RetryFailedTrialCallback):
                raise NotImplementedError(
                    "RDBStorage(failed_trial_callback=...) supports only "
                    "RetryFailedTrialCallback in hpo")
            if failed_trial_callback._inherit_intermediate_values:
                raise NotImplementedError(
                    "RetryFailedTrialCallback(inherit_intermediate_values=True) is not "
                    "supported by hpo")
            options["retry_failed_trials"] = "true"
            if failed_trial_callback._max_retry is not None:
                options["max_retry"] = failed_trial_callback._max_retry
        full_url = url
        if options:
            query = "&".join(f"{k}={v}" for k, v in options.items())
            full_url += ("&" if "?" in url else "?") + query
        _core.Storage.__init__(self, full_url)
        self.url = url
        self.heartbeat_interval = heartbeat_interval
        self.grace_period = grace_period
        self.failed_trial_callback = failed_trial_callback


class RetryFailedTrialCallback:
    """Re-enqueues a trial that failed for a stale heartbeat, with its params."""

    def __init__(self, max_retry=None, inherit_intermediate_values=False):
        self._max_retry = max_retry
        self._inherit_intermediate_values = inherit_intermediate_values

    def __call__(self, study, trial):
        from hpo.trial import TrialState
        from hpo.trial import create_trial

        system_attrs = {"failed_trial": trial.number, "retry_history": []}
        system_attrs.update(trial.system_attrs)
        system_attrs["retry_history"] = list(system_attrs["retry_history"]) + [trial.number]
        if self._max_retry is not None and self._max_retry < len(system_attrs["retry_history"]):
            return
        study.add_trial(
            create_trial(
                state=TrialState.WAITING,
                params=trial.params,
                distributions=trial.distributions,
                user_attrs=trial.user_attrs,
                system_attrs=system_attrs,
                intermediate_values=(
                    trial.intermediate_values if self._inherit_intermediate_values else None
                ),
            )
        )

    @staticmethod
    def retried_trial_number(trial):
        return trial.system_attrs.get("failed_trial", None)

    @staticmethod
    def retry_history(trial):
        return trial.system_attrs.get("retry_history", [])


class JournalStorage:
    __init__ = not_implemented("storages.JournalStorage")


class JournalFileStorage:
    __init__ = not_implemented("storages.JournalFileStorage")


class JournalRedisStorage:
    __init__ = not_implemented("storages.JournalRedisStorage")


def get_storage(storage):
    """None -> a new in-memory storage; a URL string -> the factory's storage; else as is."""
    if storage is None:
        return InMemoryStorage()
    if isinstance(storage, str):
        return _core.Storage(storage)
    if isinstance(storage, _core.Storage):
        return storage
    raise TypeError(f"storage must be None, a URL string or a storage object, got {storage!r}")


def fail_stale_trials(study):
    """Fails the study's RUNNING trials whose heartbeat is stale; returns their numbers."""
    ids = set(study._storage.fail_stale_trials(study._study_id))
    return [t.number for t in study.get_trials(deepcopy=False) if t._trial_id in ids]


__all__ = [
    "BaseStorage",
    "InMemoryStorage",
    "JournalFileStorage",
    "JournalRedisStorage",
    "JournalStorage",
    "RDBStorage",
    "RetryFailedTrialCallback",
    "fail_stale_trials",
    "get_storage",
]

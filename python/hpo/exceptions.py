"""hpo's exceptions, under Optuna's names (OptunaError is an alias of HpoError)."""


class HpoError(Exception):
    """Base class of the errors specific to hpo."""


OptunaError = HpoError


class TrialPruned(HpoError):
    """Raise it in an objective to end the trial as PRUNED."""


class DuplicatedStudyError(HpoError):
    """create_study with a name that exists, without load_if_exists."""


class NotFoundError(HpoError, KeyError):
    """A study or trial that the storage does not hold (a KeyError, as in Optuna)."""

    def __str__(self):
        # KeyError quotes its argument; the message reads better without the quotes.
        return Exception.__str__(self)


class UpdateFinishedTrialError(HpoError, RuntimeError):
    """A write to a trial that is already finished."""


class StorageInternalError(HpoError):
    """The storage backend failed (I/O, a corrupt file, a lost connection)."""


class CLIUsageError(HpoError):
    """Kept for Optuna compatibility."""


class ExperimentalWarning(Warning):
    """Kept for Optuna compatibility."""

"""Logging under Optuna's names: the "hpo" logger, INFO by default, to stderr."""

import logging as _logging
import sys as _sys
import threading as _threading

CRITICAL = _logging.CRITICAL
FATAL = _logging.FATAL
ERROR = _logging.ERROR
WARNING = _logging.WARNING
WARN = _logging.WARN
INFO = _logging.INFO
DEBUG = _logging.DEBUG

_lock = _threading.Lock()
_handler = None


def _root():
    return _logging.getLogger("hpo")


def _configure():
    global _handler
    with _lock:
        if _handler is not None:
            return
        _handler = _logging.StreamHandler(_sys.stderr)
        _handler.setFormatter(_logging.Formatter("[%(levelname).1s %(asctime)s] %(message)s"))
        root = _root()
        root.addHandler(_handler)
        root.setLevel(INFO)
        root.propagate = False


def get_logger(name):
    """The logger `name` (a child of "hpo"), with hpo's default handler set up."""
    _configure()
    return _logging.getLogger(name)


def get_verbosity():
    _configure()
    return _root().getEffectiveLevel()


def set_verbosity(verbosity):
    """Sets the level of hpo's logger (hpo.logging.WARNING hides the per-trial lines)."""
    _configure()
    _root().setLevel(verbosity)


def disable_default_handler():
    _configure()
    _root().removeHandler(_handler)


def enable_default_handler():
    _configure()
    _root().addHandler(_handler)


def disable_propagation():
    _configure()
    _root().propagate = False


def enable_propagation():
    _configure()
    _root().propagate = True

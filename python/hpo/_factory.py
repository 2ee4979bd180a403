"""Builds a sampler or pruner through the C++ factory from Optuna-style arguments.

Only arguments that differ from Optuna's defaults are passed on, so the factory's own
defaults (which are Optuna's) apply otherwise, and an Optuna feature the factory lacks fails
loudly when used, never silently.
"""

import re

from hpo import _core

_UNKNOWN_OPTION = re.compile(r"unknown option '([^']+)'")


def _same(a, b):
    if a is b:
        return True
    try:
        return type(a) is type(b) and bool(a == b)
    except Exception:  # values without a usable ==
        return False


def build(base, obj, kind, name, class_name, options, defaults=None, required=()):
    """Calls base.__init__(obj, name, opts) with the non-default entries of `options`.

    Raises NotImplementedError naming `class_name` when the factory has no `name`, or when it
    does not know one of the given arguments.
    """
    known = _core.sampler_names() if kind == "sampler" else _core.pruner_names()
    if name not in known:
        raise NotImplementedError(
            f"{class_name} is not implemented in hpo yet (its factory has no {kind} '{name}'; "
            f"available: {', '.join(known)})"
        )
    defaults = defaults or {}
    given = {
        k: v
        for k, v in options.items()
        if k in required or k not in defaults or not _same(v, defaults[k])
    }
    given = {k: v for k, v in given.items() if v is not None or k in required}
    try:
        base.__init__(obj, name, given)
    except ValueError as e:
        match = _UNKNOWN_OPTION.search(str(e))
        if match:
            raise NotImplementedError(
                f"{class_name}({match.group(1)}=...) is not supported by hpo"
            ) from None
        raise
    obj._hpo_spec = {"name": name, "options": given}


def unsupported(class_name, argument):
    raise NotImplementedError(f"{class_name}({argument}=...) is not supported by hpo")


def not_implemented(class_name):
    def __init__(self, *args, **kwargs):
        raise NotImplementedError(f"{class_name} is not implemented in hpo")

    return __init__

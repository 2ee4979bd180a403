"""Samplers with Optuna's class and argument names, built by the C++ factory.

A custom sampler written in Python (a BaseSampler subclass with its own sample_* methods) is
not supported: hpo's samplers run in C++ without the GIL.
"""

from hpo import _core
from hpo._factory import build
from hpo._factory import not_implemented
from hpo._factory import unsupported


class BaseSampler:
    """What every hpo sampler is an instance of. Subclassing it in Python is allowed, but
    create_study refuses such a sampler: only the factory's C++ samplers can run."""

    def reseed_rng(self):
        import random

        self.reseed(random.getrandbits(63))


class _FactorySampler(_core.Sampler, BaseSampler):
    pass


class RandomSampler(_FactorySampler):
    def __init__(self, seed=None):
        build(_core.Sampler, self, "sampler", "random", "RandomSampler", {"seed": seed})


class GridSampler(_FactorySampler):
    def __init__(self, search_space, seed=None):
        space = {name: list(values) for name, values in search_space.items()}
        build(
            _core.Sampler, self, "sampler", "grid", "GridSampler",
            {"search_space": space, "seed": seed}, required=("search_space",),
        )


class TPESampler(_FactorySampler):
    def __init__(
        self,
        consider_prior=True,
        prior_weight=1.0,
        consider_magic_clip=True,
        consider_endpoints=False,
        n_startup_trials=10,
        n_ei_candidates=24,
        gamma=None,
        weights=None,
        seed=None,
        *,
        multivariate=False,
        group=False,
        warn_independent_sampling=True,
        constant_liar=False,
        constraints_func=None,
        normalized_kernels=True,
    ):
        for name, value in (("gamma", gamma), ("weights", weights),
                            ("constraints_func", constraints_func)):
            if value is not None:
                unsupported("TPESampler", name)
        options = {
            "consider_prior": consider_prior,
            "prior_weight": prior_weight,
            "consider_magic_clip": consider_magic_clip,
            "consider_endpoints": consider_endpoints,
            "n_startup_trials": n_startup_trials,
            "n_ei_candidates": n_ei_candidates,
            "seed": seed,
            "multivariate": multivariate,
            "group": group,
            "warn_independent_sampling": warn_independent_sampling,
            "constant_liar": constant_liar,
            "normalized_kernels": normalized_kernels,
        }
        defaults = {
            "consider_prior": True,
            "prior_weight": 1.0,
            "consider_magic_clip": True,
            "consider_endpoints": False,
            "n_startup_trials": 10,
            "n_ei_candidates": 24,
            "multivariate": False,
            "group": False,
            "warn_independent_sampling": True,
            "constant_liar": False,
            "normalized_kernels": True,
        }
        build(_core.Sampler, self, "sampler", "tpe", "TPESampler", options, defaults)


class GPSampler(_FactorySampler):
    """Gaussian-process sampler (Optuna added its GPSampler in 3.6; these are its arguments)."""

    def __init__(self, *, seed=None, independent_sampler=None, n_startup_trials=10,
                 deterministic_objective=False):
        if independent_sampler is not None:
            unsupported("GPSampler", "independent_sampler")
        build(
            _core.Sampler, self, "sampler", "gp", "GPSampler",
            {"seed": seed, "n_startup_trials": n_startup_trials,
             "deterministic_objective": deterministic_objective},
            {"n_startup_trials": 10, "deterministic_objective": False},
        )


class CmaEsSampler(BaseSampler):
    __init__ = not_implemented("CmaEsSampler")


class NSGAIISampler(BaseSampler):
    __init__ = not_implemented("NSGAIISampler")


class MOTPESampler(BaseSampler):
    __init__ = not_implemented("MOTPESampler")


class QMCSampler(BaseSampler):
    __init__ = not_implemented("QMCSampler")


class BruteForceSampler(BaseSampler):
    __init__ = not_implemented("BruteForceSampler")


class PartialFixedSampler(BaseSampler):
    __init__ = not_implemented("PartialFixedSampler")


class IntersectionSearchSpace:
    __init__ = not_implemented("samplers.IntersectionSearchSpace")


def intersection_search_space(*args, **kwargs):
    raise NotImplementedError("samplers.intersection_search_space is not implemented in hpo")


__all__ = [
    "BaseSampler",
    "BruteForceSampler",
    "CmaEsSampler",
    "GPSampler",
    "GridSampler",
    "IntersectionSearchSpace",
    "MOTPESampler",
    "NSGAIISampler",
    "PartialFixedSampler",
    "QMCSampler",
    "RandomSampler",
    "TPESampler",
    "intersection_search_space",
]

// The math of PED-ANOVA on one parameter, apart from trials: counts on a 1-D grid in, a
// smoothed probability mass function over the same grid out, and the Pearson divergence of two.
#pragma once

#include <vector>

namespace hpo {

// Smooths counts on an ordered grid (points 0..n-1, equally spaced) with a Parzen estimator:
// one Gaussian kernel per non-empty point, weighted by its count, its bandwidth by Scott's rule
// (1.059 * min(IQR / 1.34, sd) * n^-1/5, at least 0.5 / 1.64 points so that a kernel keeps ~90%
// of its mass within its own cell), plus one prior kernel centred on the grid with the grid's
// width as bandwidth and weight `prior_weight`. Each kernel is discretized to the grid and
// truncated to it. Returns n masses summing to 1 (uniform if every count is 0).
// Requires counts.size() >= 1, counts >= 0, prior_weight > 0.
std::vector<double> smoothed_ordinal_pmf(const std::vector<double>& counts, double prior_weight);

// Smooths counts over unordered choices (0..n-1): a kernel per non-empty choice that puts its
// mass on that choice and spreads prior_weight / (kernels + 1) over every choice, weighted by
// the count, plus a uniform prior kernel of weight `prior_weight`. Returns n masses summing to 1.
// Requires counts.size() >= 1, counts >= 0, prior_weight > 0.
std::vector<double> smoothed_categorical_pmf(const std::vector<double>& counts,
                                             double prior_weight);

// sum_k region[k] * (top[k] / region[k] - 1)^2, with a tiny floor on both masses so that an
// empty point is no division by zero. Requires equal sizes.
double pearson_divergence(const std::vector<double>& top, const std::vector<double>& region);

}  // namespace hpo

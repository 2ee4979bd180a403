// Acquisition: log EI, quasi-random candidates, L-BFGS-B refinement.
#include "samplers/gp/acquisition.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>

#include <LBFGSB.h>

#include "samplers/gp/scrambled_halton.h"

namespace hpo {
namespace {

constexpr double kMinVar = 1e-10;  // keeps z finite at observed points
const double kLogSqrt2Pi = 0.5 * std::log(2.0 * std::numbers::pi);

// Value and gradient of log EI at x, numeric coordinates only.
double log_ei_with_gradient(const GaussianProcess& gp, double best, const Eigen::VectorXd& x,
                            Eigen::VectorXd* grad) {
  double mean, var;
  Eigen::VectorXd dmean, dvar;
  gp.predict_with_gradient(x, &mean, &var, &dmean, &dvar);
  if (var < kMinVar) {
    var = kMinVar;
    dvar.setZero();
  }
  const double sigma = std::sqrt(var);
  const double z = (mean - best) / sigma;
  double dz;
  const double value = 0.5 * std::log(var) + standard_log_ei(z, &dz);
  // a = log(var)/2 + h(z), z = (mean - best)/sigma.
  *grad = (dz / sigma) * dmean + ((0.5 - 0.5 * z * dz) / var) * dvar;
  return value;
}

struct NegativeLogEi {
  const GaussianProcess& gp;
  double best;
  Eigen::VectorXd point;             // full point; numeric coordinates overwritten
  const std::vector<Eigen::Index>& numeric;

  double operator()(const Eigen::VectorXd& u, Eigen::VectorXd& grad) {
    for (size_t i = 0; i < numeric.size(); ++i) point[numeric[i]] = u[static_cast<Eigen::Index>(i)];
    Eigen::VectorXd full;
    const double v = log_ei_with_gradient(gp, best, point, &full);
    grad.resize(u.size());
    for (size_t i = 0; i < numeric.size(); ++i) grad[static_cast<Eigen::Index>(i)] = -full[numeric[i]];
    return std::isfinite(v) ? -v : std::numeric_limits<double>::infinity();
  }
};

Eigen::VectorXd batch_log_ei(const GaussianProcess& gp, double best, const Eigen::MatrixXd& xs) {
  Eigen::VectorXd mean, var;
  gp.predict(xs, &mean, &var);
  Eigen::VectorXd out(xs.rows());
  for (Eigen::Index i = 0; i < xs.rows(); ++i) out[i] = log_ei(mean[i], var[i], best);
  return out;
}

}  // namespace

double standard_log_ei(double z, double* dz) {
  if (z >= -25.0) {
    const double cdf = 0.5 * std::erfc(-z * std::numbers::sqrt2 / 2.0);
    const double pdf = std::exp(-0.5 * z * z - kLogSqrt2Pi);
    const double h = z * cdf + pdf;
    if (dz != nullptr) *dz = cdf / h;
    return std::log(h);
  }
  // Far below: z Phi(z) + phi(z) = phi(z) q(z) with the asymptotic series
  // q = 1/z^2 - 3/z^4 + 15/z^6 - ..., accurate to ~1e-10 for z < -25; and Phi = phi r with
  // r = (q - 1) / z, so that d log h / dz = Phi / h = r / q.
  const double t = 1.0 / (z * z);
  const double q = t * (1.0 - t * (3.0 - t * (15.0 - t * (105.0 - t * 945.0))));
  if (dz != nullptr) *dz = ((q - 1.0) / z) / q;
  return -0.5 * z * z - kLogSqrt2Pi + std::log(q);
}

double log_ei(double mean, double var, double best) {
  var = std::max(var, kMinVar);
  return 0.5 * std::log(var) + standard_log_ei((mean - best) / std::sqrt(var));
}

Eigen::VectorXd maximize_log_ei(const GaussianProcess& gp, double best,
                                const std::vector<int>& n_choices,
                                const std::vector<Eigen::VectorXd>& warm_starts, uint64_t seed,
                                const AcquisitionOptions& options) {
  const int dims = gp.dims();
  std::vector<Eigen::Index> numeric;
  for (int k = 0; k < dims; ++k) {
    if (n_choices[k] == 0) numeric.push_back(k);
  }

  // Quasi-random candidates.
  const int m = std::max(options.n_candidates, 1);
  Eigen::MatrixXd cand(m, dims);
  ScrambledHalton halton(dims, seed);
  std::vector<double> u(dims);
  for (int i = 0; i < m; ++i) {
    halton.point(static_cast<uint64_t>(i), u.data());
    for (int k = 0; k < dims; ++k) {
      cand(i, k) = n_choices[k] == 0 ? u[k]
                                     : std::min(std::floor(u[k] * n_choices[k]),
                                                static_cast<double>(n_choices[k] - 1));
    }
  }
  const Eigen::VectorXd scores = batch_log_ei(gp, best, cand);
  std::vector<int> order(m);
  std::iota(order.begin(), order.end(), 0);
  const int n_top = std::min(options.n_local_search, m);
  std::partial_sort(order.begin(), order.begin() + std::max(n_top, 1), order.end(),
                    [&](int a, int b) { return scores[a] > scores[b]; });

  std::vector<Eigen::VectorXd> starts;
  for (int i = 0; i < n_top; ++i) starts.push_back(cand.row(order[i]).transpose());
  for (const Eigen::VectorXd& w : warm_starts) starts.push_back(w);

  Eigen::VectorXd best_x = cand.row(order[0]).transpose();
  double best_value = scores[order[0]];
  if (!numeric.empty()) {
    LBFGSpp::LBFGSBParam<double> param;
    param.epsilon = 1e-5;
    param.epsilon_rel = 0.0;
    param.past = 1;
    param.delta = 1e-9;
    param.max_iterations = options.max_iterations;
    param.max_linesearch = 20;
    LBFGSpp::LBFGSBSolver<double> solver(param);
    const auto nn = static_cast<Eigen::Index>(numeric.size());
    const Eigen::VectorXd lb = Eigen::VectorXd::Zero(nn), ub = Eigen::VectorXd::Ones(nn);
    for (const Eigen::VectorXd& start : starts) {
      NegativeLogEi f{gp, best, start, numeric};
      Eigen::VectorXd x0(nn);
      for (Eigen::Index i = 0; i < nn; ++i) x0[i] = std::clamp(start[numeric[i]], 0.0, 1.0);
      double fx = std::numeric_limits<double>::infinity();
      try {
        solver.minimize(f, x0, fx, lb, ub);
      } catch (const std::exception&) {
        // The line search gave up (a flat acquisition): x0 holds the last accepted point.
        Eigen::VectorXd g;
        fx = f(x0, g);
      }
      if (-fx > best_value) {
        best_value = -fx;
        best_x = start;
        for (Eigen::Index i = 0; i < nn; ++i) best_x[numeric[i]] = x0[i];
      }
    }
  }
  // Categorical coordinates: one sweep over every choice of each, in turn.
  for (int k = 0; k < dims; ++k) {
    if (n_choices[k] == 0) continue;
    Eigen::MatrixXd sweep = best_x.transpose().replicate(n_choices[k], 1);
    for (int c = 0; c < n_choices[k]; ++c) sweep(c, k) = c;
    const Eigen::VectorXd s = batch_log_ei(gp, best, sweep);
    Eigen::Index arg;
    if (s.maxCoeff(&arg) > best_value) {
      best_value = s[arg];
      best_x[k] = static_cast<double>(arg);
    }
  }
  return best_x;
}

}  // namespace hpo

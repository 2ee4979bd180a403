// GaussianProcess: Matérn-5/2 kernel, marginal likelihood and its gradient, posterior.
#include "samplers/gp/gaussian_process.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>

#include <LBFGSB.h>

namespace hpo {
namespace {

constexpr double kSqrt5 = 2.23606797749978969640;

// Bounds of the raw (log) parameters during fitting. They are wide (length scales from about
// 0.0025 to 400 box widths) and only keep the optimizer out of numerically empty regions.
constexpr double kLogWeightMin = -12.0, kLogWeightMax = 12.0;
constexpr double kLogScaleMin = -7.0, kLogScaleMax = 7.0;
constexpr double kLogNoiseMin = -25.0, kLogNoiseMax = 3.0;

// Squared weighted distances r^2 between the rows of a and b.
Eigen::MatrixXd squared_distances(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b,
                                  const std::vector<bool>& is_categorical,
                                  const Eigen::VectorXd& weights) {
  const Eigen::Index dims = a.cols();
  Eigen::VectorXd sqrt_w(dims);
  for (Eigen::Index k = 0; k < dims; ++k) sqrt_w[k] = is_categorical[k] ? 0.0 : std::sqrt(weights[k]);
  // |a - b|^2 = |a|^2 + |b|^2 - 2 a.b keeps the O(n^2 d) work inside one matrix product.
  const Eigen::MatrixXd as = a * sqrt_w.asDiagonal();
  const Eigen::MatrixXd bs = b * sqrt_w.asDiagonal();
  Eigen::MatrixXd d2 = -2.0 * as * bs.transpose();
  d2.colwise() += as.rowwise().squaredNorm();
  d2.rowwise() += bs.rowwise().squaredNorm().transpose();
  d2 = d2.cwiseMax(0.0);
  for (Eigen::Index k = 0; k < dims; ++k) {
    if (!is_categorical[k]) continue;
    for (Eigen::Index j = 0; j < b.rows(); ++j) {
      for (Eigen::Index i = 0; i < a.rows(); ++i) {
        if (a(i, k) != b(j, k)) d2(i, j) += weights[k];
      }
    }
  }
  return d2;
}

// Matérn-5/2 of r^2, scale 1.
inline double matern_of_d2(double d2) {
  const double r = std::sqrt(d2);
  return (1.0 + kSqrt5 * r + (5.0 / 3.0) * d2) * std::exp(-kSqrt5 * r);
}

// d matern / d(r^2), scale 1: -(5/6)(1 + sqrt5 r) exp(-sqrt5 r); finite at r = 0.
inline double matern_grad_of_d2(double d2) {
  const double r = std::sqrt(d2);
  return -(5.0 / 6.0) * (1.0 + kSqrt5 * r) * std::exp(-kSqrt5 * r);
}

struct NegativeLogPosterior {
  const Eigen::MatrixXd& x;
  const Eigen::VectorXd& y;
  const std::vector<bool>& is_categorical;
  double best_value = std::numeric_limits<double>::infinity();
  Eigen::VectorXd best_raw;

  double operator()(const Eigen::VectorXd& raw, Eigen::VectorXd& grad) {
    double value;
    try {
      value = -log_marginal_likelihood_with_prior(x, y, is_categorical, KernelParams::from_raw(raw),
                                                  &grad);
      grad = -grad;
    } catch (const std::runtime_error&) {
      // A factorization failure is a wall: the line search backs away from it.
      grad.setZero(raw.size());
      return std::numeric_limits<double>::infinity();
    }
    if (std::isfinite(value) && value < best_value) {
      best_value = value;
      best_raw = raw;
    }
    return value;
  }
};

}  // namespace

KernelParams KernelParams::initial(int dims) {
  KernelParams p;
  p.inverse_squared_lengthscales = Eigen::VectorXd::Ones(dims);
  p.kernel_scale = 1.0;
  p.noise_var = 1e-2;
  return p;
}

Eigen::VectorXd KernelParams::to_raw() const {
  const Eigen::Index d = inverse_squared_lengthscales.size();
  Eigen::VectorXd raw(d + 2);
  raw.head(d) = inverse_squared_lengthscales.array().log().matrix();
  raw[d] = std::log(kernel_scale);
  raw[d + 1] = std::log(std::max(noise_var - kMinNoiseVar, 1e-300));
  return raw;
}

KernelParams KernelParams::from_raw(const Eigen::VectorXd& raw) {
  const Eigen::Index d = raw.size() - 2;
  KernelParams p;
  p.inverse_squared_lengthscales = raw.head(d).array().exp().matrix();
  p.kernel_scale = std::exp(raw[d]);
  p.noise_var = std::exp(raw[d + 1]) + kMinNoiseVar;
  return p;
}

Eigen::MatrixXd matern52(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b,
                         const std::vector<bool>& is_categorical, const KernelParams& params) {
  Eigen::MatrixXd k =
      squared_distances(a, b, is_categorical, params.inverse_squared_lengthscales);
  k = k.unaryExpr([](double d2) { return matern_of_d2(d2); });
  return params.kernel_scale * k;
}

Eigen::LLT<Eigen::MatrixXd> cholesky_with_jitter(const Eigen::MatrixXd& k) {
  Eigen::LLT<Eigen::MatrixXd> llt(k);
  if (llt.info() == Eigen::Success) return llt;
  const double mean_diag = std::max(k.diagonal().mean(), 1e-300);
  for (double rel = 1e-10; rel <= 1e-4 * 1.0001; rel *= 10.0) {
    Eigen::MatrixXd kj = k;
    kj.diagonal().array() += rel * mean_diag;
    llt.compute(kj);
    if (llt.info() == Eigen::Success) return llt;
  }
  throw std::runtime_error("kernel matrix is not positive definite even with jitter");
}

double log_marginal_likelihood_with_prior(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                                          const std::vector<bool>& is_categorical,
                                          const KernelParams& params, Eigen::VectorXd* grad) {
  const Eigen::Index n = x.rows(), dims = x.cols();
  const Eigen::VectorXd& w = params.inverse_squared_lengthscales;
  const double s = params.kernel_scale;
  const double noise = params.noise_var;

  const Eigen::MatrixXd d2 = squared_distances(x, x, is_categorical, w);
  const Eigen::MatrixXd kf = d2.unaryExpr([](double v) { return matern_of_d2(v); });  // scale 1
  Eigen::MatrixXd k = s * kf;
  k.diagonal().array() += noise;
  const Eigen::LLT<Eigen::MatrixXd> llt = cholesky_with_jitter(k);
  const Eigen::VectorXd alpha = llt.solve(y);
  const Eigen::MatrixXd l = llt.matrixL();
  double lml = -0.5 * y.dot(alpha) - l.diagonal().array().log().sum() -
               0.5 * static_cast<double>(n) * std::log(2.0 * std::numbers::pi);

  // Log prior (Optuna's _gp/prior.py, constants dropped).
  double prior = -(0.1 / w.array() + 0.1 * w.array()).sum();
  prior += (2.0 - 1.0) * std::log(s) - 1.0 * s;
  prior += (1.1 - 1.0) * std::log(noise) - 30.0 * noise;

  if (grad != nullptr) {
    // d lml / d theta = 1/2 tr((alpha alpha^T - K^-1) dK/dtheta).
    Eigen::MatrixXd kinv = Eigen::MatrixXd::Identity(n, n);
    llt.solveInPlace(kinv);
    const Eigen::MatrixXd wm = alpha * alpha.transpose() - kinv;
    const Eigen::MatrixXd g = d2.unaryExpr([](double v) { return matern_grad_of_d2(v); });
    const Eigen::MatrixXd m = s * wm.cwiseProduct(g);  // symmetric
    // sum_ij m_ij (x_ik - x_jk)^2 = 2 sum_i x_ik^2 (m 1)_i - 2 x_k^T m x_k.
    const Eigen::VectorXd m1 = m.rowwise().sum();
    const Eigen::MatrixXd mx = m * x;
    grad->resize(dims + 2);
    for (Eigen::Index kd = 0; kd < dims; ++kd) {
      double sk;
      if (!is_categorical[kd]) {
        sk = 2.0 * x.col(kd).array().square().matrix().dot(m1) - 2.0 * x.col(kd).dot(mx.col(kd));
      } else {
        sk = 0.0;
        for (Eigen::Index j = 0; j < n; ++j) {
          for (Eigen::Index i = 0; i < n; ++i) {
            if (x(i, kd) != x(j, kd)) sk += m(i, j);
          }
        }
      }
      (*grad)[kd] = 0.5 * w[kd] * sk + (0.1 / w[kd] - 0.1 * w[kd]);
    }
    (*grad)[dims] = 0.5 * s * wm.cwiseProduct(kf).sum() + (1.0 - s);
    const double dnoise_draw = noise - kMinNoiseVar;
    (*grad)[dims + 1] = (0.5 * wm.trace() + 0.1 / noise - 30.0) * dnoise_draw;
  }
  return lml + prior;
}

KernelParams fit_kernel_params(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                               const std::vector<bool>& is_categorical, const KernelParams& start,
                               const FitOptions& options) {
  const Eigen::Index dims = x.cols();
  Eigen::VectorXd lb(dims + 2), ub(dims + 2);
  lb.head(dims).setConstant(kLogWeightMin);
  ub.head(dims).setConstant(kLogWeightMax);
  lb[dims] = kLogScaleMin;
  ub[dims] = kLogScaleMax;
  lb[dims + 1] = kLogNoiseMin;
  ub[dims + 1] = options.deterministic_objective ? kLogNoiseMin : kLogNoiseMax;
  Eigen::VectorXd raw = start.to_raw().cwiseMax(lb).cwiseMin(ub);

  LBFGSpp::LBFGSBParam<double> param;
  param.epsilon = options.gradient_tolerance;
  param.epsilon_rel = 0.0;
  param.max_iterations = options.max_iterations;
  param.max_linesearch = 30;
  LBFGSpp::LBFGSBSolver<double> solver(param);
  NegativeLogPosterior objective{x, y, is_categorical, std::numeric_limits<double>::infinity(),
                                 Eigen::VectorXd()};
  double fx = 0.0;
  try {
    solver.minimize(objective, raw, fx, lb, ub);
  } catch (const std::exception&) {
    // LBFGS++ throws when the line search cannot progress (flat or noisy regions): the best
    // point seen so far is still a valid answer.
  }
  if (objective.best_raw.size() == 0) return start;
  return KernelParams::from_raw(objective.best_raw);
}

GaussianProcess::GaussianProcess(Eigen::MatrixXd x, Eigen::VectorXd y,
                                 std::vector<bool> is_categorical, KernelParams params)
    : x_(std::move(x)),
      y_(std::move(y)),
      is_categorical_(std::move(is_categorical)),
      params_(std::move(params)) {
  factorize();
}

void GaussianProcess::factorize() {
  Eigen::MatrixXd k = matern52(x_, x_, is_categorical_, params_);
  k.diagonal().array() += params_.noise_var;
  const Eigen::LLT<Eigen::MatrixXd> llt = cholesky_with_jitter(k);
  l_ = llt.matrixL();
  alpha_ = llt.solve(y_);
}

void GaussianProcess::append(const Eigen::MatrixXd& x_new, const Eigen::VectorXd& y_new) {
  const Eigen::Index n = x_.rows(), m = x_new.rows();
  if (m == 0) return;
  // [L 0; B^T C] with B = L^-1 K(X, X_new) and C C^T = K_new - B^T B.
  Eigen::MatrixXd b = matern52(x_, x_new, is_categorical_, params_);
  l_.triangularView<Eigen::Lower>().solveInPlace(b);
  Eigen::MatrixXd knew = matern52(x_new, x_new, is_categorical_, params_);
  knew.diagonal().array() += params_.noise_var;
  knew.noalias() -= b.transpose() * b;
  Eigen::LLT<Eigen::MatrixXd> c(knew);

  x_.conservativeResize(n + m, Eigen::NoChange);
  x_.bottomRows(m) = x_new;
  y_.conservativeResize(n + m);
  y_.tail(m) = y_new;
  if (c.info() != Eigen::Success) {
    factorize();  // lost positive definiteness (e.g. a repeated point): start over with jitter
    return;
  }
  Eigen::MatrixXd l(n + m, n + m);
  l.topLeftCorner(n, n) = l_;
  l.topRightCorner(n, m).setZero();
  l.bottomLeftCorner(m, n) = b.transpose();
  l.bottomRightCorner(m, m) = c.matrixL();
  l_ = std::move(l);
  set_targets(y_);
}

void GaussianProcess::set_targets(const Eigen::VectorXd& y) {
  y_ = y;
  alpha_ = y_;
  l_.triangularView<Eigen::Lower>().solveInPlace(alpha_);
  l_.triangularView<Eigen::Lower>().transpose().solveInPlace(alpha_);
}

void GaussianProcess::predict(const Eigen::MatrixXd& xs, Eigen::VectorXd* mean,
                              Eigen::VectorXd* var) const {
  Eigen::MatrixXd kt = matern52(x_, xs, is_categorical_, params_);  // n x m
  *mean = kt.transpose() * alpha_;
  l_.triangularView<Eigen::Lower>().solveInPlace(kt);
  *var = (params_.kernel_scale - kt.colwise().squaredNorm().array()).cwiseMax(0.0).matrix();
}

void GaussianProcess::predict_with_gradient(const Eigen::VectorXd& x, double* mean, double* var,
                                            Eigen::VectorXd* dmean, Eigen::VectorXd* dvar) const {
  const Eigen::Index n = x_.rows(), dims = x_.cols();
  const Eigen::VectorXd d2 =
      squared_distances(x_, x.transpose(), is_categorical_, params_.inverse_squared_lengthscales);
  const double s = params_.kernel_scale;
  Eigen::VectorXd k(n), g(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    k[i] = s * matern_of_d2(d2[i]);
    g[i] = s * matern_grad_of_d2(d2[i]);
  }
  *mean = k.dot(alpha_);
  // K^-1 k by two triangular solves.
  Eigen::VectorXd v = k;
  l_.triangularView<Eigen::Lower>().solveInPlace(v);
  *var = std::max(s - v.squaredNorm(), 0.0);
  l_.triangularView<Eigen::Lower>().transpose().solveInPlace(v);
  // dk_i/dx = g_i * 2 w (x - x_i), so sum_i c_i dk_i/dx = 2 w (x sum_i c_i g_i - X^T (c g)).
  const Eigen::VectorXd& w = params_.inverse_squared_lengthscales;
  const Eigen::VectorXd ag = alpha_.cwiseProduct(g);
  const Eigen::VectorXd vg = v.cwiseProduct(g);
  const Eigen::VectorXd sum_a = x * ag.sum() - x_.transpose() * ag;
  const Eigen::VectorXd sum_v = x * vg.sum() - x_.transpose() * vg;
  dmean->resize(dims);
  dvar->resize(dims);
  for (Eigen::Index kd = 0; kd < dims; ++kd) {
    const bool cat = is_categorical_[kd];
    (*dmean)[kd] = cat ? 0.0 : 2.0 * w[kd] * sum_a[kd];
    (*dvar)[kd] = cat ? 0.0 : -2.0 * 2.0 * w[kd] * sum_v[kd];
  }
}

}  // namespace hpo

// Gaussian-process regression with a Matérn-5/2 ARD kernel, as in Optuna 4's optuna/_gp and
// BoTorch's defaults (Rasmussen & Williams, "Gaussian Processes for Machine Learning", 2006,
// ch. 2 and 5).
//
// Inputs are rows of a box from SearchSpaceTransform: numeric coordinates in [0, 1] and
// categorical coordinates (choice indices) that the kernel compares by equality (a Hamming
// term). Targets are expected standardized (mean 0, variance 1).
#pragma once

#include <cstdint>
#include <vector>

#include <Eigen/Cholesky>
#include <Eigen/Core>

namespace hpo {

// The noise variance never goes below this, which keeps K well conditioned.
inline constexpr double kMinNoiseVar = 1e-6;

struct KernelParams {
  Eigen::VectorXd inverse_squared_lengthscales;  // 1 / l_k^2, one per input dimension
  double kernel_scale = 1.0;                     // signal variance
  double noise_var = 1e-2;                       // Gaussian observation noise

  // The starting point of a first fit: unit length scales, scale 1, noise 0.01.
  static KernelParams initial(int dims);
  // Unconstrained form used by the optimizer: log(1/l^2)..., log scale, log(noise - kMinNoiseVar).
  Eigen::VectorXd to_raw() const;
  static KernelParams from_raw(const Eigen::VectorXd& raw);
};

// k(a, b) = s (1 + sqrt5 r + 5/3 r^2) exp(-sqrt5 r), r^2 = sum_k w_k d_k(a, b), where
// d_k = (a_k - b_k)^2 for numeric dims and [a_k != b_k] for categorical ones.
// Returns the |A| x |B| matrix (noise not included).
Eigen::MatrixXd matern52(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b,
                         const std::vector<bool>& is_categorical, const KernelParams& params);

// The log marginal likelihood of standardized targets y at X, plus the log prior on the kernel
// parameters (Optuna's: -(0.1/w + 0.1 w) per inverse squared length scale, Gamma(2, 1) on the
// scale, Gamma(1.1, 30) on the noise). If `grad` is not null, it receives the gradient with
// respect to KernelParams::to_raw(). Throws std::runtime_error if K cannot be factorized.
double log_marginal_likelihood_with_prior(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                                          const std::vector<bool>& is_categorical,
                                          const KernelParams& params, Eigen::VectorXd* grad);

struct FitOptions {
  int max_iterations = 200;
  double gradient_tolerance = 1e-3;  // on the projected gradient, as Optuna's gtol
  bool deterministic_objective = false;  // hold the noise at kMinNoiseVar
};

// Maximizes log_marginal_likelihood_with_prior by L-BFGS-B (in raw, log space, within wide
// bounds) from `start` (a previous fit warm-starts the next). Returns the best parameters seen;
// `start` itself if nothing better was found.
KernelParams fit_kernel_params(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                               const std::vector<bool>& is_categorical, const KernelParams& start,
                               const FitOptions& options = {});

// The Cholesky factor of `k`, adding diagonal jitter (1e-10, 1e-9, ... times the mean diagonal,
// up to 1e-4) when the plain factorization fails. Throws std::runtime_error if all fail.
Eigen::LLT<Eigen::MatrixXd> cholesky_with_jitter(const Eigen::MatrixXd& k);

// The posterior of a GP with fixed kernel parameters given (X, y). Copyable; not thread-safe
// for writes (append), safe for concurrent reads.
class GaussianProcess {
 public:
  // O(n^3): factorizes K + noise I. Throws std::runtime_error if even jitter fails.
  GaussianProcess(Eigen::MatrixXd x, Eigen::VectorXd y, std::vector<bool> is_categorical,
                  KernelParams params);

  // Adds observations by extending the Cholesky factor, O(n^2 m) for m new rows instead of
  // O((n+m)^3). Falls back to a full factorization if the update is not positive definite.
  void append(const Eigen::MatrixXd& x_new, const Eigen::VectorXd& y_new);
  // Replaces the targets (same inputs), O(n^2).
  void set_targets(const Eigen::VectorXd& y);

  // Posterior mean and latent variance (without observation noise) at each row of `xs`.
  void predict(const Eigen::MatrixXd& xs, Eigen::VectorXd* mean, Eigen::VectorXd* var) const;
  // The same at one point, with gradients with respect to the numeric coordinates (entries for
  // categorical dims are 0).
  void predict_with_gradient(const Eigen::VectorXd& x, double* mean, double* var,
                             Eigen::VectorXd* dmean, Eigen::VectorXd* dvar) const;

  int n() const { return static_cast<int>(x_.rows()); }
  int dims() const { return static_cast<int>(x_.cols()); }
  const Eigen::MatrixXd& x() const { return x_; }
  const Eigen::VectorXd& y() const { return y_; }
  const KernelParams& params() const { return params_; }
  const std::vector<bool>& is_categorical() const { return is_categorical_; }

 private:
  void factorize();

  Eigen::MatrixXd x_;
  Eigen::VectorXd y_;
  std::vector<bool> is_categorical_;
  KernelParams params_;
  Eigen::MatrixXd l_;      // lower Cholesky factor of K + noise I (+ jitter)
  Eigen::VectorXd alpha_;  // (K + noise I)^-1 y
};

}  // namespace hpo

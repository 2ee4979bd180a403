// Standard test functions for optimization quality (minimization), with their domains and
// minima; bench/optuna_quality.py defines the same ones for Optuna.
#pragma once

#include <cmath>
#include <numbers>
#include <string>
#include <vector>

namespace hpo::bench {

struct TestFunction {
  std::string name;
  int dims;
  double low, high;  // the same box for every coordinate (Branin's is per coordinate)
  double minimum;
  double (*f)(const std::vector<double>&);
};

inline double branin(const std::vector<double>& x) {
  const double pi = std::numbers::pi;
  const double b = 5.1 / (4 * pi * pi), c = 5 / pi, t = 1 / (8 * pi);
  return std::pow(x[1] - b * x[0] * x[0] + c * x[0] - 6, 2) + 10 * (1 - t) * std::cos(x[0]) + 10;
}

inline double hartmann3(const std::vector<double>& x) {
  static const double alpha[4] = {1.0, 1.2, 3.0, 3.2};
  static const double a[4][3] = {{3, 10, 30}, {0.1, 10, 35}, {3, 10, 30}, {0.1, 10, 35}};
  static const double p[4][3] = {{0.3689, 0.1170, 0.2673}, {0.4699, 0.4387, 0.7470},
                                 {0.1091, 0.8732, 0.5547}, {0.0381, 0.5743, 0.8828}};
  double s = 0;
  for (int i = 0; i < 4; ++i) {
    double e = 0;
    for (int j = 0; j < 3; ++j) e += a[i][j] * std::pow(x[j] - p[i][j], 2);
    s -= alpha[i] * std::exp(-e);
  }
  return s;
}

inline double hartmann6(const std::vector<double>& x) {
  static const double alpha[4] = {1.0, 1.2, 3.0, 3.2};
  static const double a[4][6] = {{10, 3, 17, 3.5, 1.7, 8},
                                 {0.05, 10, 17, 0.1, 8, 14},
                                 {3, 3.5, 1.7, 10, 17, 8},
                                 {17, 8, 0.05, 10, 0.1, 14}};
  static const double p[4][6] = {{0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
                                 {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
                                 {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
                                 {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};
  double s = 0;
  for (int i = 0; i < 4; ++i) {
    double e = 0;
    for (int j = 0; j < 6; ++j) e += a[i][j] * std::pow(x[j] - p[i][j], 2);
    s -= alpha[i] * std::exp(-e);
  }
  return s;
}

inline double rosenbrock(const std::vector<double>& x) {
  double s = 0;
  for (size_t i = 0; i + 1 < x.size(); ++i) {
    s += 100 * std::pow(x[i + 1] - x[i] * x[i], 2) + std::pow(1 - x[i], 2);
  }
  return s;
}

inline double ackley(const std::vector<double>& x) {
  double sq = 0, cs = 0;
  for (double v : x) {
    sq += v * v;
    cs += std::cos(2 * std::numbers::pi * v);
  }
  const double n = static_cast<double>(x.size());
  return -20 * std::exp(-0.2 * std::sqrt(sq / n)) - std::exp(cs / n) + 20 + std::numbers::e;
}

inline double styblinski_tang(const std::vector<double>& x) {
  double s = 0;
  for (double v : x) s += v * v * v * v - 16 * v * v + 5 * v;
  return 0.5 * s;
}

// Branin's box is x1 in [-5, 10], x2 in [0, 15]; the runner special-cases it.
inline std::vector<TestFunction> test_functions() {
  return {
      {"branin", 2, -5, 10, 0.397887357729738, branin},
      {"hartmann3", 3, 0, 1, -3.86278214782076, hartmann3},
      {"hartmann6", 6, 0, 1, -3.32236801141551, hartmann6},
      {"rosenbrock5", 5, -5, 10, 0.0, rosenbrock},
      {"ackley10", 10, -32.768, 32.768, 0.0, ackley},
      {"styblinski_tang10", 10, -5, 5, -39.16616570377142 * 10, styblinski_tang},
  };
}

}  // namespace hpo::bench

#include "samplers/tpe/multi_objective.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <utility>

namespace hpo::tpe {
namespace {

constexpr double kEps = 1e-12;
using Point = std::pair<double, double>;

Point loss(const Observations& obs, int i) { return {obs.losses[2 * i], obs.losses[2 * i + 1]}; }

// Optuna's reference point: a little beyond the worst point, never exactly zero.
Point reference_point(const std::vector<Point>& points) {
  Point worst = points.front();
  for (const Point& p : points) {
    worst.first = std::max(worst.first, p.first);
    worst.second = std::max(worst.second, p.second);
  }
  auto beyond = [](double w) {
    const double r = std::max(1.1 * w, 0.9 * w);
    return r == 0.0 ? kEps : r;
  };
  return {beyond(worst.first), beyond(worst.second)};
}

// The first non-dominated front of `candidates` (indices into obs), in a sweep over the points
// sorted by the first loss: a point is dominated iff an earlier point with a smaller first loss
// has a second loss <= its own, or one with an equal first loss has a smaller second loss.
std::vector<int> first_front(const Observations& obs, const std::vector<int>& candidates) {
  std::vector<int> order = candidates;
  std::sort(order.begin(), order.end(), [&](int a, int b) { return loss(obs, a) < loss(obs, b); });
  std::vector<int> front;
  double min_y_before = std::numeric_limits<double>::infinity();  // over smaller first losses
  size_t i = 0;
  while (i < order.size()) {
    size_t j = i;
    const double x = loss(obs, order[i]).first;
    const double group_min_y = loss(obs, order[i]).second;
    for (; j < order.size() && loss(obs, order[j]).first == x; ++j) {
      const double y = loss(obs, order[j]).second;
      if (!(min_y_before <= y) && !(group_min_y < y)) front.push_back(order[j]);
    }
    min_y_before = std::min(min_y_before, group_min_y);
    i = j;
  }
  return front;
}

}  // namespace

double hypervolume_2d(const std::vector<Point>& points, Point reference) {
  std::vector<Point> sorted;
  for (const Point& p : points) {
    if (p.first < reference.first && p.second < reference.second) sorted.push_back(p);
  }
  std::sort(sorted.begin(), sorted.end());
  double hv = 0.0;
  double min_y = reference.second;
  for (const Point& p : sorted) {
    if (p.second < min_y) {
      hv += (reference.first - p.first) * (min_y - p.second);
      min_y = p.second;
    }
  }
  return hv;
}

void split_two_objective(const Observations& obs, int n_below, std::vector<int>& below,
                         std::vector<int>& above) {
  const int n = obs.size();
  n_below = std::clamp(n_below, 0, n);
  std::vector<int> remaining(n);
  std::iota(remaining.begin(), remaining.end(), 0);
  std::vector<char> is_below(n, 0);
  int taken = 0;
  while (taken < n_below) {
    std::vector<int> front = first_front(obs, remaining);
    if (taken + static_cast<int>(front.size()) <= n_below) {
      for (int i : front) is_below[i] = 1;
      taken += static_cast<int>(front.size());
      std::erase_if(remaining, [&](int i) { return is_below[i] != 0; });
      continue;
    }
    // Greedy hypervolume subset selection on the front that does not fit whole.
    std::sort(front.begin(), front.end());
    std::vector<Point> points;
    for (int i : front) points.push_back(loss(obs, i));
    const Point ref = reference_point(points);
    std::vector<Point> selected;
    std::vector<char> used(front.size(), 0);
    double hv_selected = 0.0;
    while (taken < n_below) {
      int best = -1;
      double best_gain = -1.0;
      for (size_t c = 0; c < front.size(); ++c) {
        if (used[c]) continue;
        selected.push_back(points[c]);
        const double gain = hypervolume_2d(selected, ref) - hv_selected;
        selected.pop_back();
        if (gain > best_gain) {
          best_gain = gain;
          best = static_cast<int>(c);
        }
      }
      used[best] = 1;
      selected.push_back(points[best]);
      hv_selected = hypervolume_2d(selected, ref);
      is_below[front[best]] = 1;
      ++taken;
    }
  }
  below.clear();
  above.clear();
  for (int i = 0; i < n; ++i) (is_below[i] ? below : above).push_back(i);
}

std::vector<double> two_objective_below_weights(const Observations& obs,
                                                const std::vector<int>& below) {
  const size_t m = below.size();
  if (m == 0) return {};
  if (m == 1) return {1.0};
  std::vector<Point> points;
  for (int i : below) points.push_back(loss(obs, i));
  const Point ref = reference_point(points);
  const double hv = hypervolume_2d(points, ref);
  std::vector<double> contributions(m);
  for (size_t i = 0; i < m; ++i) {
    std::vector<Point> others = points;
    others.erase(others.begin() + static_cast<std::ptrdiff_t>(i));
    contributions[i] = hv - hypervolume_2d(others, ref) + kEps;
  }
  const double largest = *std::max_element(contributions.begin(), contributions.end());
  for (double& c : contributions) c = std::clamp(c / largest, 0.0, 1.0);
  return contributions;
}

}  // namespace hpo::tpe

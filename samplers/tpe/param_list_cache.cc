#include "samplers/tpe/param_list_cache.h"

#include <algorithm>
#include <atomic>
#include <cstring>

namespace hpo::tpe {

bool UnfinishedRow::operator==(const UnfinishedRow& o) const {
  return number == o.number && complete == o.complete && values.size() == o.values.size() &&
         (values.empty() ||
          std::memcmp(values.data(), o.values.data(), values.size() * sizeof(double)) == 0);
}

void grow_numbers(ParamListCache& cache, size_t n_numbers, int k, int p) {
  auto grow = [n_numbers](auto& v, size_t per_number, auto fill) {
    if (v.size() < n_numbers * per_number) v.resize(n_numbers * per_number, fill);
  };
  grow(cache.trial_ids, 1, int64_t{-1});
  grow(cache.included, 1, char{0});
  grow(cache.complete, 1, char{0});
  grow(cache.step_keys, 1, 0.0);
  grow(cache.losses, static_cast<size_t>(k), 0.0);
  grow(cache.values, static_cast<size_t>(p), 0.0);
}

void drop_cached(ParamListCache& cache, size_t num, int k) {
  if (cache.trial_ids[num] == -1) return;
  cache.by_value_valid = false;
  ++cache.n_dropped;
  if (cache.included[num]) {
    --cache.n_included;
    if (key_has_nan(cache, num, k)) {
      --cache.n_nan_keys;
    } else {
      cache.ranked.erase(RankedRow(cache.step_keys[num], cache.losses[num * k],
                                   static_cast<int>(num)));
    }
    cache.rows_changed = true;
  }
  cache.trial_ids[num] = -1;
  cache.included[num] = 0;
  cache.complete[num] = 0;
}

void advance_settled(ParamListCache& cache, const Trials& trials, int64_t first) {
  int64_t settled = first;
  for (const TrialPtr& tp : trials) {
    if (tp->number != settled || !is_finished(tp->state) ||
        cache.trial_ids[static_cast<size_t>(settled)] != tp->trial_id) {
      break;
    }
    ++settled;
  }
  cache.settled = std::max(cache.settled, settled);
}

uint64_t next_content_id() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace hpo::tpe

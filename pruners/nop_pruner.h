// A pruner that never prunes.
#pragma once

#include "core/pruner.h"

namespace hpo {

class NopPruner final : public Pruner {
 public:
  bool prune(const StudyView& /*study*/, const FrozenTrial& /*trial*/) override { return false; }
};

}  // namespace hpo

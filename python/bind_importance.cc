// Parameter importance (importance/ped_anova.h) for hpo.importance. The Python side picks the
// trials and computes the targets (Optuna's `target` callable runs there); C++ does the rest.
#include <pybind11/stl.h>

#include "importance/ped_anova.h"
#include "python/bindings.h"

namespace hpo::python {

void bind_importance(py::module_& m) {
  m.def(
      "_ped_anova_importances",
      [](const std::vector<std::shared_ptr<FrozenTrial>>& trials,
         const std::vector<double>& targets, StudyDirection direction, double target_quantile,
         double region_quantile, std::vector<std::string> params, bool normalize) {
        Trials frozen(trials.begin(), trials.end());
        PedAnovaOptions options{.target_quantile = target_quantile,
                                .region_quantile = region_quantile,
                                .params = std::move(params),
                                .normalize = normalize};
        std::vector<std::pair<std::string, double>> out;
        {
          py::gil_scoped_release release;
          for (ParamImportance& p : ped_anova_importances(frozen, targets, direction, options)) {
            out.emplace_back(std::move(p.name), p.importance);
          }
        }
        return out;  // highest first, as (name, importance) pairs
      },
      py::arg("trials"), py::arg("targets"), py::arg("direction"), py::arg("target_quantile"),
      py::arg("region_quantile"), py::arg("params"), py::arg("normalize"));
}

}  // namespace hpo::python

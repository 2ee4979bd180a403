// Hyperparameter importances (PED-ANOVA) as horizontal bars, highest first, each labelled with
// its share.
#include <algorithm>
#include <stdexcept>

#include "report/charts.h"

namespace hpo::report {

std::string importance_chart(const ObjectiveImportances& importances) {
  const std::vector<Importance>& items = importances.importances;
  if (items.empty()) throw std::invalid_argument("importance chart: no importances to draw");
  double row = 26;
  double height = 40 + row * static_cast<double>(items.size());
  double label_width = 170, left = label_width + 12, right = kChartWidth - 70;
  double top = 10;
  double max = 0;
  for (const Importance& i : items) max = std::max(max, i.importance);
  // All-zero importances (every param equally useless) still get an axis from 0 to 1.
  Scale x = Scale::linear(0, max > 0 ? max : 1, left, right);

  SvgBuilder svg(kChartWidth, height, "importance", "Hyperparameter importances");
  svg.begin_group("axes");
  double bottom = top + row * static_cast<double>(items.size());
  svg.line(left, bottom, right, bottom, "axis axis-x");
  for (const Tick& t : x.ticks(5)) {
    svg.line(x(t.value), bottom, x(t.value), bottom + 4, "tick");
    svg.text(x(t.value), bottom + 16, t.label, "tick-label", "middle");
  }
  svg.end_group();
  svg.begin_group("bars");
  for (size_t k = 0; k < items.size(); ++k) {
    double y = top + row * static_cast<double>(k);
    const Importance& item = items[k];
    std::string name = item.name.size() > 26 ? item.name.substr(0, 25) + "…" : item.name;
    svg.text(left - 8, y + row / 2 + 4, name, "bar-label", "end");
    svg.rect(left, y + 4, x(item.importance) - left, row - 8, "bar",
             item.name + ": " + format_number(item.importance));
    svg.text(x(item.importance) + 6, y + row / 2 + 4, format_number(item.importance), "bar-value");
  }
  svg.end_group();
  return svg.finish();
}

}  // namespace hpo::report

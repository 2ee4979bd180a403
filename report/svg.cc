#include "report/svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace hpo::report {
namespace {

// Coordinates with two decimals and no trailing zeros: deterministic and compact.
std::string coord(double v) {
  if (!std::isfinite(v)) v = 0;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  std::string s(buf);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

std::string attr(std::string_view name, std::string_view value) {
  return " " + std::string(name) + "=\"" + escape_xml(value) + "\"";
}

}  // namespace

std::string escape_xml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          out += "\xEF\xBF\xBD";
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string format_number(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", value);
  std::string s(buf);
  return s == "-0" ? "0" : s;
}

std::vector<double> nice_ticks(double lo, double hi, int target) {
  if (!std::isfinite(lo) || !std::isfinite(hi) || lo > hi) {
    throw std::invalid_argument("ticks need finite bounds with lo <= hi, got [" +
                                format_number(lo) + ", " + format_number(hi) + "]");
  }
  if (lo == hi) return {lo};
  target = std::max(target, 2);
  double raw = (hi - lo) / target;
  double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  // The candidate step nearest the raw one (on a log scale), so the count stays near target.
  double multiple = 1;
  for (double m : {2.0, 5.0, 10.0}) {
    if (std::abs(std::log(m * magnitude / raw)) < std::abs(std::log(multiple * magnitude / raw))) {
      multiple = m;
    }
  }
  double step = multiple * magnitude;
  // A tick is (k * multiple) units of magnitude; below 1, dividing the integer by 1/magnitude
  // (an exact power of ten) gives the closest double, 0.6 rather than 3 * 0.2 = 0.6000000000000001.
  double inverse = magnitude < 1 ? std::round(1 / magnitude) : 0;
  std::vector<double> ticks;
  double first = std::ceil(lo / step - 1e-9);
  double last = std::floor(hi / step + 1e-9);
  for (double k = first; k <= last; ++k) {
    double units = k * multiple;
    ticks.push_back(units == 0 ? 0.0 : inverse > 0 ? units / inverse : units * magnitude);
  }
  if (ticks.empty()) ticks = {lo, hi};
  return ticks;
}

std::vector<double> log_ticks(double lo, double hi) {
  if (!(lo > 0) || !(lo <= hi) || !std::isfinite(hi)) {
    throw std::invalid_argument("a log axis needs 0 < lo <= hi, got [" + format_number(lo) + ", " +
                                format_number(hi) + "]; use a linear axis for values <= 0");
  }
  int first = static_cast<int>(std::floor(std::log10(lo) - 1e-9));
  int last = static_cast<int>(std::ceil(std::log10(hi) + 1e-9));
  bool few_decades = std::log10(hi / lo) < 3;
  std::vector<double> ticks;
  for (int e = first; e <= last; ++e) {
    double base = std::pow(10.0, e);
    for (double m : {1.0, 2.0, 5.0}) {
      if (m != 1.0 && !few_decades) continue;
      double v = m * base;
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks.push_back(v);
    }
  }
  if (ticks.empty()) ticks = lo == hi ? std::vector<double>{lo} : std::vector<double>{lo, hi};
  return ticks;
}

Scale::Scale(ScaleKind kind, double lo, double hi, double out_from, double out_to)
    : kind_(kind), lo_(lo), hi_(hi), out_from_(out_from), out_to_(out_to) {}

Scale Scale::linear(double lo, double hi, double out_from, double out_to) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) {
    throw std::invalid_argument("a linear axis needs finite bounds, got [" + format_number(lo) +
                                ", " + format_number(hi) + "]");
  }
  if (lo > hi) std::swap(lo, hi);
  if (lo == hi) {
    double pad = lo == 0 ? 1.0 : std::abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  return Scale(ScaleKind::kLinear, lo, hi, out_from, out_to);
}

Scale Scale::log(double lo, double hi, double out_from, double out_to) {
  if (lo > hi) std::swap(lo, hi);
  if (!(lo > 0) || !std::isfinite(hi)) {
    throw std::invalid_argument("a log axis needs values > 0, got a lowest value of " +
                                format_number(lo) + "; use a linear axis");
  }
  if (lo == hi) {
    lo /= 2;
    hi *= 2;
  }
  return Scale(ScaleKind::kLog, lo, hi, out_from, out_to);
}

Scale Scale::categorical(std::vector<std::string> labels, double out_from, double out_to) {
  if (labels.empty()) throw std::invalid_argument("a categorical axis needs at least one label");
  Scale s(ScaleKind::kCategorical, 0, static_cast<double>(labels.size() - 1), out_from, out_to);
  s.labels_ = std::move(labels);
  return s;
}

double Scale::operator()(double value) const {
  double t = 0.5;
  switch (kind_) {
    case ScaleKind::kLinear:
      t = (value - lo_) / (hi_ - lo_);
      break;
    case ScaleKind::kLog:
      t = value > 0 ? std::log(value / lo_) / std::log(hi_ / lo_) : 0.0;
      break;
    case ScaleKind::kCategorical:
      t = (value + 0.5) / static_cast<double>(labels_.size());
      break;
  }
  return out_from_ + t * (out_to_ - out_from_);
}

Scale& Scale::integer_ticks() {
  integer_ = true;
  return *this;
}

std::vector<Tick> Scale::ticks(int target) const {
  std::vector<Tick> out;
  if (kind_ == ScaleKind::kCategorical) {
    for (size_t i = 0; i < labels_.size(); ++i) out.push_back({static_cast<double>(i), labels_[i]});
    return out;
  }
  std::vector<double> values =
      kind_ == ScaleKind::kLog ? log_ticks(lo_, hi_) : nice_ticks(lo_, hi_, target);
  for (double v : values) {
    if (!integer_ || v == std::round(v)) out.push_back({v, format_number(v)});
  }
  if (out.empty() && integer_) {
    // A range narrower than one whole step, e.g. [2.6, 3.4]: label the integers inside.
    for (double v = std::ceil(lo_); v <= hi_; ++v) out.push_back({v, format_number(v)});
  }
  return out;
}

SvgBuilder::SvgBuilder(double width, double height, std::string_view chart,
                       std::string_view aria_label) {
  out_ = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + coord(width) + "\" height=\"" +
         coord(height) + "\" viewBox=\"0 0 " + coord(width) + " " + coord(height) + "\"" +
         attr("class", "chart chart-" + std::string(chart)) + attr("data-chart", chart) +
         " role=\"img\"" + attr("aria-label", aria_label) + ">";
}

void SvgBuilder::close(std::string_view tag, std::string_view tooltip) {
  if (tooltip.empty()) {
    out_ += "/>";
  } else {
    out_ += "><title>" + escape_xml(tooltip) + "</title></" + std::string(tag) + ">";
  }
}

void SvgBuilder::line(double x1, double y1, double x2, double y2, std::string_view css_class) {
  out_ += "<line x1=\"" + coord(x1) + "\" y1=\"" + coord(y1) + "\" x2=\"" + coord(x2) + "\" y2=\"" +
          coord(y2) + "\"" + attr("class", css_class) + "/>";
}

void SvgBuilder::polyline(const std::vector<std::pair<double, double>>& points,
                          std::string_view css_class, std::string_view tooltip,
                          std::string_view style) {
  std::string pts;
  for (const auto& [x, y] : points) pts += (pts.empty() ? "" : " ") + coord(x) + "," + coord(y);
  out_ += "<polyline points=\"" + pts + "\"" + attr("class", css_class);
  if (!style.empty()) out_ += attr("style", style);
  close("polyline", tooltip);
}

void SvgBuilder::circle(double cx, double cy, double r, std::string_view css_class,
                        std::string_view tooltip, std::string_view style) {
  out_ += "<circle cx=\"" + coord(cx) + "\" cy=\"" + coord(cy) + "\" r=\"" + coord(r) + "\"" +
          attr("class", css_class);
  if (!style.empty()) out_ += attr("style", style);
  close("circle", tooltip);
}

void SvgBuilder::rect(double x, double y, double w, double h, std::string_view css_class,
                      std::string_view tooltip) {
  out_ += "<rect x=\"" + coord(x) + "\" y=\"" + coord(y) + "\" width=\"" + coord(std::max(w, 0.0)) +
          "\" height=\"" + coord(std::max(h, 0.0)) + "\"" + attr("class", css_class);
  close("rect", tooltip);
}

void SvgBuilder::text(double x, double y, std::string_view content, std::string_view css_class,
                      std::string_view anchor, double rotate) {
  out_ += "<text x=\"" + coord(x) + "\" y=\"" + coord(y) + "\"" + attr("class", css_class) +
          attr("text-anchor", anchor);
  if (rotate != 0) {
    out_ += " transform=\"rotate(" + coord(rotate) + " " + coord(x) + " " + coord(y) + ")\"";
  }
  out_ += ">" + escape_xml(content) + "</text>";
}

void SvgBuilder::begin_group(std::string_view css_class) {
  out_ += "<g" + attr("class", css_class) + ">";
  ++open_groups_;
}

void SvgBuilder::end_group() {
  if (open_groups_ == 0) throw std::logic_error("SvgBuilder::end_group without begin_group");
  out_ += "</g>";
  --open_groups_;
}

std::string SvgBuilder::finish() {
  while (open_groups_ > 0) end_group();
  return out_ + "</svg>";
}

void draw_axes(SvgBuilder& svg, const Frame& frame, const Scale& x, const Scale& y,
               std::string_view x_title, std::string_view y_title) {
  svg.begin_group("axes");
  svg.line(frame.left, frame.bottom(), frame.right(), frame.bottom(), "axis axis-x");
  svg.line(frame.left, frame.top, frame.left, frame.bottom(), "axis axis-y");
  std::vector<Tick> xt = x.ticks(6);
  // Long category lists get slanted labels so neighbours do not overlap.
  bool slant = x.kind() == ScaleKind::kCategorical && xt.size() > 4;
  for (const Tick& t : xt) {
    double px = x(t.value);
    svg.line(px, frame.bottom(), px, frame.bottom() + 4, "tick");
    std::string label = t.label.size() > 18 ? t.label.substr(0, 17) + "…" : t.label;
    svg.text(px, frame.bottom() + 16, label, "tick-label", slant ? "end" : "middle",
             slant ? -30 : 0);
  }
  for (const Tick& t : y.ticks(5)) {
    double py = y(t.value);
    svg.line(frame.left - 4, py, frame.left, py, "tick");
    svg.line(frame.left, py, frame.right(), py, "grid");
    std::string label = t.label.size() > 10 ? t.label.substr(0, 9) + "…" : t.label;
    svg.text(frame.left - 6, py + 4, label, "tick-label", "end");
  }
  svg.text(frame.left + frame.width / 2, frame.bottom() + (slant ? 44 : 34), x_title, "axis-title",
           "middle");
  svg.text(frame.left - 46, frame.top + frame.height / 2, y_title, "axis-title", "middle", -90);
  svg.end_group();
}

std::string ramp_color(double t) {
  if (!std::isfinite(t)) t = 0.5;
  t = std::clamp(t, 0.0, 1.0);
  // Blue (#2c7bb6) through orange (#fdae61) to red (#d7191c): the middle stays visible on white.
  const double a[3] = {0x2c, 0x7b, 0xb6}, m[3] = {0xfd, 0xae, 0x61}, b[3] = {0xd7, 0x19, 0x1c};
  char buf[8];
  int c[3];
  for (int i = 0; i < 3; ++i) {
    double v = t < 0.5 ? a[i] + (m[i] - a[i]) * t * 2 : m[i] + (b[i] - m[i]) * (t - 0.5) * 2;
    c[i] = static_cast<int>(std::lround(v));
  }
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", c[0], c[1], c[2]);
  return buf;
}

}  // namespace hpo::report

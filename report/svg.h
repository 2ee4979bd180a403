// The drawing layer of the study report: escaping, scales with their ticks, and an SVG text
// builder. Charts (report/*_chart.cc) are written against this and know nothing of XML.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hpo::report {

// Text for an XML/HTML text node or a double-quoted attribute: & < > " ' become entities, so a
// param name such as `<a href="x">&` shows as written and cannot open a tag or end an
// attribute. Bytes that XML 1.0 forbids (control characters other than tab and newlines)
// become U+FFFD, which keeps a strict SVG parser from rejecting the whole page.
std::string escape_xml(std::string_view text);

// A short human form for labels and tooltips: up to 4 significant digits ("0.0123", "1.5e+06",
// "42"), "nan", "inf", "-inf".
std::string format_number(double value);

// Ticks in "nice" steps (1, 2 or 5 times a power of ten) covering [lo, hi]: about `target`
// values, all inside [lo, hi], ascending. lo == hi gives that one value. Throws
// std::invalid_argument for non-finite bounds or lo > hi.
std::vector<double> nice_ticks(double lo, double hi, int target = 5);
// Ticks for a log axis on [lo, hi] (0 < lo <= hi): the powers of ten inside, with 2 and 5
// times them when fewer than three decades are covered, and lo and hi themselves when no
// power of ten falls inside. Throws std::invalid_argument for lo <= 0 or lo > hi.
std::vector<double> log_ticks(double lo, double hi);

enum class ScaleKind { kLinear, kLog, kCategorical };

struct Tick {
  double value;  // in the scale's domain (for categorical scales: the index)
  std::string label;
};

// Maps a data value to a pixel coordinate. Linear and log scales map [lo, hi] onto
// [out_from, out_to] (out_from may be larger, for a y axis growing upwards); a categorical
// scale maps index i of n labels to the middle of the i-th of n equal bands.
class Scale {
 public:
  // lo == hi is widened so the single value sits in the middle of the range.
  static Scale linear(double lo, double hi, double out_from, double out_to);
  // Throws std::invalid_argument (naming lo) unless 0 < lo; lo == hi is widened by a factor.
  static Scale log(double lo, double hi, double out_from, double out_to);
  // Throws std::invalid_argument for an empty label list.
  static Scale categorical(std::vector<std::string> labels, double out_from, double out_to);

  // Keeps only whole-number ticks (int params, trial numbers, steps); a linear scale then
  // never labels 1.5 layers. Returns *this.
  Scale& integer_ticks();

  double operator()(double value) const;
  std::vector<Tick> ticks(int target = 5) const;
  ScaleKind kind() const { return kind_; }
  double lo() const { return lo_; }
  double hi() const { return hi_; }
  const std::vector<std::string>& labels() const { return labels_; }

 private:
  Scale(ScaleKind kind, double lo, double hi, double out_from, double out_to);
  ScaleKind kind_;
  double lo_, hi_;
  double out_from_, out_to_;
  bool integer_ = false;
  std::vector<std::string> labels_;
};

// The plotting area inside an SVG: axes are drawn on its left and bottom edges.
struct Frame {
  double left, top, width, height;
  double right() const { return left + width; }
  double bottom() const { return top + height; }
};

// Accumulates an <svg> element. Every string argument is escaped here; `css_class` values are
// the builder's callers' own constants. A non-empty `tooltip` becomes a <title> child, which
// browsers show on hover without any script.
class SvgBuilder {
 public:
  // `chart` names the chart kind in the class ("chart chart-<chart>") and in data-chart.
  SvgBuilder(double width, double height, std::string_view chart, std::string_view aria_label);

  void line(double x1, double y1, double x2, double y2, std::string_view css_class);
  void polyline(const std::vector<std::pair<double, double>>& points, std::string_view css_class,
                std::string_view tooltip = {}, std::string_view style = {});
  void circle(double cx, double cy, double r, std::string_view css_class,
              std::string_view tooltip = {}, std::string_view style = {});
  void rect(double x, double y, double w, double h, std::string_view css_class,
            std::string_view tooltip = {});
  // anchor: "start", "middle" or "end". rotate: degrees around (x, y).
  void text(double x, double y, std::string_view content, std::string_view css_class,
            std::string_view anchor = "start", double rotate = 0);
  void begin_group(std::string_view css_class);
  void end_group();

  std::string finish();

 private:
  void close(std::string_view tag, std::string_view tooltip);
  std::string out_;
  int open_groups_ = 0;
};

// Draws the frame's x axis (bottom) and y axis (left): the axis lines, tick marks, tick labels
// and the axis titles.
void draw_axes(SvgBuilder& svg, const Frame& frame, const Scale& x, const Scale& y,
               std::string_view x_title, std::string_view y_title);

// A colour from a blue (t = 0) through orange to red (t = 1) ramp as "#rrggbb"; t is clamped
// to [0, 1].
std::string ramp_color(double t);

}  // namespace hpo::report

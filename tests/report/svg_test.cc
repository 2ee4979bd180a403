// The report's drawing layer: escaping, number labels, ticks and scales, the SVG builder.
#include "report/svg.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

namespace hpo::report {
namespace {

TEST(EscapeXmlTest, EntitiesForMarkupCharacters) {
  EXPECT_EQ(escape_xml("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
  EXPECT_EQ(escape_xml("plain_name.1"), "plain_name.1");
  EXPECT_EQ(escape_xml("µ-λ"), "µ-λ");  // UTF-8 passes through
}

TEST(EscapeXmlTest, ControlBytesBecomeReplacementCharacter) {
  EXPECT_EQ(escape_xml(std::string("a\x01"
                                   "b",
                                   3)),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(escape_xml("tab\there\nnewline"), "tab\there\nnewline");
}

TEST(FormatNumberTest, FourSignificantDigits) {
  EXPECT_EQ(format_number(0.012345), "0.01235");
  EXPECT_EQ(format_number(42), "42");
  EXPECT_EQ(format_number(1.5e6), "1.5e+06");
  EXPECT_EQ(format_number(-0.0), "0");
  EXPECT_EQ(format_number(NAN), "nan");
  EXPECT_EQ(format_number(-INFINITY), "-inf");
}

TEST(NiceTicksTest, StepsOfOneTwoOrFive) {
  EXPECT_EQ(nice_ticks(0, 1, 5), (std::vector<double>{0, 0.2, 0.4, 0.6, 0.8, 1}));
  EXPECT_EQ(nice_ticks(0, 100, 5), (std::vector<double>{0, 20, 40, 60, 80, 100}));
  EXPECT_EQ(nice_ticks(-3, 7, 2), (std::vector<double>{0, 5}));
  std::vector<double> t = nice_ticks(0.13, 0.97, 4);
  EXPECT_EQ(t, (std::vector<double>{0.2, 0.4, 0.6, 0.8}));
}

TEST(NiceTicksTest, TicksStayInsideTheRange) {
  for (auto [lo, hi] : {std::pair{-7.3, 12.9}, {1e-3, 2.7e-3}, {123456.0, 123999.0}}) {
    std::vector<double> t = nice_ticks(lo, hi, 5);
    ASSERT_GE(t.size(), 2u) << lo << " " << hi;
    EXPECT_GE(t.front(), lo);
    EXPECT_LE(t.back(), hi);
    EXPECT_LE(t.size(), 11u);
  }
}

TEST(NiceTicksTest, DegenerateAndInvalidRanges) {
  EXPECT_EQ(nice_ticks(3, 3), (std::vector<double>{3}));
  EXPECT_THROW(nice_ticks(2, 1), std::invalid_argument);
  EXPECT_THROW(nice_ticks(0, INFINITY), std::invalid_argument);
}

TEST(LogTicksTest, PowersOfTenOverManyDecades) {
  std::vector<double> t = log_ticks(1e-5, 0.1);
  ASSERT_EQ(t.size(), 5u);
  for (size_t i = 0; i < t.size(); ++i) EXPECT_NEAR(std::log10(t[i]), -5.0 + i, 1e-12);
}

TEST(LogTicksTest, TwoAndFiveWithinFewDecades) {
  std::vector<double> t = log_ticks(1, 50);
  ASSERT_EQ(t.size(), 6u);
  std::vector<double> want{1, 2, 5, 10, 20, 50};
  for (size_t i = 0; i < t.size(); ++i) EXPECT_NEAR(t[i], want[i], 1e-9);
}

TEST(LogTicksTest, BoundsWhenNoPowerOfTenInside) {
  EXPECT_EQ(log_ticks(3, 4), (std::vector<double>{3, 4}));
  EXPECT_THROW(log_ticks(0, 1), std::invalid_argument);
  EXPECT_THROW(log_ticks(-1, 1), std::invalid_argument);
}

TEST(ScaleTest, LinearMapsEndsAndCanRunUpwards) {
  Scale y = Scale::linear(0, 10, 300, 100);  // y axis: larger values higher up
  EXPECT_DOUBLE_EQ(y(0), 300);
  EXPECT_DOUBLE_EQ(y(10), 100);
  EXPECT_DOUBLE_EQ(y(2.5), 250);
  EXPECT_EQ(y.kind(), ScaleKind::kLinear);
}

TEST(ScaleTest, LinearWidensASingleValue) {
  Scale s = Scale::linear(5, 5, 0, 100);
  EXPECT_LT(s.lo(), 5);
  EXPECT_GT(s.hi(), 5);
  EXPECT_DOUBLE_EQ(s(5), 50);
  Scale zero = Scale::linear(0, 0, 0, 100);
  EXPECT_DOUBLE_EQ(zero(0), 50);
}

TEST(ScaleTest, LogPutsTheGeometricMeanInTheMiddle) {
  Scale s = Scale::log(1e-4, 1, 0, 400);
  EXPECT_DOUBLE_EQ(s(1e-4), 0);
  EXPECT_NEAR(s(1e-2), 200, 1e-9);
  EXPECT_NEAR(s(1), 400, 1e-9);
  std::vector<Tick> ticks = s.ticks();
  ASSERT_EQ(ticks.size(), 5u);
  EXPECT_EQ(ticks.front().label, "0.0001");
  EXPECT_EQ(ticks.back().label, "1");
}

TEST(ScaleTest, LogRejectsNonPositiveLowNamingIt) {
  try {
    Scale::log(0, 1, 0, 100);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("lowest value of 0"), std::string::npos) << e.what();
  }
}

TEST(ScaleTest, CategoricalBandsAndLabels) {
  Scale s = Scale::categorical({"adam", "sgd", "<rms&prop>"}, 0, 300);
  EXPECT_DOUBLE_EQ(s(0), 50);
  EXPECT_DOUBLE_EQ(s(1), 150);
  EXPECT_DOUBLE_EQ(s(2), 250);
  std::vector<Tick> ticks = s.ticks();
  ASSERT_EQ(ticks.size(), 3u);
  EXPECT_EQ(ticks[2].label, "<rms&prop>");  // escaped when drawn, not here
  EXPECT_THROW(Scale::categorical({}, 0, 1), std::invalid_argument);
}

TEST(ScaleTest, IntegerTicksDropFractions) {
  std::vector<Tick> ticks = Scale::linear(1, 4, 0, 100).integer_ticks().ticks(6);
  std::vector<std::string> labels;
  for (const Tick& t : ticks) labels.push_back(t.label);
  EXPECT_EQ(labels, (std::vector<std::string>{"1", "2", "3", "4"}));
  // Narrower than one step: the whole numbers inside still get a tick.
  ticks = Scale::linear(2.6, 3.4, 0, 100).integer_ticks().ticks(5);
  ASSERT_EQ(ticks.size(), 1u);
  EXPECT_EQ(ticks[0].label, "3");
}

TEST(SvgBuilderTest, EscapesTextAttributesAndTooltips) {
  SvgBuilder svg(100, 50, "demo", "a \"quoted\" <label>");
  svg.text(1, 2, "x<y & \"z\"", "label");
  svg.circle(10, 10, 2, "marker", "trial 1\nname = <b>");
  std::string out = svg.finish();
  EXPECT_NE(out.find("aria-label=\"a &quot;quoted&quot; &lt;label&gt;\""), std::string::npos);
  EXPECT_NE(out.find(">x&lt;y &amp; &quot;z&quot;</text>"), std::string::npos);
  EXPECT_NE(out.find("<title>trial 1\nname = &lt;b&gt;</title></circle>"), std::string::npos);
  EXPECT_EQ(out.find("<b>"), std::string::npos);
  EXPECT_EQ(out.rfind("</svg>"), out.size() - 6);
}

TEST(SvgBuilderTest, CoordinatesAreCompactAndGroupsClosed) {
  SvgBuilder svg(10, 10, "demo", "demo");
  svg.begin_group("g1");
  svg.polyline({{1.0, 2.5}, {3.333333, -0.0}}, "line");
  std::string out = svg.finish();
  EXPECT_NE(out.find("points=\"1,2.5 3.33,0\""), std::string::npos) << out;
  EXPECT_NE(out.find("</g></svg>"), std::string::npos);
  EXPECT_NE(out.find("class=\"chart chart-demo\" data-chart=\"demo\""), std::string::npos);
}

TEST(RampColorTest, EndsAndClamp) {
  EXPECT_EQ(ramp_color(0), "#2c7bb6");
  EXPECT_EQ(ramp_color(1), "#d7191c");
  EXPECT_EQ(ramp_color(0.5), "#fdae61");
  EXPECT_EQ(ramp_color(-3), "#2c7bb6");
}

}  // namespace
}  // namespace hpo::report

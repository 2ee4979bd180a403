// The objective-output parser and the command template: pure functions, tested alone.
#include "cli/metric_parser.h"

#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "cli/objective_process.h"
#include "cli/study_file.h"

namespace hpo::cli {
namespace {

TEST(ParseIntermediate, ReadsStepAndKey) {
  auto v = parse_intermediate(R"(  {"step": 3, "loss": 0.25, "acc": 0.9} )", "loss");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->step, 3);
  EXPECT_DOUBLE_EQ(v->value, 0.25);
}

TEST(ParseIntermediate, IgnoresOtherLines) {
  EXPECT_FALSE(parse_intermediate("epoch 3 loss 0.25", "loss"));
  EXPECT_FALSE(parse_intermediate(R"({"loss": 0.25})", "loss"));                // no step
  EXPECT_FALSE(parse_intermediate(R"({"step": 1.5, "loss": 0.25})", "loss"));   // fractional
  EXPECT_FALSE(parse_intermediate(R"({"step": -1, "loss": 0.25})", "loss"));    // negative
  EXPECT_FALSE(parse_intermediate(R"({"step": 1, "acc": 0.25})", "loss"));      // other key
  EXPECT_FALSE(parse_intermediate(R"({"step": 1, "loss": "high"})", "loss"));   // garbage
  EXPECT_FALSE(parse_intermediate(R"({"step": 1, "loss": 0.2)", "loss"));       // cut short
  EXPECT_FALSE(parse_intermediate(R"([{"step": 1, "loss": 0.2}])", "loss"));    // not an object
  EXPECT_FALSE(parse_intermediate(R"({"step": 99999999999999999999, "loss": 1})", "loss"));
}

TEST(ParseIntermediate, NanIsData) {
  auto v = parse_intermediate(R"({"step": 2, "loss": NaN})", "loss");
  ASSERT_TRUE(v);
  EXPECT_TRUE(std::isnan(v->value));
}

TEST(ParseFinalJsonLine, ReadsKeysAndDottedPaths) {
  MetricResult r = parse_final_json_line(R"({"val": {"loss": 0.5}, "latency": 3})",
                                         {"val.loss", "latency"});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.values, (std::vector<double>{0.5, 3.0}));
}

TEST(ParseFinalJsonLine, ExplainsEachFailure) {
  EXPECT_NE(parse_final_json_line(std::nullopt, {"loss"}).error.find("printed no JSON line"),
            std::string::npos);
  EXPECT_NE(parse_final_json_line(R"({"acc": 1})", {"loss"}).error.find("no key 'loss'"),
            std::string::npos);
  EXPECT_NE(parse_final_json_line(R"({"loss": "abc"})", {"loss"}).error.find("garbage metric"),
            std::string::npos);
  EXPECT_NE(parse_final_json_line(R"({"loss": Infinity})", {"loss"}).error.find("non-finite"),
            std::string::npos);
  EXPECT_NE(parse_final_json_line(R"({"loss": null})", {"loss"}).error.find("not a number"),
            std::string::npos);
}

TEST(ParseFinalJsonLine, AcceptsNumbersInStrings) {
  MetricResult r = parse_final_json_line(R"({"loss": "0.125"})", {"loss"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.values[0], 0.125);
}

TEST(ParseMetricDocument, JsonAndYaml) {
  MetricResult j = parse_metric_document(R"({"loss": 1.5})", false, {"loss"}, "m.json");
  ASSERT_TRUE(j.ok()) << j.error;
  EXPECT_EQ(j.values[0], 1.5);
  MetricResult y = parse_metric_document("eval:\n  loss: 2.5e-1\n", true, {"eval.loss"}, "m.yaml");
  ASSERT_TRUE(y.ok()) << y.error;
  EXPECT_EQ(y.values[0], 0.25);
  EXPECT_FALSE(parse_metric_document("{", false, {"loss"}, "m.json").ok());
  EXPECT_FALSE(parse_metric_document("[1, 2]", false, {"loss"}, "m.json").ok());
  EXPECT_FALSE(parse_metric_document("a: [", true, {"loss"}, "m.yaml").ok());
  EXPECT_FALSE(parse_metric_document("loss: .nan\n", true, {"loss"}, "m.yaml").ok());
}

// Ten levels, each a list of ten aliases of the one before: under a kilobyte of YAML that
// names 10^10 values.
std::string billion_laughs(const std::string& indent) {
  std::string text = indent + "l0: &l0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n";
  for (int i = 1; i <= 9; ++i) {
    std::string prev = "*l" + std::to_string(i - 1);
    text += indent + "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) text += (k ? ", " : "") + prev;
    text += "]\n";
  }
  return text;
}

// Found with metric_output_fuzzer: the YAML reader expanded every alias, so a small metrics
// file held the run for minutes and gigabytes.
TEST(ParseMetricDocument, YamlAliasesCannotExpandWithoutBound) {
  MetricResult r = parse_metric_document(billion_laughs("") + "loss: 0.5\n", true, {"loss"},
                                         "m.yaml");
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("aliases"), std::string::npos) << r.error;
  MetricResult small = parse_metric_document("a: &a [1, 2]\nb: *a\nloss: 0.5\n", true,
                                             {"loss"}, "m.yaml");
  ASSERT_TRUE(small.ok()) << small.error;
  EXPECT_EQ(small.values[0], 0.5);
}

// Found with study_file_fuzzer: the same expansion in sampler and pruner options.
TEST(LoadStudyText, OptionAliasesCannotExpandWithoutBound) {
  std::string text = "sampler:\n  name: random\n  options:\n" + billion_laughs("    ") +
                     "search_space:\n  x: {type: float, low: 0, high: 1}\n"
                     "objective: {command: \"echo {x}\", metric: loss}\n";
  try {
    load_study_text(text, "/s.yaml");
    ADD_FAILURE() << "accepted";
  } catch (const StudyFileError& e) {
    ASSERT_EQ(e.problems().size(), 1u) << e.what();
    EXPECT_NE(e.problems()[0].find("sampler.options: holds more than 100000"),
              std::string::npos)
        << e.what();
  }
}

// Found by study_file_fuzzer: an alias inside its own anchor makes an endless tree, and
// copying it overflowed the stack.
TEST(LoadStudyText, AliasCycleIsAProblem) {
  std::string text = "sampler:\n  name: random\n  options:\n    l: &l [1, *l]\n"
                     "search_space:\n  x: {type: float, low: 0, high: 1}\n"
                     "objective: {command: \"echo {x}\", metric: loss}\n";
  EXPECT_THROW(load_study_text(text, "/s.yaml"), StudyFileError);
  EXPECT_FALSE(parse_metric_document("a: &a [1, *a]\nloss: 0.5\n", true, {"loss"}, "m.yaml")
                   .ok());
}

// Found with study_file_fuzzer: a name too long for the file system escaped as
// std::filesystem_error, and hpo run aborted.
TEST(LoadStudyText, PathTooLongToCheckIsAProblem) {
  std::string name = "/" + std::string(300, 'a');
  std::string text = "search_space:\n  x: {type: float, low: 0, high: 1}\n"
                     "objective:\n  command: echo {x}\n  metric: loss\n  working_dir: " +
                     name + "\ninputs: [" + name + "]\n";
  try {
    load_study_text(text, "/s.yaml");
    ADD_FAILURE() << "accepted";
  } catch (const StudyFileError& e) {
    ASSERT_EQ(e.problems().size(), 2u) << e.what();
    EXPECT_NE(e.problems()[0].find("objective.working_dir: folder"), std::string::npos);
    EXPECT_NE(e.problems()[0].find("cannot be checked"), std::string::npos) << e.what();
    EXPECT_NE(e.problems()[1].find("inputs: '"), std::string::npos) << e.what();
  }
}

TEST(LastNumber, FindsTheLastNumericToken) {
  EXPECT_EQ(last_number_in("epoch 3: loss=0.25, acc=0.9"), 0.9);
  EXPECT_EQ(last_number_in("loss: 1e-3 done"), 1e-3);
  EXPECT_EQ(last_number_in("-4"), -4.0);
  EXPECT_FALSE(last_number_in("no numbers here"));
  EXPECT_FALSE(last_number_in(""));
  EXPECT_TRUE(std::isnan(*last_number_in("loss nan")));
  EXPECT_FALSE(parse_final_last_number(last_number_in("loss inf")).ok());
  EXPECT_FALSE(parse_final_last_number(std::nullopt).ok());
  EXPECT_EQ(parse_final_last_number(2.5).values, std::vector<double>{2.5});
}

TEST(Placeholders, OnlyIdentifiersInBraces) {
  EXPECT_EQ(placeholders_in("train --lr {lr} --n {n_layers} ${HOME} {{lr}} awk '{ print }'"),
            (std::vector<std::string>{"lr", "n_layers"}));
  EXPECT_EQ(substitute_placeholders("a {x} {{x}} ${x} {y} {1}", {{"x", "it's"}}),
            "a 'it'\\''s' {x} ${x} {y} {1}");
}

TEST(ShellQuote, QuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(shell_quote("0.001"), "0.001");
  EXPECT_EQ(shell_quote("a b"), "'a b'");
  EXPECT_EQ(shell_quote(""), "''");
  EXPECT_EQ(shell_quote("$(rm -rf /)"), "'$(rm -rf /)'");
}

TEST(ParamText, ShortestExactForm) {
  EXPECT_EQ(param_text(ParamValue(0.1)), "0.1");
  EXPECT_EQ(param_text(ParamValue(int64_t{3})), "3");
  EXPECT_EQ(param_text(ParamValue(true)), "true");
  EXPECT_EQ(param_text(ParamValue(std::string("adam"))), "adam");
  EXPECT_EQ(std::stod(param_text(ParamValue(1.0 / 3.0))), 1.0 / 3.0);
}

}  // namespace
}  // namespace hpo::cli

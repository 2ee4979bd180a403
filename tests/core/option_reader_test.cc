#include "core/option_reader.h"

#include <gtest/gtest.h>

#include "tests/core/error_of.h"

namespace hpo {
namespace {

using testing::error_of;

TEST(OptionReaderTest, DidYouMean) {
  std::vector<std::string> known = {"seed", "n_startup_trials", "multivariate"};
  EXPECT_EQ(did_you_mean("seeed", known), "seed");
  EXPECT_EQ(did_you_mean("n_startup_trial", known), "n_startup_trials");
  EXPECT_EQ(did_you_mean("multivaraite", known), "multivariate");
  EXPECT_EQ(did_you_mean("completely_else", known), std::nullopt);
  EXPECT_EQ(did_you_mean("x", {}), std::nullopt);
}

TEST(OptionReaderTest, ReadsTypedValuesAndDefaults) {
  OptionReader r("sampler 'tpe'", nlohmann::json{{"seed", 3}, {"flag", true}, {"w", 2},
                                                  {"name", "x"}, {"n", 4.0}, {"none", nullptr}});
  EXPECT_EQ(r.get<int64_t>("seed", 0), 3);
  EXPECT_EQ(r.get<bool>("flag", false), true);
  EXPECT_EQ(r.get<double>("w", 0.0), 2.0);
  EXPECT_EQ(r.get<std::string>("name", ""), "x");
  EXPECT_EQ(r.get<int>("n", 0), 4);
  EXPECT_EQ(r.get<int>("none", 9), 9);
  EXPECT_EQ(r.get<int>("absent", 7), 7);
  EXPECT_NO_THROW(r.finish());
}

TEST(OptionReaderTest, Errors) {
  EXPECT_NE(error_of([] { OptionReader("sampler 'x'", nlohmann::json::array()); })
                .find("must be a JSON object"),
            std::string::npos);
  OptionReader r("sampler 'random'", nlohmann::json{{"seed", "abc"}});
  EXPECT_EQ(error_of([&] { r.get<int64_t>("seed", 0); }),
            "sampler 'random': option 'seed' must be an integer, got \"abc\"");
  OptionReader r2("sampler 'random'", nlohmann::json{{"seeed", 1}});
  r2.get<int64_t>("seed", 0);
  std::string e = error_of([&] { r2.finish(); });
  EXPECT_NE(e.find("unknown option 'seeed'"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean 'seed'?"), std::string::npos) << e;
  OptionReader r3("pruner 'nop'", nlohmann::json{{"a", 1}});
  EXPECT_NE(error_of([&] { r3.finish(); }).find("takes no options"), std::string::npos);
  OptionReader r4("x", nlohmann::json{{"f", 1.5}});
  EXPECT_THROW(r4.get<int>("f", 0), std::invalid_argument);
}

// max_retry=1e300 in a storage URL (or n_startup_trials: 1e300 in a study file) was cast to
// int, which is undefined; 4294967297 wrapped silently.
TEST(OptionReaderTest, IntegersOutOfTheTypesRangeAreRefused) {
  OptionReader r("storage 'sqlite'",
                 nlohmann::json{{"huge", 1e300}, {"big", 4294967297LL}, {"neg", -1},
                                {"u", 18446744073709551615ULL}, {"ok", 2147483647.0}});
  EXPECT_EQ(error_of([&] { r.get<int>("huge", 0); }),
            "storage 'sqlite': option 'huge' must be an integer from -2147483648 to "
            "2147483647, got 1e+300");
  EXPECT_THROW(r.get<int>("big", 0), std::invalid_argument);
  EXPECT_EQ(r.get<int64_t>("big", 0), 4294967297LL);
  EXPECT_THROW(r.get<uint64_t>("neg", 0), std::invalid_argument);
  EXPECT_EQ(r.get<int>("neg", 0), -1);
  EXPECT_EQ(r.get<uint64_t>("u", 0), 18446744073709551615ULL);
  EXPECT_THROW(r.get<int64_t>("u", 0), std::invalid_argument);
  EXPECT_EQ(r.get<int>("ok", 0), 2147483647);
}

// Found by storage_url_fuzzer: sqlite:///s.db?max_retry=\x8b made the message's dump of
// the value throw nlohmann's type_error (not UTF-8) instead of std::invalid_argument.
TEST(OptionReaderTest, ValuesThatAreNotUtf8AreShownReplaced) {
  OptionReader r("storage 'sqlite'", nlohmann::json{{"max_retry", "a\x8b"}});
  EXPECT_EQ(error_of([&] { r.get<int>("max_retry", 0); }),
            "storage 'sqlite': option 'max_retry' must be an integer, got \"a\xEF\xBF\xBD\"");
  EXPECT_THROW(OptionReader("x", nlohmann::json("\xff")), std::invalid_argument);
}

}  // namespace
}  // namespace hpo

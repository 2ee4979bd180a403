// The study key: SHA-256 itself, and what does and does not change a study's key.
#include "cli/study_key.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace hpo::cli {
namespace {

namespace fs = std::filesystem;

TEST(Sha256, KnownVectors) {
  Sha256 empty;
  EXPECT_EQ(empty.hex_digest(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  Sha256 abc;
  abc.update("a");
  abc.update("bc");
  EXPECT_EQ(abc.hex_digest(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

class StudyKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("hpo_study_key_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "data" / "b");
    write("data/a.csv", "1\n");
    write("data/b/c.csv", "2\n");
    write("train.py", "print(1)\n");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  std::string key_of(const std::string& extra = "", const std::string& n_trials = "5") {
    write("s.yaml",
          "search_space: {x: {type: float, low: 0, high: 1}}\n"
          "objective:\n  command: python3 train.py {x}\n  metric: loss\n"
          "budget: {n_trials: " + n_trials + "}\n"
          "inputs: [train.py, data]\n" + extra);
    return study_key(load_study_file((dir_ / "s.yaml").string()));
  }

  fs::path dir_;
};

TEST_F(StudyKeyTest, SameDefinitionAndInputsSameKey) {
  std::string key = key_of();
  EXPECT_EQ(key.size(), 64u);
  EXPECT_EQ(key_of(), key);
  EXPECT_EQ(key_of("n_jobs: 3\noutputs: {metrics: m.json}\nstorage: ':memory:'\n", "50"), key);
}

TEST_F(StudyKeyTest, InputContentsAndDefinitionChangeTheKey) {
  std::string key = key_of();
  write("data/b/c.csv", "3\n");
  std::string changed_nested = key_of();
  EXPECT_NE(changed_nested, key);
  write("data/b/new.csv", "");
  EXPECT_NE(key_of(), changed_nested);
  EXPECT_NE(key_of("direction: maximize\n"), key_of());
  EXPECT_NE(key_of("sampler: {name: random, options: {seed: 2}}\n"), key_of());
}

TEST_F(StudyKeyTest, NameIsStemAndShortKey) {
  key_of();
  StudyFile file = load_study_file((dir_ / "s.yaml").string());
  EXPECT_EQ(study_name_for(file), "s-" + study_key(file).substr(0, 12));
  file.study_name = "fixed";
  EXPECT_EQ(study_name_for(file), "fixed");
}

}  // namespace
}  // namespace hpo::cli

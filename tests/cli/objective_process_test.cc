// The objective runner against real processes: streams, exit codes, the environment, timeouts,
// SIGTERM then SIGKILL, stopping on a line (the pruning path), and leftover processes.
#include "cli/objective_process.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace hpo::cli {
namespace {

namespace fs = std::filesystem;

fs::path temp_dir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("hpo_objective_process_" + name + "_" +
                                               std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// True once `pid` is gone or a zombie waiting for its reaper.
bool gone(pid_t pid) {
  for (int i = 0; i < 200; ++i) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    if (!stat) return true;
    std::string all((std::istreambuf_iterator<char>(stat)), {});
    size_t paren = all.rfind(") ");
    if (paren != std::string::npos && all[paren + 2] == 'Z') return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST(ObjectiveProcess, StreamsExitCodeAndLog) {
  fs::path dir = temp_dir("streams");
  ProcessSpec spec;
  spec.command = "echo hello; echo '{\"loss\": 1.5}'; echo oops >&2; echo 'loss 7'; exit 3";
  spec.log_path = (dir / "logs" / "trial_0.log").string();
  std::vector<std::string> lines;
  ProcessResult r = run_objective_process(
      spec, [&](std::string_view line) { lines.emplace_back(line); return false; }, nullptr);
  EXPECT_EQ(r.end, ProcessEnd::kExited);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(lines, (std::vector<std::string>{"hello", "{\"loss\": 1.5}", "loss 7"}));
  EXPECT_EQ(r.last_json_line, "{\"loss\": 1.5}");
  EXPECT_EQ(r.last_number, 7.0);
  EXPECT_EQ(std::vector<std::string>(r.stderr_tail.begin(), r.stderr_tail.end()),
            std::vector<std::string>{"oops"});
  std::string log = read_all(spec.log_path);
  EXPECT_NE(log.find("hello"), std::string::npos);
  EXPECT_NE(log.find("oops"), std::string::npos);
  fs::remove_all(dir);
}

TEST(ObjectiveProcess, EnvironmentWorkingDirAndUnterminatedLastLine) {
  fs::path dir = temp_dir("env");
  ProcessSpec spec;
  spec.command = "pwd; echo \"$A|$HOME_SET\"; printf 2.5";
  spec.env = {{"A", "x y"}, {"HOME_SET", "1"}};
  spec.working_dir = dir.string();
  std::vector<std::string> lines;
  ProcessResult r = run_objective_process(
      spec, [&](std::string_view line) { lines.emplace_back(line); return false; }, nullptr);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(fs::canonical(lines[0]), fs::canonical(dir));
  EXPECT_EQ(lines[1], "x y|1");
  EXPECT_EQ(r.last_number, 2.5);
  EXPECT_EQ(r.exit_code, 0);
  fs::remove_all(dir);
}

TEST(ObjectiveProcess, TimeoutSendsSigterm) {
  ProcessSpec spec;
  spec.command = "sleep 30";
  spec.timeout_seconds = 0.2;
  spec.grace_period_seconds = 5;
  ProcessResult r = run_objective_process(spec, nullptr, nullptr);
  EXPECT_EQ(r.end, ProcessEnd::kTimedOut);
  EXPECT_LT(r.seconds, 3.0);  // SIGTERM ended it; the grace period was not needed
}

TEST(ObjectiveProcess, SigkillAfterTheGracePeriodWhenSigtermIsIgnored) {
  ProcessSpec spec;
  spec.command = "trap '' TERM; sleep 30";
  spec.timeout_seconds = 0.1;
  spec.grace_period_seconds = 0.4;
  ProcessResult r = run_objective_process(spec, nullptr, nullptr);
  EXPECT_EQ(r.end, ProcessEnd::kTimedOut);
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_GE(r.seconds, 0.45);
  EXPECT_LT(r.seconds, 5.0);
}

TEST(ObjectiveProcess, StoppingOnALineEndsTheWholeGroup) {
  fs::path dir = temp_dir("stop");
  ProcessSpec spec;
  spec.command = "sleep 30 & echo $! > helper.pid; echo $$ > shell.pid; i=0; "
                 "while :; do echo \"{\\\"step\\\": $i, \\\"loss\\\": 1}\"; i=$((i+1)); "
                 "sleep 0.01; done";
  spec.working_dir = dir.string();
  spec.grace_period_seconds = 2;
  int seen = 0;
  ProcessResult r = run_objective_process(
      spec, [&](std::string_view) { return ++seen == 3; }, nullptr);
  EXPECT_EQ(r.end, ProcessEnd::kStopped);
  EXPECT_EQ(seen, 3);  // no line is handled after the stop
  EXPECT_TRUE(gone(std::stoi(read_all(dir / "shell.pid"))));
  EXPECT_TRUE(gone(std::stoi(read_all(dir / "helper.pid"))));
  fs::remove_all(dir);
}

TEST(ObjectiveProcess, LeftoverProcessesDoNotHoldTheTrial) {
  fs::path dir = temp_dir("leftover");
  ProcessSpec spec;
  spec.command = "sleep 30 & echo $! > helper.pid; echo 1";
  spec.working_dir = dir.string();
  ProcessResult r = run_objective_process(spec, nullptr, nullptr);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_LT(r.seconds, 5.0);  // the helper keeps stdout open; the exit still ends the trial
  EXPECT_TRUE(gone(std::stoi(read_all(dir / "helper.pid"))));
  fs::remove_all(dir);
}

TEST(ObjectiveProcess, KilledBySignal) {
  ProcessSpec spec;
  spec.command = "kill -9 $$";
  ProcessResult r = run_objective_process(spec, nullptr, nullptr);
  EXPECT_EQ(r.end, ProcessEnd::kSignaled);
  EXPECT_EQ(r.signal, SIGKILL);
}

}  // namespace
}  // namespace hpo::cli

// The floor under `hpo run`'s cost per trial: starting `/bin/sh -c true` and waiting for it,
// bare (posix_spawn + waitpid) and through the CLI's objective runner (own process group,
// pipes, pidfd, log-free). bench/run_cli.sh sets these beside whole `hpo run` invocations.
#include <spawn.h>
#include <sys/wait.h>

#include <string>

#include <benchmark/benchmark.h>

#include "cli/objective_process.h"

extern char** environ;

namespace {

void BM_SpawnShellTrue(benchmark::State& state) {
  std::string sh = "sh", dash_c = "-c", command = "true";
  char* argv[] = {sh.data(), dash_c.data(), command.data(), nullptr};
  for (auto _ : state) {
    pid_t pid = -1;
    if (posix_spawn(&pid, "/bin/sh", nullptr, nullptr, argv, environ) != 0) {
      state.SkipWithError("posix_spawn failed");
      break;
    }
    int status = 0;
    waitpid(pid, &status, 0);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SpawnShellTrue)->UseRealTime();

void BM_ObjectiveProcessTrue(benchmark::State& state) {
  hpo::cli::ProcessSpec spec;
  spec.command = "true";
  for (auto _ : state) {
    hpo::cli::ProcessResult r = hpo::cli::run_objective_process(spec, nullptr, nullptr);
    benchmark::DoNotOptimize(r.exit_code);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ObjectiveProcessTrue)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();

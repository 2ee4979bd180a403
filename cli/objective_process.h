// Runs one trial's objective command: its own process group, params in the command and the
// environment, a per-trial log, stdout read line by line, timeouts, SIGTERM then SIGKILL.
#pragma once

#include <sys/types.h>

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "cli/command_template.h"

namespace hpo::cli {

class InterruptController;

struct ProcessSpec {
  std::string command;                     // for /bin/sh -c, already substituted
  std::map<std::string, std::string> env;  // added to (and overriding) the inherited environment
  std::string working_dir;
  std::string log_path;  // stdout and stderr, as they come; empty: no log
  std::optional<double> timeout_seconds;
  double grace_period_seconds = 10.0;  // between SIGTERM and SIGKILL
};

enum class ProcessEnd {
  kExited,    // exited by itself (see exit_code)
  kSignaled,  // killed by a signal it did not get from us (see signal)
  kTimedOut,  // we ended it: the per-trial timeout passed
  kStopped,   // we ended it: on_stdout_line asked to (a pruned trial)
};

struct ProcessResult {
  ProcessEnd end = ProcessEnd::kExited;
  int exit_code = 0;
  int signal = 0;
  std::optional<std::string> last_json_line;  // last stdout line holding a JSON object
  std::optional<double> last_number;          // last number printed on stdout
  std::deque<std::string> stderr_tail;        // the last lines of stderr
  double seconds = 0.0;
};

// Called with each stdout line (without the newline); returns true to end the process.
using LineHandler = std::function<bool(std::string_view line)>;

// Runs the command and waits for its whole process group to end. Stdin is /dev/null. The
// group is registered with `interrupts` (if given) while it runs. Throws std::runtime_error
// if the process cannot be started or the log cannot be opened.
ProcessResult run_objective_process(const ProcessSpec& spec, const LineHandler& on_stdout_line,
                                    InterruptController* interrupts);

}  // namespace hpo::cli

#include "cli/objective_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "cli/metric_parser.h"
#include "cli/signals.h"

extern char** environ;

namespace hpo::cli {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr size_t kStderrTailLines = 10;
constexpr size_t kMaxLineBytes = 1 << 20;  // a longer line is cut: protects memory, not data

std::string errno_text() { return std::strerror(errno); }

// Closes a file descriptor when it goes out of scope.
struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) close(fd);
    fd = -1;
  }
};

// Splits a stream into lines as chunks arrive.
class LineSplitter {
 public:
  template <class F>
  void feed(std::string_view chunk, F&& on_line) {
    for (char c : chunk) {
      if (c == '\n' || partial_.size() >= kMaxLineBytes) {
        on_line(std::string_view(partial_));
        partial_.clear();
        if (c == '\n') continue;
      }
      partial_ += c;
    }
  }
  template <class F>
  void finish(F&& on_line) {
    if (!partial_.empty()) on_line(std::string_view(partial_));
    partial_.clear();
  }

 private:
  std::string partial_;
};

std::vector<std::string> child_environment(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry(*e);
    std::string name(entry.substr(0, entry.find('=')));
    if (extra.count(name) == 0) env.emplace_back(entry);
  }
  for (const auto& [name, value] : extra) env.push_back(name + "=" + value);
  return env;
}

// Spawns /bin/sh -c command in a new process group with stdout/stderr on the given pipes.
pid_t spawn(const ProcessSpec& spec, int out_fd, int err_fd) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
  if (!spec.working_dir.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, spec.working_dir.c_str());
  }
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Own group: we signal the whole trial, and a terminal's Ctrl+C reaches only hpo, which
  // forwards it. Default mask and handlers: hpo blocks SIGINT/SIGTERM in its own threads.
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                      POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t empty;
  sigemptyset(&empty);
  posix_spawnattr_setsigmask(&attr, &empty);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int s : {SIGINT, SIGTERM, SIGPIPE, SIGQUIT, SIGHUP}) sigaddset(&defaults, s);
  posix_spawnattr_setsigdefault(&attr, &defaults);

  std::vector<std::string> env = child_environment(spec.env);
  std::vector<char*> envp;
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string sh = "sh", dash_c = "-c", command = spec.command;
  char* argv[] = {sh.data(), dash_c.data(), command.data(), nullptr};

  pid_t pid = -1;
  int rc = posix_spawn(&pid, "/bin/sh", &actions, &attr, argv, envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    throw std::runtime_error("cannot start /bin/sh for the objective: " +
                             std::string(std::strerror(rc)));
  }
  return pid;
}

int milliseconds_until(SteadyClock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t - SteadyClock::now()).count();
  return static_cast<int>(std::clamp<int64_t>(ms + 1, 0, 1000));
}

}  // namespace


ProcessResult run_objective_process(const ProcessSpec& spec, const LineHandler& on_stdout_line,
                                    InterruptController* interrupts) {
  const SteadyClock::time_point start = SteadyClock::now();
  Fd log;
  if (!spec.log_path.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(spec.log_path).parent_path(), ec);
    log.fd = open(spec.log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (log.fd < 0) {
      throw std::runtime_error("cannot write the trial log '" + spec.log_path + "': " +
                               errno_text());
    }
  }
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe: " + errno_text());
  Fd out_read(out_pipe[0]), out_write(out_pipe[1]);
  if (pipe2(err_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe: " + errno_text());
  Fd err_read(err_pipe[0]), err_write(err_pipe[1]);

  const pid_t pid = spawn(spec, out_write.fd, err_write.fd);
  out_write.reset();
  err_write.reset();
  if (interrupts != nullptr) interrupts->add_child(pid);
  // A pidfd wakes poll() when the command exits even if a leftover process keeps the pipes.
  Fd exit_fd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
  fcntl(out_read.fd, F_SETFL, O_NONBLOCK);
  fcntl(err_read.fd, F_SETFL, O_NONBLOCK);

  ProcessResult result;
  LineSplitter out_lines, err_lines;
  std::optional<SteadyClock::time_point> deadline, kill_at;
  if (spec.timeout_seconds) {
    deadline = start + std::chrono::duration_cast<SteadyClock::duration>(
                           std::chrono::duration<double>(*spec.timeout_seconds));
  }
  bool terminating = false;
  auto terminate = [&](ProcessEnd why) {
    if (terminating) return;
    terminating = true;
    result.end = why;
    if (spec.grace_period_seconds <= 0) {
      kill(-pid, SIGKILL);
      return;
    }
    kill(-pid, SIGTERM);
    kill_at = SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(
                                       std::chrono::duration<double>(spec.grace_period_seconds));
  };
  auto on_out_line = [&](std::string_view line) {
    if (parse_json_object_line(line)) result.last_json_line = std::string(line);
    if (std::optional<double> n = last_number_in(line)) result.last_number = n;
    if (!terminating && on_stdout_line && on_stdout_line(line)) terminate(ProcessEnd::kStopped);
  };
  auto on_err_line = [&](std::string_view line) {
    result.stderr_tail.emplace_back(line.substr(0, 300));
    if (result.stderr_tail.size() > kStderrTailLines) result.stderr_tail.pop_front();
  };
  // Reads what is available; returns false at end of stream.
  auto pump = [&](Fd& fd, bool is_out) {
    char buffer[65536];
    while (true) {
      ssize_t n = read(fd.fd, buffer, sizeof buffer);
      if (n > 0) {
        if (log.fd >= 0 && write(log.fd, buffer, static_cast<size_t>(n)) < 0) {
          // A full disk must not fail the trial: the log is a convenience.
        }
        std::string_view chunk(buffer, static_cast<size_t>(n));
        if (is_out) {
          out_lines.feed(chunk, on_out_line);
        } else {
          err_lines.feed(chunk, on_err_line);
        }
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return true;
      fd.reset();
      return false;
    }
  };

  bool exited = false;
  while (true) {
    if (!exited) {
      siginfo_t info{};
      exited = waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
               info.si_pid == pid;
    }
    if (exited) {
      if (out_read.fd >= 0) pump(out_read, true);
      if (err_read.fd >= 0) pump(err_read, false);
      break;
    }
    int timeout_ms = exit_fd.fd >= 0 ? 1000 : 10;
    if (deadline && !terminating) timeout_ms = std::min(timeout_ms, milliseconds_until(*deadline));
    if (kill_at) timeout_ms = std::min(timeout_ms, milliseconds_until(*kill_at));
    pollfd fds[3];
    nfds_t n = 0;
    for (int fd : {out_read.fd, err_read.fd, exit_fd.fd}) {
      if (fd >= 0) fds[n++] = pollfd{fd, POLLIN, 0};
    }
    if (out_read.fd < 0 && err_read.fd < 0 && exit_fd.fd < 0) timeout_ms = std::min(timeout_ms, 10);
    int ready = poll(fds, n, timeout_ms);
    if (ready < 0 && errno != EINTR) throw std::runtime_error("poll: " + errno_text());
    if (out_read.fd >= 0) pump(out_read, true);
    if (err_read.fd >= 0) pump(err_read, false);
    SteadyClock::time_point now = SteadyClock::now();
    if (deadline && !terminating && now >= *deadline) terminate(ProcessEnd::kTimedOut);
    if (kill_at && now >= *kill_at) {
      kill(-pid, SIGKILL);
      kill_at.reset();
    }
  }
  out_lines.finish(on_out_line);
  err_lines.finish(on_err_line);
  // The command is gone; whatever it left in its group goes too. The leader is reaped only
  // after the kill, so the group id cannot have been reused by then.
  if (interrupts != nullptr) interrupts->remove_child(pid);
  kill(-pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
    if (result.end == ProcessEnd::kExited) result.end = ProcessEnd::kSignaled;
  }
  result.seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  return result;
}

}  // namespace hpo::cli

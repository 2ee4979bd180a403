// A throwaway PostgreSQL server for tests: Debian's postgresql-15 binaries, `initdb` into a
// temporary folder, listening on a free loopback port, with password authentication (so the
// tests see the password travel through URLs), stopped and removed at the end. As root the
// server runs as the unprivileged `postgres` user, which owns the folder.
#pragma once

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

#include "storage/postgres/pg_connection.h"

namespace hpo::testing {

inline constexpr const char* kPgBin = "/usr/lib/postgresql/15/bin";
inline constexpr const char* kPgPassword = "pw-Zq8!secret";

class PgServer {
 public:
  static bool available() { return std::filesystem::exists(std::string(kPgBin) + "/initdb"); }

  PgServer() {
    char tmpl[] = "/tmp/hpo-pg-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    port_ = free_port();
    std::filesystem::permissions(dir_, std::filesystem::perms::all);
    std::ofstream(dir_ + "/pwfile") << kPgPassword << "\n";
    as_owner_prefix_ = ::geteuid() == 0 ? "runuser -u postgres -- " : "";
    if (::geteuid() == 0) sh("chown -R postgres " + dir_);
    sh(as_owner_prefix_ + kPgBin + "/initdb -D " + dir_ + "/data -U hpo --auth=scram-sha-256 "
       "--pwfile=" + dir_ + "/pwfile -E UTF8 --no-sync > " + dir_ + "/initdb.log 2>&1");
    start();
  }
  ~PgServer() {
    stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  void start() {
    // fsync off: tests need speed, not durability across power loss (a server crash is
    // still recovered from the WAL in the page cache).
    sh(as_owner_prefix_ + kPgBin + "/pg_ctl -D " + dir_ + "/data -l " + dir_ +
       "/server.log -w -t 60 -o \"-p " + std::to_string(port_) + " -k " + dir_ +
       " -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300\" start > /dev/null");
    running_ = true;
  }
  // "immediate" is a crash (recovered at the next start); "fast" a clean shutdown.
  void stop(const std::string& mode = "fast") {
    if (!running_) return;
    running_ = false;
    sh(as_owner_prefix_ + kPgBin + "/pg_ctl -D " + dir_ + "/data -m " + mode +
       " -w stop > /dev/null 2>&1");
  }

  int port() const { return port_; }
  std::string url(const std::string& db = "postgres") const {
    return "postgresql://hpo:" + std::string(kPgPassword) + "@127.0.0.1:" +
           std::to_string(port_) + "/" + db;
  }
  // A new empty database.
  std::string create_database(const std::string& name) {
    postgres::Connection c("host=127.0.0.1 port=" + std::to_string(port_) +
                               " user=hpo dbname=postgres password='" + kPgPassword + "'",
                           "test server");
    c.run("CREATE DATABASE \"" + name + "\"");
    return url(name);
  }

 private:
  static int free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
  }
  static void sh(const std::string& command) {
    if (std::system(command.c_str()) != 0) throw std::runtime_error("failed: " + command);
  }

  std::string dir_;
  int port_ = 0;
  std::string as_owner_prefix_;
  bool running_ = false;
};

// One server per test binary, started on first use and stopped at exit.
inline PgServer& shared_pg_server() {
  static std::unique_ptr<PgServer> server = std::make_unique<PgServer>();
  return *server;
}

}  // namespace hpo::testing

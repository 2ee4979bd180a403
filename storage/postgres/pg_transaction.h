// The mechanics under PostgresStorage's retries: a pool of connections, a transaction that rolls
// back unless committed, randomized exponential backoff, and the codec of hpo_write_log, where a
// non-idempotent write records its random key and result so that a re-run after a lost COMMIT
// returns the first result instead of writing twice.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "storage/postgres/pg_connection.h"

namespace hpo::postgres {

// Idle connections kept for reuse; thread-safe.
class ConnectionPool {
 public:
  ConnectionPool(std::string conninfo, std::string label)
      : conninfo_(std::move(conninfo)), label_(std::move(label)) {}

  // A connection on loan; goes back to the pool when the lease ends, unless it broke.
  class Lease {
   public:
    Lease(ConnectionPool& pool, std::unique_ptr<Connection> c) : pool_(pool), c_(std::move(c)) {}
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Connection& operator*() const { return *c_; }

   private:
    ConnectionPool& pool_;
    std::unique_ptr<Connection> c_;
  };

  // An idle connection, or a new one.
  Lease acquire();
  // After a lost connection the idle ones are most likely dead too (server restarted).
  void clear();

 private:
  std::string conninfo_;
  std::string label_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

// An open transaction; rolled back unless committed. `*sent` turns true once COMMIT went out
// (from then on, a lost connection leaves the outcome unknown).
class Transaction {
 public:
  Transaction(Connection& c, const char* begin) : c_(c) { c_.run(begin); }
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit(bool* sent);

 private:
  Connection& c_;
  bool done_ = false;
};

// 64 random bits from a per-thread generator.
uint64_t random_u64();
// Sleeps a random time in [cap / 2, cap], cap = min(max_us, base_us * 2^attempt).
void sleep_backoff(int attempt, int64_t base_us, int64_t max_us);
// A fresh hpo_write_log key: 32 hex digits.
std::string random_key();

// Results of logged writes, as hpo_write_log.result text.
std::string encode(int64_t v);
std::string encode(bool v);
std::string encode(const std::optional<int64_t>& v);
std::string encode(const std::vector<int64_t>& v);

template <class R>
R decode(std::string_view text) {
  std::string s(text);
  if constexpr (std::is_same_v<R, int64_t>) {
    return std::stoll(s);
  } else if constexpr (std::is_same_v<R, bool>) {
    return s == "1";
  } else if constexpr (std::is_same_v<R, std::optional<int64_t>>) {
    return s == "null" ? std::nullopt : std::optional<int64_t>(std::stoll(s));
  } else {
    std::vector<int64_t> out;
    for (size_t start = 0; start < s.size();) {
      size_t comma = s.find(',', start);
      out.push_back(std::stoll(s.substr(start, comma - start)));
      start = comma == std::string::npos ? s.size() : comma + 1;
    }
    return out;
  }
}

}  // namespace hpo::postgres

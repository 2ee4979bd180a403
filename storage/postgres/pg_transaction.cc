#include "storage/postgres/pg_transaction.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <thread>

namespace hpo::postgres {
namespace {

thread_local std::mt19937_64 tl_rng(std::random_device{}());

}  // namespace

ConnectionPool::Lease::~Lease() {
  if (c_->broken()) return;
  std::lock_guard lock(pool_.mutex_);
  pool_.idle_.push_back(std::move(c_));
}

ConnectionPool::Lease ConnectionPool::acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(c));
    }
  }
  return Lease(*this, std::make_unique<Connection>(conninfo_, label_));
}

void ConnectionPool::clear() {
  std::lock_guard lock(mutex_);
  idle_.clear();
}

Transaction::~Transaction() {
  if (done_ || c_.broken()) return;
  try {
    c_.run("ROLLBACK");
  } catch (const StorageError&) {
  }
}

void Transaction::commit(bool* sent) {
  *sent = true;
  c_.run("COMMIT");
  done_ = true;
}

uint64_t random_u64() { return tl_rng(); }

void sleep_backoff(int attempt, int64_t base_us, int64_t max_us) {
  int64_t cap = std::min(max_us, base_us << std::min(attempt, 20));
  std::uniform_int_distribution<int64_t> pick(cap / 2, cap);
  std::this_thread::sleep_for(std::chrono::microseconds(pick(tl_rng)));
}

std::string random_key() {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(tl_rng()),
                static_cast<unsigned long long>(tl_rng()));
  return buf;
}

std::string encode(int64_t v) { return std::to_string(v); }
std::string encode(bool v) { return v ? "1" : "0"; }
std::string encode(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : "null"; }
std::string encode(const std::vector<int64_t>& v) {
  std::string out;
  for (int64_t id : v) out += (out.empty() ? "" : ",") + std::to_string(id);
  return out;
}

}  // namespace hpo::postgres

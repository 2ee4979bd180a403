#include "storage/sqlite/connection_pool.h"

#include <utility>

#include "storage/sqlite/schema.h"

namespace hpo::sqlite {

ConnectionPool::ConnectionPool(std::string path, ConnectionOptions options,
                               std::unique_ptr<Connection> first)
    : path_(std::move(path)), options_(options) {
  idle_.push_back(std::move(first));
}

ConnectionPool::Lease::~Lease() {
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
  auto c = std::make_unique<Connection>(path_, options_);
  configure_connection(*c);
  return Lease(*this, std::move(c));
}

}  // namespace hpo::sqlite

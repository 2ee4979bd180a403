// ConnectionPool: SQLite connections to one database file, shared by the threads of a process.
// A thread borrows an idle connection (or a new one, configured by configure_connection) for one
// transaction and gives it back when its Lease ends.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "storage/sqlite/connection.h"

namespace hpo::sqlite {

class ConnectionPool {
 public:
  // `first` is the connection already opened (and checked) by the storage.
  ConnectionPool(std::string path, ConnectionOptions options, std::unique_ptr<Connection> first);

  // A connection on loan; goes back to the pool when the lease ends.
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

 private:
  std::string path_;
  ConnectionOptions options_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace hpo::sqlite

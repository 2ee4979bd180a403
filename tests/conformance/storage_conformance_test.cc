// Every storage backend against the one Storage contract.
#include "tests/conformance/storage_conformance.h"

#include <filesystem>
#include <random>

#include "core/factory.h"
#include "storage/in_memory_storage.h"
#include "storage/sqlite/sqlite_storage.h"
#include "tests/storage/postgres/pg_server.h"

namespace hpo::testing {
namespace {

struct InMemoryFactory {
  static std::shared_ptr<Storage> make() { return std::make_shared<InMemoryStorage>(); }
};

// A fresh file per test; the files are removed when the test binary exits.
struct SqliteFactory {
  static std::shared_ptr<Storage> make() {
    static const std::filesystem::path dir = [] {
      auto d = std::filesystem::temp_directory_path() /
               ("hpo-conformance-" + std::to_string(std::random_device{}()));
      std::filesystem::create_directories(d);
      std::atexit([] {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
      });
      return d;
    }();
    static int counter = 0;
    return make_storage("sqlite:///" + (dir / ("s" + std::to_string(counter++) + ".db")).string());
  }
};

// A fresh database per test on one server started for this binary.
struct PostgresFactory {
  static std::shared_ptr<Storage> make() {
    static int counter = 0;
    return make_storage(shared_pg_server().create_database("conformance" +
                                                           std::to_string(counter++)));
  }
};

INSTANTIATE_TYPED_TEST_SUITE_P(InMemory, StorageConformance, InMemoryFactory);
INSTANTIATE_TYPED_TEST_SUITE_P(Sqlite, StorageConformance, SqliteFactory);
INSTANTIATE_TYPED_TEST_SUITE_P(Postgres, StorageConformance, PostgresFactory);

}  // namespace
}  // namespace hpo::testing

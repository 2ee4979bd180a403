// Reading storage URLs without opening anything (core/factory_storage.h).
#include "core/factory_storage.h"

#include <gtest/gtest.h>

#include "tests/core/error_of.h"

#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>

namespace hpo {
namespace {

using testing::error_of;

TEST(FactoryStorageTest, InMemoryForms) {
  EXPECT_EQ(parse_storage_url("").kind, StorageUrl::Kind::kInMemory);
  EXPECT_EQ(parse_storage_url(":memory:").kind, StorageUrl::Kind::kInMemory);
}

TEST(FactoryStorageTest, SqliteUrlGivesPathAndOptionsAndCreatesNoFile) {
  std::string path = (std::filesystem::temp_directory_path() / "hpo-parse-only.db").string();
  std::filesystem::remove(path);
  StorageUrl u = parse_storage_url("sqlite:///" + path + "?heartbeat_interval=60&max_retry=3");
  EXPECT_EQ(u.kind, StorageUrl::Kind::kSqlite);
  EXPECT_EQ(u.sqlite_path, path);
  EXPECT_EQ(u.sqlite_options.heartbeat_interval, 60.0);
  EXPECT_EQ(u.sqlite_options.max_retry, 3);
  EXPECT_TRUE(u.sqlite_options.retry_failed_trials);
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_EQ(parse_storage_url("sqlite:///rel/s.db").sqlite_path, "rel/s.db");
}

TEST(FactoryStorageTest, PostgresUrlGivesOptionsWithoutConnecting) {
  // Port 1 on a reserved address: a connection attempt would fail, reading must not try.
  StorageUrl u = parse_storage_url(
      "postgresql://u:pw@192.0.2.1:1/d?reconnect_timeout=2.5&sslmode=require");
  EXPECT_EQ(u.kind, StorageUrl::Kind::kPostgres);
  EXPECT_EQ(u.postgres_options.reconnect_timeout, 2.5);
}

TEST(FactoryStorageTest, BadUrlsAreNamedAndPasswordsNeverShown) {
  EXPECT_NE(error_of([] { parse_storage_url("sqlite:///s.db?heartbeat_intervall=1"); })
                .find("heartbeat_interval"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_storage_url("sqlite://host/s.db"); }).find("host"),
            std::string::npos);
  std::string m = error_of([] { parse_storage_url("postgresql://u:secret@h:x/d"); });
  EXPECT_NE(m.find("port"), std::string::npos) << m;
  EXPECT_EQ(m.find("secret"), std::string::npos) << m;
  m = error_of([] { parse_storage_url("mysql://u:secret@h/d"); });
  EXPECT_NE(m.find("'mysql'"), std::string::npos) << m;
  EXPECT_EQ(m.find("secret"), std::string::npos) << m;
}

// Found by storage_url_fuzzer: the "://" was looked for anywhere in the URL, and a NUL byte
// reached libpq's connection string, which then ended early.
TEST(FactoryStorageTest, PostgresUrlNeedsSchemeSlashesAndNoNulByte) {
  const std::string crash("postgres:/\0h/ds?\0\0\0\0\0\0\0qlit2://host/2://hoc\0=3", 46);
  EXPECT_NE(error_of([&] { parse_storage_url(crash); }).find("missing '://'"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_storage_url("postgresql:/h/d?application_name=a://b"); })
                .find("missing '://'"),
            std::string::npos);
  std::string m = error_of([] { parse_storage_url("postgresql://u:secret%00@h/d"); });
  EXPECT_NE(m.find("NUL"), std::string::npos) << m;
  EXPECT_EQ(m.find("secret"), std::string::npos) << m;
  EXPECT_NE(error_of([] { parse_storage_url("postgresql://h/d%00b"); }).find("NUL"),
            std::string::npos);
}

}  // namespace
}  // namespace hpo

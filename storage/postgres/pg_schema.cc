#include "storage/postgres/pg_schema.h"

namespace hpo::postgres {

namespace {

// pg_dump of a database Optuna 3.1 created, written as DDL; SERIAL is integer + sequence +
// default, as SQLAlchemy makes it.
constexpr const char* kSchema = R"(
CREATE TYPE studydirection AS ENUM ('NOT_SET', 'MINIMIZE', 'MAXIMIZE');
CREATE TYPE trialstate AS ENUM ('RUNNING', 'COMPLETE', 'PRUNED', 'FAIL', 'WAITING');
CREATE TYPE trialvaluetype AS ENUM ('FINITE', 'INF_POS', 'INF_NEG');
CREATE TYPE trialintermediatevaluetype AS ENUM ('FINITE', 'INF_POS', 'INF_NEG', 'NAN');
CREATE TABLE studies (
  study_id SERIAL NOT NULL PRIMARY KEY,
  study_name VARCHAR(512) NOT NULL);
CREATE UNIQUE INDEX ix_studies_study_name ON studies (study_name);
CREATE TABLE version_info (
  version_info_id INTEGER NOT NULL PRIMARY KEY CHECK (version_info_id = 1),
  schema_version INTEGER,
  library_version VARCHAR(256));
CREATE TABLE study_directions (
  study_direction_id SERIAL NOT NULL PRIMARY KEY,
  direction studydirection NOT NULL,
  study_id INTEGER NOT NULL REFERENCES studies (study_id),
  objective INTEGER NOT NULL,
  UNIQUE (study_id, objective));
CREATE TABLE study_user_attributes (
  study_user_attribute_id SERIAL NOT NULL PRIMARY KEY,
  study_id INTEGER REFERENCES studies (study_id),
  key VARCHAR(512),
  value_json TEXT,
  UNIQUE (study_id, key));
CREATE TABLE study_system_attributes (
  study_system_attribute_id SERIAL NOT NULL PRIMARY KEY,
  study_id INTEGER REFERENCES studies (study_id),
  key VARCHAR(512),
  value_json TEXT,
  UNIQUE (study_id, key));
CREATE TABLE trials (
  trial_id SERIAL NOT NULL PRIMARY KEY,
  number INTEGER,
  study_id INTEGER REFERENCES studies (study_id),
  state trialstate NOT NULL,
  datetime_start TIMESTAMP WITHOUT TIME ZONE,
  datetime_complete TIMESTAMP WITHOUT TIME ZONE);
CREATE TABLE trial_user_attributes (
  trial_user_attribute_id SERIAL NOT NULL PRIMARY KEY,
  trial_id INTEGER REFERENCES trials (trial_id),
  key VARCHAR(512),
  value_json TEXT,
  UNIQUE (trial_id, key));
CREATE TABLE trial_system_attributes (
  trial_system_attribute_id SERIAL NOT NULL PRIMARY KEY,
  trial_id INTEGER REFERENCES trials (trial_id),
  key VARCHAR(512),
  value_json TEXT,
  UNIQUE (trial_id, key));
CREATE TABLE trial_params (
  param_id SERIAL NOT NULL PRIMARY KEY,
  trial_id INTEGER REFERENCES trials (trial_id),
  param_name VARCHAR(512),
  param_value DOUBLE PRECISION,
  distribution_json TEXT,
  UNIQUE (trial_id, param_name));
CREATE TABLE trial_values (
  trial_value_id SERIAL NOT NULL PRIMARY KEY,
  trial_id INTEGER NOT NULL REFERENCES trials (trial_id),
  objective INTEGER NOT NULL,
  value DOUBLE PRECISION,
  value_type trialvaluetype NOT NULL,
  UNIQUE (trial_id, objective));
CREATE TABLE trial_intermediate_values (
  trial_intermediate_value_id SERIAL NOT NULL PRIMARY KEY,
  trial_id INTEGER NOT NULL REFERENCES trials (trial_id),
  step INTEGER NOT NULL,
  intermediate_value DOUBLE PRECISION,
  intermediate_value_type trialintermediatevaluetype NOT NULL,
  UNIQUE (trial_id, step));
CREATE TABLE trial_heartbeats (
  trial_heartbeat_id SERIAL NOT NULL PRIMARY KEY,
  trial_id INTEGER NOT NULL UNIQUE REFERENCES trials (trial_id),
  heartbeat TIMESTAMP WITHOUT TIME ZONE NOT NULL);
CREATE TABLE alembic_version (
  version_num VARCHAR(32) NOT NULL,
  CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));
INSERT INTO version_info (version_info_id, schema_version, library_version)
  VALUES (1, 12, '3.1.0');
)";

// hpo's additions, created when missing also in databases Optuna made: the indexes every
// trial query needs, and the write log that makes a write retried after a lost connection
// apply once (see PostgresStorage).
constexpr const char* kHpoSchema = R"(
CREATE INDEX IF NOT EXISTS hpo_trials_study_number ON trials (study_id, number);
CREATE INDEX IF NOT EXISTS hpo_trials_study_state ON trials (study_id, state);
CREATE TABLE IF NOT EXISTS hpo_write_log (
  write_key VARCHAR(64) NOT NULL PRIMARY KEY,
  result TEXT,
  created TIMESTAMP WITHOUT TIME ZONE NOT NULL DEFAULT LOCALTIMESTAMP);
)";

// Any constant: the advisory lock that serializes schema creation across hosts.
constexpr const char* kSchemaLock = "SELECT pg_advisory_xact_lock(7263945001)";

}  // namespace

void ensure_schema(Connection& c, const std::string& label) {
  c.run("BEGIN");
  try {
    c.run(kSchemaLock);
    Result tables = c.exec(
        "SELECT to_regclass('studies') IS NOT NULL, to_regclass('version_info') IS NOT NULL");
    bool has_studies = tables.text(0, 0) == "t";
    bool has_version = tables.text(0, 1) == "t";
    if (has_studies && !has_version)
      throw StorageError(label + " has a 'studies' table but no 'version_info': not a study "
                                 "database hpo knows");
    if (has_version) {
      Result v = c.exec("SELECT schema_version FROM version_info");
      if (v.rows() != 1 || v.is_null(0, 0) || v.integer(0, 0) != kSchemaVersion)
        throw StorageError(label + " has study database schema version " +
                           (v.rows() == 1 ? std::string(v.text(0, 0)) : std::string("(none)")) +
                           "; hpo reads version " + std::to_string(kSchemaVersion) +
                           " (Optuna 3.x)");
    } else {
      c.run(kSchema);
    }
    c.run(kHpoSchema);
    c.run("COMMIT");
  } catch (...) {
    if (!c.broken()) {
      try {
        c.run("ROLLBACK");
      } catch (const StorageError&) {
      }
    }
    throw;
  }
}

}  // namespace hpo::postgres

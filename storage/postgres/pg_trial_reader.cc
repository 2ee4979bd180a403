#include "storage/postgres/pg_trial_reader.h"

#include <unordered_map>

#include "storage/sqlite/python_json.h"

namespace hpo::postgres {

namespace {

std::optional<Clock::time_point> timestamp(const Result& r, int row, int column) {
  if (r.is_null(row, column)) return std::nullopt;
  return sqlite::parse_datetime(r.text(row, column));
}

}  // namespace

std::vector<std::shared_ptr<FrozenTrial>> load_trials(Connection& c, int64_t study_id,
                                                      int64_t after_trial_id,
                                                      const std::vector<int64_t>& trial_ids,
                                                      DistributionCache& distributions,
                                                      bool own_snapshot) {
  // The batch takes no parameters, so the ids are written into the text: integers only,
  // formatted here, so nothing from outside reaches the SQL.
  std::string ids = "ARRAY[";
  for (size_t i = 0; i < trial_ids.size(); ++i)
    ids += (i > 0 ? "," : "") + std::to_string(trial_ids[i]);
  ids += "]::int[]";
  const std::string selected =
      " WHERE trial_id IN (SELECT trial_id FROM trials WHERE study_id = " +
      std::to_string(study_id) + " AND trial_id > " + std::to_string(after_trial_id) +
      " UNION ALL SELECT unnest(" + ids + "))";
  std::string sql = own_snapshot ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;" : "";
  sql += std::string("SELECT trial_id, number, state, to_char(datetime_start, '") +
         kTimestampFormat + "'), to_char(datetime_complete, '" + kTimestampFormat +
         "') FROM trials" + selected + " ORDER BY trial_id;";
  sql += "SELECT trial_id, param_name, param_value, distribution_json FROM trial_params" +
         selected + ";";
  sql += "SELECT trial_id, objective, value, value_type FROM trial_values" + selected +
         " ORDER BY trial_id, objective;";
  sql += "SELECT trial_id, step, intermediate_value, intermediate_value_type "
         "FROM trial_intermediate_values" + selected + ";";
  sql += "SELECT trial_id, key, value_json FROM trial_user_attributes" + selected + ";";
  sql += "SELECT trial_id, key, value_json FROM trial_system_attributes" + selected + ";";
  if (own_snapshot) sql += "COMMIT;";
  std::vector<Result> results = c.query_batch(sql);
  if (results.size() != 6)
    throw StorageError("trial query returned " + std::to_string(results.size()) +
                       " result sets, expected 6");

  std::vector<std::shared_ptr<FrozenTrial>> trials;
  std::unordered_map<int64_t, FrozenTrial*> by_id;
  const Result& t = results[0];
  for (int i = 0; i < t.rows(); ++i) {
    auto trial = std::make_shared<FrozenTrial>();
    trial->trial_id = t.integer(i, 0);
    trial->number = t.integer(i, 1);
    trial->state = trial_state_from_string(t.text(i, 2));
    trial->datetime_start = timestamp(t, i, 3);
    trial->datetime_complete = timestamp(t, i, 4);
    by_id[trial->trial_id] = trial.get();
    trials.push_back(std::move(trial));
  }

  const Result& p = results[1];
  for (int i = 0; i < p.rows(); ++i) {
    auto it = by_id.find(p.integer(i, 0));
    if (it == by_id.end()) continue;  // a trial inserted after the trials query: not ours
    std::string name(p.text(i, 1));
    std::string json(p.text(i, 3));
    auto d = distributions.find(json);
    if (d == distributions.end())
      d = distributions.emplace(json, distribution_from_json(sqlite::python_json_loads(json)))
              .first;
    it->second->params.emplace(name, p.real(i, 2));
    it->second->distributions.emplace(std::move(name), d->second);
  }

  const Result& v = results[2];
  for (int i = 0; i < v.rows(); ++i) {
    auto it = by_id.find(v.integer(i, 0));
    if (it == by_id.end()) continue;
    auto objective = static_cast<size_t>(v.integer(i, 1));
    auto& values = it->second->values;
    if (values.size() <= objective) values.resize(objective + 1);
    values[objective] = sqlite::from_stored(v.optional_real(i, 2), v.text(i, 3));
  }

  const Result& iv = results[3];
  for (int i = 0; i < iv.rows(); ++i) {
    auto it = by_id.find(iv.integer(i, 0));
    if (it == by_id.end()) continue;
    it->second->intermediate_values[iv.integer(i, 1)] =
        sqlite::from_stored(iv.optional_real(i, 2), iv.text(i, 3));
  }

  for (bool user : {true, false}) {
    const Result& a = results[user ? 4 : 5];
    for (int i = 0; i < a.rows(); ++i) {
      auto it = by_id.find(a.integer(i, 0));
      if (it == by_id.end()) continue;
      nlohmann::json& attrs = user ? it->second->user_attrs : it->second->system_attrs;
      attrs[std::string(a.text(i, 1))] = sqlite::python_json_loads(a.text(i, 2));
    }
  }
  return trials;
}

}  // namespace hpo::postgres

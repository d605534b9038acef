// JsonGroup: reads one object of a JSON config with strict keys, types and ranges (the JSON
// sibling of yaml_group.h), so the compression config reports `file: a.b[2].c: what`.
#pragma once

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "util/error.h"

namespace trex {

/// One object of a JSON config, remembering the keys read so leftovers are errors.
class JsonGroup {
 public:
  /// `j` may be null (absent group: every key takes its default).
  JsonGroup(const nlohmann::json& j, std::string path, std::string file)
      : j_(j), path_(std::move(path)), file_(std::move(file)) {
    if (!j_.is_null() && !j_.is_object()) fail(path_, "expected an object, got " + dump(j_));
  }

  bool has(const std::string& key) const { return j_.is_object() && j_.contains(key); }
  /// The raw value of `key` (null when absent), marked as read.
  const nlohmann::json& raw(const std::string& key) {
    seen_.insert(key);
    static const nlohmann::json kNull;
    return has(key) ? j_.at(key) : kNull;
  }
  /// A sub-object (null when absent): read it with another JsonGroup at key_path(key).
  const nlohmann::json& object(const std::string& key) {
    const nlohmann::json& v = raw(key);
    if (!v.is_null() && !v.is_object()) fail(key_path(key), "expected an object, got " + dump(v));
    return v;
  }

  bool boolean(const std::string& key, bool def) {
    const nlohmann::json& v = raw(key);
    if (v.is_null()) return def;
    if (!v.is_boolean()) fail(key_path(key), "expected true or false, got " + dump(v));
    return v.get<bool>();
  }
  std::optional<double> optional_number(const std::string& key, double lo, double hi) {
    const nlohmann::json& v = raw(key);
    if (v.is_null()) return std::nullopt;
    if (!v.is_number()) fail(key_path(key), "expected a number, got " + dump(v));
    double d = v.get<double>();
    if (!(d >= lo && d <= hi)) fail(key_path(key), out_of_range(dump(v), lo, hi));
    return d;
  }
  double number(const std::string& key, double def, double lo, double hi) {
    return optional_number(key, lo, hi).value_or(def);
  }
  std::optional<int64_t> optional_integer(const std::string& key, int64_t lo, int64_t hi) {
    const nlohmann::json& v = raw(key);
    if (v.is_null()) return std::nullopt;
    return to_integer(v, key_path(key), lo, hi);
  }
  int64_t integer(const std::string& key, int64_t def, int64_t lo, int64_t hi) {
    return optional_integer(key, lo, hi).value_or(def);
  }
  std::string choice(const std::string& key, const std::string& def,
                     const std::vector<std::string>& allowed) {
    const nlohmann::json& v = raw(key);
    if (v.is_null()) return def;
    if (!v.is_string()) fail(key_path(key), "expected a string, got " + dump(v));
    std::string s = v.get<std::string>();
    for (const auto& a : allowed)
      if (a == s) return s;
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    fail(key_path(key), "'" + s + "' is not one of: " + list);
  }
  std::string string(const std::string& key, const std::string& def) {
    const nlohmann::json& v = raw(key);
    if (v.is_null()) return def;
    if (!v.is_string()) fail(key_path(key), "expected a string, got " + dump(v));
    return v.get<std::string>();
  }
  /// A string or a list of strings (the config format allows both for scopes).
  std::vector<std::string> strings(const std::string& key) {
    const nlohmann::json& v = raw(key);
    if (v.is_null()) return {};
    if (v.is_string()) return {v.get<std::string>()};
    if (!v.is_array()) fail(key_path(key), "expected a string or a list of strings");
    std::vector<std::string> out;
    for (size_t i = 0; i < v.size(); ++i) {
      if (!v[i].is_string())
        fail(key_path(key) + "[" + std::to_string(i) + "]", "expected a string, got " + dump(v[i]));
      out.push_back(v[i].get<std::string>());
    }
    return out;
  }
  template <typename T, typename F>
  std::vector<T> list(const std::string& key, F item) {
    const nlohmann::json& v = raw(key);
    if (v.is_null()) return {};
    if (!v.is_array()) fail(key_path(key), "expected a list, got " + dump(v));
    std::vector<T> out;
    for (size_t i = 0; i < v.size(); ++i)
      out.push_back(item(v[i], key_path(key) + "[" + std::to_string(i) + "]"));
    return out;
  }

  /// Errors on keys of this object that nothing read.
  void check_unknown() const {
    if (!j_.is_object()) return;
    for (const auto& kv : j_.items())
      if (!seen_.count(kv.key())) fail(key_path(kv.key()), "unknown key");
  }

  const std::string& path() const { return path_; }
  const std::string& file() const { return file_; }
  std::string key_path(const std::string& key) const {
    return path_.empty() ? key : path_ + "." + key;
  }
  [[noreturn]] void fail(const std::string& kp, const std::string& what) const {
    throw_invalid(file_ + ": " + (kp.empty() ? "(top level)" : kp) + ": " + what);
  }

  int64_t to_integer(const nlohmann::json& v, const std::string& kp, int64_t lo, int64_t hi) const {
    // Floats must be whole and within [lo, hi] before any conversion (a float outside the
    // int64 range does not convert); unsigned values above int64 are out of range too.
    if (v.is_number_float()) {
      const double d = v.get<double>();
      if (!(d >= static_cast<double>(lo) && d <= static_cast<double>(hi)))
        fail(kp, std::isfinite(d) && d == std::floor(d) ? out_of_range(dump(v), lo, hi)
                                                        : "expected an integer, got " + dump(v));
      if (d != std::floor(d)) fail(kp, "expected an integer, got " + dump(v));
      return static_cast<int64_t>(d);
    }
    if (v.is_number_unsigned()) {
      const uint64_t u = v.get<uint64_t>();
      if (hi < 0 || u > static_cast<uint64_t>(hi) || static_cast<int64_t>(u) < lo)
        fail(kp, out_of_range(dump(v), lo, hi));
      return static_cast<int64_t>(u);
    }
    if (!v.is_number_integer()) fail(kp, "expected an integer, got " + dump(v));
    const int64_t i = v.get<int64_t>();
    if (i < lo || i > hi) fail(kp, out_of_range(dump(v), lo, hi));
    return i;
  }

  static std::string dump(const nlohmann::json& v) {
    std::string s = v.dump();
    return s.size() > 60 ? s.substr(0, 57) + "..." : s;
  }

 private:
  template <typename N>
  static std::string out_of_range(const std::string& v, N lo, N hi) {
    auto num = [](N x) {
      std::string s = nlohmann::json(x).dump();
      return s;
    };
    return "value " + v + " out of range [" + num(lo) + ", " + num(hi) + "]";
  }

  const nlohmann::json& j_;
  std::string path_;
  std::string file_;
  std::set<std::string> seen_;
};

}  // namespace trex

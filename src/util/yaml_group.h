// YamlGroup: reads one mapping of a YAML config with strict keys, types and ranges, so
// every config file (templates, PTQ configs) reports `file: group.key: what` the same way.
#pragma once

#include <yaml-cpp/yaml.h>

#include <set>
#include <string>
#include <type_traits>

#include "util/error.h"

namespace trex {

/// One mapping of a config, remembering the keys read so leftovers are errors.
class YamlGroup {
 public:
  YamlGroup(const YAML::Node& node, std::string path, const std::string& file)
      : node_(node), path_(std::move(path)), file_(file) {
    if (node_ && !node_.IsMap()) fail(path_, "expected a mapping");
  }

  template <typename T>
  T get(const std::string& key, T def, bool required = false) {
    seen_.insert(key);
    std::string kp = path_.empty() ? key : path_ + "." + key;
    YAML::Node v = node_ ? node_[key] : YAML::Node();
    if (!v || v.IsNull()) {
      if (required) fail(kp, "missing");
      return def;
    }
    try {
      return v.as<T>();
    } catch (const YAML::Exception&) {
      fail(kp, "cannot read '" + YAML::Dump(v) + "' as " + type_name<T>());
    }
  }

  double number(const std::string& key, double def, double lo, double hi) {
    double v = get<double>(key, def);
    if (!(v >= lo && v <= hi))
      fail(key_path(key), "value " + std::to_string(v) + " out of range [" + std::to_string(lo) +
                              ", " + std::to_string(hi) + "]");
    return v;
  }
  int integer(const std::string& key, int def, int lo, int hi, bool required = false) {
    int v = get<int>(key, def, required);
    if (v < lo || v > hi)
      fail(key_path(key), "value " + std::to_string(v) + " out of range [" + std::to_string(lo) +
                              ", " + std::to_string(hi) + "]");
    return v;
  }
  std::string choice(const std::string& key, const std::string& def,
                     const std::set<std::string>& allowed) {
    std::string v = get<std::string>(key, def);
    if (!allowed.count(v)) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      fail(key_path(key), "'" + v + "' is not one of: " + list);
    }
    return v;
  }

  /// Errors on keys of this mapping that nothing read.
  void check_unknown() const {
    if (!node_) return;
    for (const auto& kv : node_) {
      if (!kv.first.IsScalar())
        fail(path_.empty() ? "(top level)" : path_,
             "keys must be plain names, found a " +
                 std::string(kv.first.IsMap() ? "mapping" : "list"));
      std::string k = kv.first.as<std::string>();
      if (!seen_.count(k)) fail(key_path(k), "unknown key");
    }
  }

  std::string key_path(const std::string& key) const {
    return path_.empty() ? key : path_ + "." + key;
  }
  [[noreturn]] void fail(const std::string& kp, const std::string& what) const {
    throw_invalid(file_ + ": " + kp + ": " + what);
  }

 private:
  template <typename T>
  static const char* type_name() {
    if constexpr (std::is_same_v<T, bool>) return "a boolean";
    if constexpr (std::is_integral_v<T>) return "an integer";
    if constexpr (std::is_floating_point_v<T>) return "a number";
    if constexpr (std::is_same_v<T, std::string>) return "a string";
    return "a list";
  }

  YAML::Node node_;
  std::string path_;
  std::string file_;
  std::set<std::string> seen_;
};

}  // namespace trex

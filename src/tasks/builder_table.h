// A task's table of model builders, by architecture name (model.architecture): one explicit
// table per task (its models.cpp / model_zoo.cpp), nothing self-registers.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "util/error.h"

namespace trex {

template <class Spec>
class BuilderTable {
 public:
  using Builder = std::function<std::unique_ptr<Graph>(const Spec&)>;
  BuilderTable(std::string task, std::map<std::string, Builder> builders)
      : task_(std::move(task)), builders_(std::move(builders)) {}

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& [name, b] : builders_) out.push_back(name);
    return out;
  }

  /// Builds `architecture` (the graph named after it); an unknown name is kInvalidInput
  /// listing the known ones.
  std::unique_ptr<Graph> build(const std::string& architecture, const Spec& spec) const {
    auto it = builders_.find(architecture);
    if (it == builders_.end()) {
      std::string known;
      for (const auto& n : names()) known += (known.empty() ? "" : ", ") + n;
      throw_invalid("unknown " + task_ + " architecture '" + architecture + "' (known: " + known +
                    ")");
    }
    auto g = it->second(spec);
    g->name = architecture;
    return g;
  }

 private:
  std::string task_;
  std::map<std::string, Builder> builders_;
};

}  // namespace trex

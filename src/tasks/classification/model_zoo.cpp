// The list of classification builders; one explicit table, nothing self-registers.
#include "tasks/classification/model_zoo.h"

#include <functional>
#include <map>

#include "util/error.h"

namespace trex::classification {

namespace {
using Builder = std::function<std::unique_ptr<Graph>(const ModelSpec&)>;
const std::map<std::string, Builder>& builders() {
  static const std::map<std::string, Builder> table = {
      {"resnet18", build_resnet18},
      {"mobilenet_v3", build_mobilenet_v3},
      {"efficientnet_b0", build_efficientnet_b0},
  };
  return table;
}
}  // namespace

std::vector<std::string> architecture_names() {
  std::vector<std::string> names;
  for (const auto& [name, b] : builders()) names.push_back(name);
  return names;
}

std::unique_ptr<Graph> build_model(const std::string& architecture, const ModelSpec& spec) {
  auto it = builders().find(architecture);
  if (it == builders().end()) {
    std::string known;
    for (const auto& n : architecture_names()) known += (known.empty() ? "" : ", ") + n;
    throw_invalid("unknown classification architecture '" + architecture + "' (known: " + known +
                  ")");
  }
  auto g = it->second(spec);
  g->name = architecture;
  return g;
}

}  // namespace trex::classification

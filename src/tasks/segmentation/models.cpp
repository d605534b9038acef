// The list of segmentation builders (models.h).
#include "tasks/segmentation/models.h"

#include <functional>
#include <map>

#include "util/error.h"

namespace trex::segmentation {

namespace {
using Builder = std::function<std::unique_ptr<Graph>(const ModelSpec&)>;
const std::map<std::string, Builder>& builders() {
  static const std::map<std::string, Builder> table = {
      {"lite_hrnet", build_lite_hrnet},
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
    throw_invalid("unknown segmentation architecture '" + architecture + "' (known: " + known +
                  ")");
  }
  auto g = it->second(spec);
  g->name = architecture;
  return g;
}

}  // namespace trex::segmentation

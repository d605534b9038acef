// The list of segmentation builders (models.h).
#include "tasks/segmentation/models.h"

#include "tasks/builder_table.h"

namespace trex::segmentation {

namespace {
const BuilderTable<ModelSpec>& table() {
  static const BuilderTable<ModelSpec> t("segmentation", {{"lite_hrnet", build_lite_hrnet}});
  return t;
}
}  // namespace

std::vector<std::string> architecture_names() {
  return table().names();
}

std::unique_ptr<Graph> build_model(const std::string& architecture, const ModelSpec& spec) {
  return table().build(architecture, spec);
}

}  // namespace trex::segmentation

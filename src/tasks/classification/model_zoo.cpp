// The list of classification builders; one explicit table, nothing self-registers.
#include "tasks/classification/model_zoo.h"

#include "tasks/builder_table.h"

namespace trex::classification {

namespace {
const BuilderTable<ModelSpec>& table() {
  static const BuilderTable<ModelSpec> t("classification",
                                         {
                                             {"resnet18", build_resnet18},
                                             {"mobilenet_v3", build_mobilenet_v3},
                                             {"efficientnet_b0", build_efficientnet_b0},
                                         });
  return t;
}
}  // namespace

std::vector<std::string> architecture_names() {
  return table().names();
}

std::unique_ptr<Graph> build_model(const std::string& architecture, const ModelSpec& spec) {
  return table().build(architecture, spec);
}

}  // namespace trex::classification

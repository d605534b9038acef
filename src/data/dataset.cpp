// What every task's dataset shares (dataset.h).
#include "data/dataset.h"

#include <algorithm>

namespace trex {

std::string describe_class_difference(const std::vector<std::string>& expected,
                                      const std::vector<std::string>& actual) {
  auto list = [](const std::vector<std::string>& from, const std::vector<std::string>& minus) {
    std::string out;
    for (const auto& c : from)
      if (std::find(minus.begin(), minus.end(), c) == minus.end())
        out += (out.empty() ? "'" : ", '") + c + "'";
    return out.empty() ? std::string("none") : out;
  };
  return "missing " + list(expected, actual) + "; unexpected " + list(actual, expected);
}

}  // namespace trex

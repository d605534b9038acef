// Regular expressions from user input (ignored scopes, scope entries). libstdc++'s regex
// compiler overflows on huge numbers (repetition counts "a{7777777777777777777}",
// back-references "\\7777777777777777777") and builds an automaton as large as a count, so
// counts above kMaxRepeat and back-references of more than 3 digits are refused up front
// with the same std::regex_error a malformed pattern gives.
#pragma once

#include <algorithm>
#include <cctype>
#include <regex>
#include <string>

namespace trex {

inline constexpr long kMaxRepeat = 1000;

inline std::regex user_regex(const std::string& pattern) {
  bool in_class = false;  // inside [...], where '{' is literal
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\') {  // an escaped character; digits make a back-reference number
      size_t digits = 0;
      while (i + 1 + digits < pattern.size() &&
             std::isdigit(static_cast<unsigned char>(pattern[i + 1 + digits])))
        ++digits;
      if (digits > 3) throw std::regex_error(std::regex_constants::error_backref);
      i += std::max<size_t>(digits, 1);
      continue;
    }
    if (in_class) {
      in_class = pattern[i] != ']';
      continue;
    }
    if (pattern[i] == '[') {  // a ']' right after "[" or "[^" is a member, not the end
      in_class = true;
      if (i + 1 < pattern.size() && pattern[i + 1] == '^') ++i;
      if (i + 1 < pattern.size() && pattern[i + 1] == ']') ++i;
      continue;
    }
    if (pattern[i] != '{') continue;
    // Each number in "{n}", "{n,}" or "{n,m}".
    size_t j = i + 1;
    while (j < pattern.size() &&
           (std::isdigit(static_cast<unsigned char>(pattern[j])) || pattern[j] == ',')) {
      size_t digits = 0;
      long value = 0;
      for (; j < pattern.size() && std::isdigit(static_cast<unsigned char>(pattern[j])); ++j) {
        if (++digits > 4 || (value = value * 10 + (pattern[j] - '0')) > kMaxRepeat)
          throw std::regex_error(std::regex_constants::error_badbrace);
      }
      if (j < pattern.size() && pattern[j] == ',') ++j;
    }
  }
  return std::regex(pattern);
}

}  // namespace trex

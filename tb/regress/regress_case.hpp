// The cases of a regression: every layer program of a directory, plus seeded random programs (conv with random
// shapes/strides/padding/groups/batch on sparse or dense data, FC, max-pool, LRN, short chains). A random case is a
// program text, so a failing one can be written out and run alone with `ocelli run`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ocelli::regress {

struct RegressCase {
  std::string name;          // unique; `ocelli-regress --case <name>` runs it alone
  std::string kind;          // program file: "program"; random: "conv", "fc", "pool", "lrn", "chain"
  std::string program_path;  // set for a program file
  std::string program_text;  // set for a random case
};

// Every *.prog in `dir` whose stem matches the glob `filter` (fnmatch; empty = all) and is not in `exclude`
// (comma-separated stems), sorted by name. Case name = "prog-" + stem.
std::vector<RegressCase> program_cases(const std::string& dir, const std::string& filter, const std::string& exclude);

// Random case `index` of the regression seeded `seed`: name "rand-<index>", the same text for the same pair.
RegressCase random_case(std::uint64_t seed, int index);

}  // namespace ocelli::regress

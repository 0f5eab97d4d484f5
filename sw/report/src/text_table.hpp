// A plain-text table with columns sized to their widest cell: left-aligned text columns, right-aligned numbers.
#pragma once

#include <string>
#include <vector>

namespace ocelli::report {

class TextTable {
 public:
  enum class Align { Left, Right };
  struct Column {
    std::string header;
    Align align = Align::Right;
  };

  explicit TextTable(std::vector<Column> columns);
  void add_row(std::vector<std::string> cells);  // must have one cell per column
  void add_rule();                               // a dashed line before the next row (e.g. the total)
  std::string render() const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;  // an empty row is a rule
};

}  // namespace ocelli::report

#include "text_table.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/core.h>

namespace ocelli::report {

TextTable::TextTable(std::vector<Column> columns) : columns_(std::move(columns)) {}

void TextTable::add_row(std::vector<std::string> cells) {
  if (cells.size() != columns_.size()) {
    throw std::logic_error(fmt::format("TextTable: row has {} cells, table has {} columns", cells.size(),
                                       columns_.size()));
  }
  rows_.push_back(std::move(cells));
}

void TextTable::add_rule() { rows_.emplace_back(); }

std::string TextTable::render() const {
  std::vector<std::size_t> width(columns_.size());
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    width[c] = columns_[c].header.size();
    for (const auto& row : rows_)
      if (!row.empty()) width[c] = std::max(width[c], row[c].size());
  }
  std::size_t line_width = 0;
  for (auto w : width) line_width += w + 2;
  line_width = line_width >= 2 ? line_width - 2 : 0;

  auto render_row = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      if (c > 0) line += "  ";
      line += columns_[c].align == Align::Left ? fmt::format("{:<{}}", cells[c], width[c])
                                               : fmt::format("{:>{}}", cells[c], width[c]);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    return line + "\n";
  };

  std::vector<std::string> headers;
  for (const auto& col : columns_) headers.push_back(col.header);
  std::string out = render_row(headers);
  out += std::string(line_width, '-') + "\n";
  for (const auto& row : rows_) out += row.empty() ? std::string(line_width, '-') + "\n" : render_row(row);
  return out;
}

}  // namespace ocelli::report

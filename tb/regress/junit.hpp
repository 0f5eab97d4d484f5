// JUnit XML of a regression (one testsuite, one testcase per case) for CI dashboards.
#pragma once

#include <string>
#include <vector>

#include "case_runner.hpp"

namespace ocelli::regress {

struct JunitCase {
  CaseResult result;
  std::string reproduce;  // the command that runs the case alone
  std::string slurm_job_id;  // "<array job>_<task>" when the case ran on Slurm (a <property name="slurm_job_id">)
};

// Writes the file (throws std::runtime_error naming it when it cannot be written).
void write_junit(const std::string& path, const std::vector<JunitCase>& cases, double wall_seconds);

}  // namespace ocelli::regress

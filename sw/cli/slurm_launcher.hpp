// `ocelli run --scheduler slurm`: the layer groups of a split run as the tasks of one Slurm job array (task k runs
// group k's `ocelli run --from --to --report`), beside LocalLauncher's child processes (docs/cluster.md).
#pragma once

#include "split_run.hpp"
#include "ocelli/slurm/array_job.hpp"
#include "ocelli/slurm/options.hpp"

namespace ocelli::cli {

class SlurmLauncher final : public GroupLauncher {
 public:
  // `job_dir`: the batch script and Slurm's output of each task (a directory the nodes share).
  SlurmLauncher(slurm::Options options, std::string job_dir)
      : options_(std::move(options)), job_dir_(std::move(job_dir)) {}

  // The sbatch command and the script that run() would submit.
  void print_dry_run(const std::vector<GroupJob>& jobs) const;
  std::vector<GroupEnd> run(const std::vector<GroupJob>& jobs, const std::vector<LayerGroup>& groups) override;

 private:
  slurm::ArrayJobSpec spec(const std::vector<GroupJob>& jobs) const;

  slurm::Options options_;
  std::string job_dir_;
};

}  // namespace ocelli::cli

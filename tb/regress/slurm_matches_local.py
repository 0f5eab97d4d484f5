#!/usr/bin/env python3
"""ctest slurm_matches_local (label cluster): the same small regression and the same layer-parallel run, once as
local processes and once through the Slurm cluster, give the same results (pass/fail and cycles per case, cycles per
layer); the Slurm run's cases ran as Slurm jobs (each JUnit test case names its job, whose own output file the task
wrote), and a cancelled task is reported as cancelled with its reproduction command (docs/cluster.md).

usage: slurm_matches_local.py <ocelli-regress> <ocelli> <programs dir> <scripts/slurm-cluster.sh> <work dir>
"""
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

REGRESS, OCELLI, PROGRAMS, CLUSTER_SCRIPT, WORK = sys.argv[1:6]
SEED, N, FLIPPED = "5", "3", "rand-0002"
failures = []


def check(ok, message):
    if not ok:
        failures.append(message)
        print("CHECK FAILED: " + message)


def run(args, expect_code):
    print("$ " + " ".join(args), flush=True)
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900)
    print(p.stdout, flush=True)
    check(p.returncode == expect_code, f"exit code {p.returncode}, expected {expect_code}: {' '.join(args)}")
    return p.stdout


def junit_cases(path):
    """name -> (outcome, cycles, slurm job id or None) of every test case of a JUnit file."""
    cases = {}
    for tc in ET.parse(path).getroot().iter("testcase"):
        bad = tc.find("failure")
        if bad is None:
            bad = tc.find("error")
        outcome = "passed" if bad is None else bad.get("type")
        m = re.search(r"; (\d+) cycles \(estimate", tc.findtext("system-out") or "")
        job = None
        for prop in tc.iter("property"):
            if prop.get("name") == "slurm_job_id":
                job = prop.get("value")
        cases[tc.get("name")] = (outcome, int(m.group(1)) if m else None, job)
    return cases


def main():
    status = subprocess.run([CLUSTER_SCRIPT, "--status"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if status.returncode != 0:
        print(f"FAIL: no Slurm cluster takes jobs here ({status.stdout.strip()}).\n"
              f"Start the single-node cluster first: {CLUSTER_SCRIPT} (as root; `make cluster` does the same, "
              f".ci/run runs it before the tests).")
        return 1
    print(status.stdout.strip())
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)

    # 1. The regression: locally, then as a Slurm job array; one case fails on purpose (harness bit flip).
    common = [REGRESS, "--programs", "", "-n", N, "--seed", SEED, "--flip-bit", FLIPPED]
    run(common + ["-j", "2", "--out-dir", f"{WORK}/local", "--junit", f"{WORK}/local.xml"], 1)
    out = run(common + ["--scheduler", "slurm", "--out-dir", f"{WORK}/slurm", "--junit", f"{WORK}/slurm.xml"], 1)
    local, slurm = junit_cases(f"{WORK}/local.xml"), junit_cases(f"{WORK}/slurm.xml")
    check(len(local) == int(N), f"the local run has {len(local)} cases, not {N}")
    check(sorted(local) == sorted(slurm), f"cases differ: local {sorted(local)}, slurm {sorted(slurm)}")
    check(local.get(FLIPPED, ("",))[0] == "mismatch", f"{FLIPPED} did not fail locally: {local.get(FLIPPED)}")
    for name, (outcome, cycles, job) in sorted(local.items()):
        s_outcome, s_cycles, s_job = slurm.get(name, (None, None, None))
        print(f"{name}: local {outcome} {cycles} cycles; slurm {s_outcome} {s_cycles} cycles, job {s_job}")
        check(cycles is not None and cycles > 0, f"{name}: no cycles in the local JUnit")
        check((outcome, cycles) == (s_outcome, s_cycles), f"{name}: local {outcome}/{cycles} != slurm "
                                                          f"{s_outcome}/{s_cycles}")
        check(job is None, f"{name}: the local run names a Slurm job {job}")
        check(s_job is not None and re.fullmatch(r"\d+_\d+", s_job) is not None,
              f"{name}: no Slurm job id in the JUnit (got {s_job})")
        if s_job:
            # The task's own output file is written by slurmd for that job only.
            path = f"{WORK}/slurm/slurm/slurm-{s_job}.out"
            text = open(path).read() if os.path.exists(path) else ""
            check(f"ocelli task {s_job} on " in text, f"{name}: {path} does not show task {s_job} running")
    check(len({v[2] for v in slurm.values()}) == len(slurm), "two cases name the same Slurm job")
    check("3 cases, 2 passed, 1 failed" in out, "the Slurm run's summary line is not '3 cases, 2 passed, 1 failed'")
    check(f"reproduce: make regress CASE={FLIPPED} SEED={SEED} REGRESS_ARGS='--flip-bit {FLIPPED}'" in out,
          "the Slurm run does not print the failing case's reproduction command")

    # 2. A task cancelled before it ran is reported as cancelled, with its reproduction command.
    args = [REGRESS, "--programs", "", "-n", "2", "--seed", SEED, "--scheduler", "slurm", "--slurm-max-running", "1",
            "--out-dir", f"{WORK}/cancel", "--junit", f"{WORK}/cancel.xml"]
    print("$ " + " ".join(args), flush=True)
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    text = ""
    for line in p.stdout:
        text += line
        m = re.match(r"slurm: submitted job array (\d+)", line)
        if m:
            subprocess.run(["scancel", f"{m.group(1)}_1"], check=False)
    p.wait(timeout=900)
    print(text, flush=True)
    check(p.returncode == 1, f"the run with a cancelled task exited {p.returncode}, not 1")
    cancelled = junit_cases(f"{WORK}/cancel.xml")
    check(cancelled.get("rand-0001", ("",))[0] == "cancelled", f"rand-0001 is not cancelled: {cancelled}")
    check(cancelled.get("rand-0000", ("",))[0] == "passed", f"rand-0000 did not pass: {cancelled}")
    check(re.search(r"FAILED rand-0001 \(cancelled\): no result: Slurm task \d+_1 ended CANCELLED", text) is not None,
          "the cancelled case is not reported as cancelled by Slurm")
    check(f"reproduce: make regress CASE=rand-0001 SEED={SEED}" in text, "no reproduction command for rand-0001")

    # 3. The layer-parallel run: small_net in two groups, locally and as two Slurm tasks; same cycles per layer.
    net = f"{PROGRAMS}/small_net.prog"
    records = {}
    for where in ("local", "slurm"):
        report = f"{WORK}/net-{where}.json"
        out = run([OCELLI, "run", net, "--jobs", "2", "--scheduler", where, "--jobs-dir", f"{WORK}/net-{where}",
                   "--report", report], 0)
        check("PASS: every layer matched" in out, f"small_net --jobs 2 on {where} did not pass")
        records[where] = {l["name"]: l["cycles"] for l in json.load(open(report))["layers"]} \
            if os.path.exists(report) else {}
    print(f"small_net cycles per layer: local {records['local']}, slurm {records['slurm']}")
    check(records["local"] and records["local"] == records["slurm"], "small_net's cycles per layer differ")

    print("FAIL: " + "; ".join(failures) if failures else "PASS: the Slurm runs match the local runs")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for `make regress SCHEDULER=slurm`, `make alexnet SCHEDULER=slurm` and
# the cluster tests (ctest -L cluster); docs/cluster.md. Idempotent: run it as often as you like.
#   1. installs Debian's slurm-wlm (slurmctld, slurmd, the client tools) and munge when missing;
#   2. writes /etc/slurm/slurm.conf for this one machine (host name from `hostname -s`, CPUs and RealMemory as
#      `slurmd -C` measures them), leaving an identical file alone;
#   3. creates the munge key when missing;
#   4. starts munged, slurmctld and slurmd without systemd (each only when it is not running), then waits until the
#      node takes jobs.
# Needs root (or sudo). `scripts/slurm-cluster.sh --status` only reports whether the cluster takes jobs (exit 0/1).
#
# slurmd (and so every job) runs at nice 19: the test cluster shares the machine's cores with builds and editors.
# Jobs run as the user who submits them; the configuration has no accounting database (squeue shows a finished job
# for MinJobAge = 300 s, long enough for the tools' wait).
set -euo pipefail

CONF_DIR=/etc/slurm
CONF="$CONF_DIR/slurm.conf"
LOG_DIR=/var/log/slurm
STATE_DIR=/var/lib/slurm
RUN_DIR=/run/slurm
PARTITION=ocelli

log() { echo "slurm-cluster: $*"; }
die() { echo "slurm-cluster: error: $*" >&2; exit 1; }

# The cluster takes jobs: slurmd runs here (slurmctld notices a dead one only after SlurmdTimeout), slurmctld
# answers and this node is idle, mixed or allocated.
cluster_up() {
  command -v sinfo >/dev/null 2>&1 || return 1
  [ -s "$RUN_DIR/slurmd.pid" ] && [ -d "/proc/$(cat "$RUN_DIR/slurmd.pid")" ] || return 1
  scontrol ping 2>/dev/null | grep -q "is UP" || return 1
  local state
  state=$(sinfo --noheader --nodes="$(hostname -s)" --format=%t 2>/dev/null | head -n 1)
  case "$state" in idle* | mix* | alloc* | comp*) return 0 ;; *) return 1 ;; esac
}

if [ "${1:-}" = "--status" ]; then
  if cluster_up; then
    log "up: $(sinfo --noheader --format='partition %P, %D node(s) %N, state %t, %c CPUs' | head -n 1)"
    exit 0
  fi
  log "down (scontrol ping: $(scontrol ping 2>&1 | head -n 1 || true); slurmd pid file $RUN_DIR/slurmd.pid:" \
      "$(cat "$RUN_DIR/slurmd.pid" 2>/dev/null || echo none))"
  exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  die "needs root: run 'sudo scripts/slurm-cluster.sh'"
fi
as_root() { "${SUDO[@]}" "$@"; }

# 1. Packages (keep README.md's dependency table in step).
PACKAGES=(
  slurm-wlm  # slurmctld, slurmd and the client tools (sbatch, squeue, scontrol, sinfo)
  munge      # the authentication every Slurm daemon and client uses
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # No init system here: keep the packages' scripts from starting (or failing to start) the daemons; this script
  # starts them below.
  policy_added=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
    as_root chmod 755 /usr/sbin/policy-rc.d
    policy_added=1
  fi
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" || {
    [ "$policy_added" = 1 ] && as_root rm -f /usr/sbin/policy-rc.d
    die "apt-get install ${missing[*]} failed"
  }
  [ "$policy_added" = 1 ] && as_root rm -f /usr/sbin/policy-rc.d
fi

# 2. slurm.conf for this machine.
HOST=$(hostname -s)
node_line=$(slurmd -C 2>/dev/null | grep '^NodeName=' | head -n 1) || true
[ -n "$node_line" ] || die "slurmd -C did not describe this machine"
CPUS=$(sed -n 's/.* CPUs=\([0-9]*\).*/\1/p' <<<"$node_line")
MEM=$(sed -n 's/.* RealMemory=\([0-9]*\).*/\1/p' <<<"$node_line")
[ -n "$CPUS" ] && [ -n "$MEM" ] || die "cannot read CPUs and RealMemory from: $node_line"
conf=$(cat <<EOF
# Written by ocelli's scripts/slurm-cluster.sh: a single-node cluster on $HOST (docs/cluster.md).
ClusterName=ocelli
SlurmctldHost=$HOST
SlurmUser=root
SlurmctldPidFile=$RUN_DIR/slurmctld.pid
SlurmdPidFile=$RUN_DIR/slurmd.pid
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
StateSaveLocation=$STATE_DIR/slurmctld
SlurmdSpoolDir=$STATE_DIR/slurmd
AuthType=auth/munge
# No cgroups, no accounting database: processes are tracked by their parent, finished jobs stay in squeue for
# MinJobAge seconds.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
MinJobAge=300
ReturnToService=2
SchedulerType=sched/backfill
# One core per task, so several tasks share the node.
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
NodeName=$HOST CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=$PARTITION Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
)
as_root mkdir -p "$CONF_DIR" "$LOG_DIR" "$STATE_DIR/slurmctld" "$STATE_DIR/slurmd" "$RUN_DIR"
conf_changed=0
if [ "$(cat "$CONF" 2>/dev/null || true)" != "$conf" ]; then
  printf '%s\n' "$conf" | as_root tee "$CONF" >/dev/null
  conf_changed=1
  log "wrote $CONF ($HOST: $CPUS CPUs, $MEM MB)"
fi

# 3. The munge key.
if [ ! -s /etc/munge/munge.key ]; then
  as_root mkdir -p /etc/munge
  as_root mungekey --create --keyfile=/etc/munge/munge.key
  as_root chown munge:munge /etc/munge/munge.key
  as_root chmod 400 /etc/munge/munge.key
  log "created /etc/munge/munge.key"
fi

# 4. The daemons, each started only when it is not running.
running() { [ -s "$1" ] && as_root kill -0 "$(cat "$1")" 2>/dev/null; }
as_root mkdir -p /run/munge
as_root chown munge:munge /run/munge
if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  log "munged is running"
else
  as_root runuser -u munge -- /usr/sbin/munged
  log "started munged"
fi
if running "$RUN_DIR/slurmctld.pid"; then
  log "slurmctld is running"
  if [ "$conf_changed" = 1 ]; then as_root scontrol reconfigure && log "slurmctld re-read $CONF"; fi
else
  as_root slurmctld
  log "started slurmctld (log $LOG_DIR/slurmctld.log)"
fi
if running "$RUN_DIR/slurmd.pid"; then
  log "slurmd is running"
  if [ "$conf_changed" = 1 ]; then
    as_root kill "$(cat "$RUN_DIR/slurmd.pid")"
    sleep 1
    as_root nice -n 19 slurmd
    log "restarted slurmd for the new configuration"
  fi
else
  as_root nice -n 19 slurmd
  log "started slurmd at nice 19 (log $LOG_DIR/slurmd.log)"
fi

# The node takes jobs within half a minute; one left DOWN or DRAINED by an earlier run is resumed.
for i in $(seq 1 30); do
  if cluster_up; then
    log "up: $(sinfo --noheader --format='partition %P, %D node %N, state %t, %c CPUs' | head -n 1)"
    exit 0
  fi
  state=$(sinfo --noheader --nodes="$HOST" --format=%t 2>/dev/null | head -n 1 || true)
  case "$state" in
    down* | drain* | drng*) as_root scontrol update NodeName="$HOST" State=RESUME 2>/dev/null || true ;;
  esac
  sleep 1
done
die "the cluster does not take jobs after 30 s (scontrol ping: $(scontrol ping 2>&1 | head -n 1); node state: \
${state:-unknown}); see $LOG_DIR/slurmctld.log and $LOG_DIR/slurmd.log"

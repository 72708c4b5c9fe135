#!/usr/bin/env bash
# A real single-node Slurm cluster on this machine, from Debian's packages:
# munge (authentication), MariaDB + slurmdbd (accounting, so `sacct` answers),
# slurmctld and slurmd. For CI and for trying `benchbook bench --slurm`.
#
# Idempotent: installs what is missing, writes the configuration, starts the
# daemons that are not running and waits until the node is idle. Needs root
# (or sudo). No systemd needed: the daemons are started directly.
#
#   bash scripts/slurm/local-cluster.sh          # start (or check) the cluster
#   bash scripts/slurm/local-cluster.sh stop     # stop the daemons
#
# Environment: BENCHBOOK_SLURM_CLUSTER (cluster name, default benchbook).
set -euo pipefail

CLUSTER="${BENCHBOOK_SLURM_CLUSTER:-benchbook}"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
say() { printf '[slurm] %s\n' "$*" >&2; }

if [ "${1:-}" = "stop" ]; then
  for d in slurmd slurmctld slurmdbd; do $SUDO pkill -x "$d" 2>/dev/null || true; done
  say "stopped slurmd, slurmctld, slurmdbd (munged and MariaDB left running)"
  exit 0
fi

PACKAGES=(munge slurmctld slurmd slurm-client slurmdbd mariadb-server)
missing=()
for p in "${PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

NODE="$(hostname -s)"
CPUS="$(nproc)"
# Leave the OS a quarter of the memory; slurmd refuses a node that claims more than it has.
MEM_MB=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 * 3 / 4 ))

# munge: one key, its daemon.
if [ ! -s /etc/munge/munge.key ]; then
  $SUDO /usr/sbin/mungekey --create --keyfile=/etc/munge/munge.key
  $SUDO chown munge:munge /etc/munge/munge.key
  $SUDO chmod 600 /etc/munge/munge.key
fi
$SUDO install -d -o munge -g munge -m 755 /run/munge
if ! pgrep -x munged >/dev/null; then
  say "starting munged"
  $SUDO runuser -u munge -- /usr/sbin/munged
fi

# MariaDB for slurmdbd (the accounting that sacct reads).
$SUDO install -d -o mysql -g mysql -m 755 /run/mysqld
if ! pgrep -x mariadbd >/dev/null; then
  say "starting MariaDB"
  $SUDO sh -c 'nohup /usr/bin/mysqld_safe --skip-networking=0 --bind-address=127.0.0.1 >/var/log/benchbook-mariadb.log 2>&1 &'
  for _ in $(seq 1 60); do $SUDO mariadb -e "select 1" >/dev/null 2>&1 && break; sleep 0.5; done
fi
$SUDO mariadb -e "CREATE DATABASE IF NOT EXISTS slurm_acct_db; CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY 'benchbook-local'; GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost'; FLUSH PRIVILEGES;"

$SUDO install -d -o slurm -g slurm -m 755 /var/lib/slurm /var/lib/slurm/slurmctld /var/lib/slurm/slurmd /var/log/slurm /run/slurm
$SUDO tee /etc/slurm/slurmdbd.conf >/dev/null <<EOF
# Written by benchbook's scripts/slurm/local-cluster.sh
AuthType=auth/munge
DbdHost=localhost
SlurmUser=slurm
LogFile=/var/log/slurm/slurmdbd.log
PidFile=/run/slurm/slurmdbd.pid
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageUser=slurm
StoragePass=benchbook-local
StorageLoc=slurm_acct_db
EOF
$SUDO chown slurm:slurm /etc/slurm/slurmdbd.conf
$SUDO chmod 600 /etc/slurm/slurmdbd.conf

$SUDO tee /etc/slurm/slurm.conf >/dev/null <<EOF
# Written by benchbook's scripts/slurm/local-cluster.sh: one node, this machine.
ClusterName=$CLUSTER
SlurmctldHost=$NODE
AuthType=auth/munge
SlurmUser=slurm
SlurmdUser=root
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
SlurmctldPidFile=/run/slurm/slurmctld.pid
SlurmdPidFile=/run/slurm/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
# No cgroups in containers: track processes by their parent, bind nothing.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# Without a default, each task would be given the whole node's memory and tasks would run one at a time.
DefMemPerCPU=1024
SchedulerType=sched/backfill
ReturnToService=2
MpiDefault=none
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
# Keep finished jobs visible to scontrol for a while; sacct keeps them for good.
MinJobAge=600
KillWait=5
NodeName=$NODE CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF

if ! pgrep -x slurmdbd >/dev/null; then
  say "starting slurmdbd"
  $SUDO /usr/sbin/slurmdbd
  for _ in $(seq 1 60); do $SUDO sacctmgr -n list cluster >/dev/null 2>&1 && break; sleep 0.5; done
fi
if ! $SUDO sacctmgr -n -P list cluster format=cluster | grep -qx "$CLUSTER"; then
  $SUDO sacctmgr -i add cluster "$CLUSTER" >/dev/null
fi
if ! pgrep -x slurmctld >/dev/null; then
  say "starting slurmctld"
  $SUDO /usr/sbin/slurmctld
else
  $SUDO scontrol reconfigure >/dev/null 2>&1 || true
fi
if ! pgrep -x slurmd >/dev/null; then
  say "starting slurmd"
  $SUDO /usr/sbin/slurmd
fi

for _ in $(seq 1 120); do
  state="$(sinfo -h -n "$NODE" -o '%T' 2>/dev/null || true)"
  case "$state" in
    idle*|mixed*|allocated*) say "node $NODE is $state ($CPUS CPUs, ${MEM_MB} MB); cluster $CLUSTER ready"; exit 0 ;;
    down*|drain*) $SUDO scontrol update nodename="$NODE" state=resume >/dev/null 2>&1 || true ;;
  esac
  sleep 0.5
done
say "the node did not become idle; see /var/log/slurm/*.log"
sinfo >&2 || true
exit 1

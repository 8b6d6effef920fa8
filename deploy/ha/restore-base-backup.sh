#!/bin/sh
# Patroni's custom bootstrap for a cluster restored from a backup (patroni.yml,
# bootstrap.method: restore_backup): puts the base backup made by backup.sh into the new
# member's data directory; Patroni then starts PostgreSQL in archive recovery (its
# recovery_conf: restore_command from the WAL archive, recovery_target_action: promote),
# which replays every archived segment and promotes. Patroni appends --scope and --datadir.
#
#   restore-base-backup.sh BASE_BACKUP_DIR --scope=hub --datadir=/var/lib/postgresql/15/hub
set -eu
backup=$1
shift
datadir=
for arg in "$@"; do
  case $arg in
    --datadir=*) datadir=${arg#--datadir=} ;;
  esac
done
[ -n "$datadir" ] || { echo "restore-base-backup.sh: no --datadir" >&2; exit 2; }
rm -rf "$datadir"
mkdir -m 700 -p "$datadir"
tar -xzf "$backup/base.tar.gz" -C "$datadir"
mkdir -m 700 -p "$datadir/pg_wal"
tar -xzf "$backup/pg_wal.tar.gz" -C "$datadir/pg_wal"

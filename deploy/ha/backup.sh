#!/bin/sh
# A base backup of the hub cluster, run as `postgres` on the backup host (nightly, cron):
#
#   PGPASSWORD=... deploy/ha/backup.sh \
#     "host=10.20.0.11,10.20.0.12,10.20.0.13 user=replicator target_session_attrs=read-write" \
#     /srv/hub-backup
#
# writes /srv/hub-backup/base/<UTC time>/ (base.tar.gz and pg_wal.tar.gz) and prints that
# path. Together with the WAL archive every member writes while it is primary
# (archive_command in patroni.yml, into /srv/hub-backup/wal) it restores the cluster to the
# last archived WAL segment (at most archive_timeout old); restore-base-backup.sh does that.
# Old backups: keep a week of base backups, then
#   pg_archivecleanup /srv/hub-backup/wal <oldest kept backup's .backup file name>
set -eu
conninfo=$1
target=$2
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$target/base"
pg_basebackup --dbname="$conninfo" --pgdata="$target/base/$stamp.partial" \
    --format=tar --gzip --wal-method=stream --checkpoint=fast --no-password
mv "$target/base/$stamp.partial" "$target/base/$stamp"
echo "$target/base/$stamp"

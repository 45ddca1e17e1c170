#!/usr/bin/env bash
# Entry point of the MySQL stand-in. Like the official image: on the first start (empty data
# directory) it creates MYSQL_DATABASE and MYSQL_USER/MYSQL_PASSWORD with all privileges on it,
# and sets the root password (MYSQL_ROOT_PASSWORD, MYSQL_RANDOM_ROOT_PASSWORD or
# MYSQL_ALLOW_EMPTY_PASSWORD); arguments starting with '-' are server options.
set -Eeuo pipefail

if [[ "${1:-}" == -* ]]; then
  set -- mariadbd "$@"
fi
if [[ "$1" != mariadbd && "$1" != mysqld ]]; then
  exec "$@"
fi
shift
datadir=/var/lib/mysql
socket=/run/mysqld/init.sock

sql_string() { # a single-quoted SQL string literal
  printf "'%s'" "${1//\'/\'\'}"
}

if [[ ! -d "$datadir/mysql" ]]; then
  if [[ -n "${MYSQL_ROOT_PASSWORD:-}" ]]; then
    root_password=$MYSQL_ROOT_PASSWORD
  elif [[ -n "${MYSQL_RANDOM_ROOT_PASSWORD:-}" ]]; then
    root_password=$(head -c 24 /dev/urandom | base64)
    echo "GENERATED ROOT PASSWORD: $root_password"
  elif [[ -n "${MYSQL_ALLOW_EMPTY_PASSWORD:-}" ]]; then
    root_password=
  else
    echo "Set MYSQL_ROOT_PASSWORD, MYSQL_RANDOM_ROOT_PASSWORD or MYSQL_ALLOW_EMPTY_PASSWORD" >&2
    exit 1
  fi
  echo "Initialising the data directory"
  mariadb-install-db --user=mysql --datadir="$datadir" --skip-test-db \
    --auth-root-authentication-method=normal >/dev/null
  mariadbd --user=mysql --datadir="$datadir" --skip-networking --socket="$socket" &
  init_pid=$!
  for _ in $(seq 1 60); do
    mariadb-admin --socket="$socket" ping >/dev/null 2>&1 && break
    sleep 0.5
  done
  {
    echo "DELETE FROM mysql.global_priv WHERE User = '';"
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY $(sql_string "$root_password");"
    echo "CREATE USER 'root'@'%' IDENTIFIED BY $(sql_string "$root_password");"
    echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    if [[ -n "${MYSQL_DATABASE:-}" ]]; then
      echo "CREATE DATABASE IF NOT EXISTS \`$MYSQL_DATABASE\`;"
    fi
    if [[ -n "${MYSQL_USER:-}" ]]; then
      echo "CREATE USER $(sql_string "$MYSQL_USER")@'%'" \
        "IDENTIFIED BY $(sql_string "${MYSQL_PASSWORD:-}");"
      if [[ -n "${MYSQL_DATABASE:-}" ]]; then
        echo "GRANT ALL ON \`$MYSQL_DATABASE\`.* TO $(sql_string "$MYSQL_USER")@'%';"
      fi
    fi
    echo "FLUSH PRIVILEGES;"
  } | mariadb --socket="$socket" -uroot
  kill "$init_pid"
  wait "$init_pid"
  echo "Initialised"
fi

exec mariadbd --user=mysql --datadir="$datadir" --bind-address=0.0.0.0 "$@"

# Private MariaDB server under a project folder: not the system service, loopback only.
# Source this file, then: mariadb_start DIR PORT; ...; mariadb_stop DIR
# After mariadb_start, MARIADB_URL holds a URL for the `bread` user, who may create
# databases (the integration tests make one per test).

mariadb_start() {
  local dir=$1 port=$2
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [[ ! -d "$dir/data/mysql" ]]; then
    echo "mariadb: initialising $dir/data"
    mariadb-install-db --no-defaults --user=root --datadir="$dir/data" \
      --auth-root-authentication-method=socket --skip-test-db >"$dir/install.log" 2>&1 \
      || { cat "$dir/install.log"; return 1; }
  fi
  if mariadb_alive "$dir"; then
    echo "mariadb: already running ($dir)"
  else
    rm -f "$dir/sock" "$dir/pid"
    # setsid: a Ctrl-C in the terminal reaches the app; the script stops the DB itself.
    # Each commit is flushed to disk (flush-log-at-trx-commit=1) unless the caller says
    # otherwise: an acknowledged chat message or payment must survive a power cut.
    # autoinc-lock-mode=2 as Galera requires (DESIGN.md): an INSERT … SELECT (the chat
    # writers' statement) then takes no table-wide AUTO_INCREMENT lock for its duration.
    setsid mariadbd --no-defaults --user=root --datadir="$dir/data" --socket="$dir/sock" \
      --port="$port" --bind-address=127.0.0.1 --pid-file="$dir/pid" --skip-log-bin \
      --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
      --default-time-zone=+00:00 --innodb-buffer-pool-size="${BREAD_DB_BUFFER_POOL:-256M}" \
      --innodb-flush-log-at-trx-commit="${BREAD_DB_FLUSH_AT_COMMIT:-1}" --max-connections=500 \
      --innodb-autoinc-lock-mode=2 --log-error="$dir/error.log" &
    local i
    for i in $(seq 1 120); do
      mariadb_alive "$dir" && break
      sleep 0.25
    done
    mariadb_alive "$dir" || { echo "mariadb: did not start; see $dir/error.log"; tail -20 "$dir/error.log"; return 1; }
  fi
  mariadb --no-defaults -S "$dir/sock" -u root -e "
    CREATE USER IF NOT EXISTS 'bread'@'127.0.0.1' IDENTIFIED BY 'bread';
    GRANT ALL PRIVILEGES ON *.* TO 'bread'@'127.0.0.1';
    CREATE DATABASE IF NOT EXISTS breadbook CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
  MARIADB_URL="mysql://bread:bread@127.0.0.1:$port"
  export MARIADB_URL
}

mariadb_alive() {
  [[ -S "$1/sock" ]] && mariadb --no-defaults -S "$1/sock" -u root -e 'SELECT 1' >/dev/null 2>&1
}

mariadb_stop() {
  local dir=$1
  [[ -f "$dir/pid" ]] || return 0
  local pid
  pid=$(cat "$dir/pid" 2>/dev/null) || return 0
  kill "$pid" 2>/dev/null || return 0
  local i
  for i in $(seq 1 120); do
    kill -0 "$pid" 2>/dev/null || { echo "mariadb: stopped"; return 0; }
    sleep 0.25
  done
  kill -9 "$pid" 2>/dev/null || true
}

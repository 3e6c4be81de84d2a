# Helpers shared by infra/kafka-up, kafka-down, cassandra-up and cassandra-down (sourced, not run).
# The sourcing script defines log() and die() first, and sets $repo.
# shellcheck shell=bash

# infra_state_dir: prints the absolute state directory, ${CASTELLAN_INFRA_DIR:-<repo>/infra/.state}.
infra_state_dir() {
    local state=${CASTELLAN_INFRA_DIR:-$repo/infra/.state}
    [[ "$state" == /* ]] || state=$PWD/$state
    printf '%s\n' "$state"
}

# check_port NAME VALUE: dies unless VALUE is a TCP port number.
check_port() {
    if ! [[ "$2" =~ ^[1-9][0-9]{0,4}$ ]] || (($2 > 65535)); then
        die "$1='$2' is not a port number"
    fi
}

# java_major BIN: prints the major version of that java (8, 11, 17, 21, ...), or nothing.
java_major() {
    local v
    v=$("$1" -version 2>&1 | sed -n 's/^.* version "\([^"]*\)".*$/\1/p' | head -n 1) || return 0
    [[ -n "$v" ]] || return 0
    if [[ "$v" == 1.* ]]; then v=${v#1.}; fi
    printf '%s\n' "${v%%[.+-]*}"
}

# find_java MIN MAX: prints the path of a java whose major version is in [MIN, MAX]. Tries $CASTELLAN_INFRA_JAVA
# (which must fit), $JAVA_HOME/bin/java, `java` on PATH, then /usr/lib/jvm/*/bin/java.
find_java() {
    local min=$1 max=$2 candidate major
    if [[ -n "${CASTELLAN_INFRA_JAVA:-}" ]]; then
        major=$(java_major "$CASTELLAN_INFRA_JAVA")
        if [[ -z "$major" ]] || ((major < min || major > max)); then
            die "CASTELLAN_INFRA_JAVA=$CASTELLAN_INFRA_JAVA is not a Java $min..$max"
        fi
        printf '%s\n' "$CASTELLAN_INFRA_JAVA"
        return
    fi
    local candidates=()
    [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME/bin/java")
    candidates+=("$(command -v java || true)")
    while IFS= read -r candidate; do candidates+=("$candidate"); done < <(
        compgen -G '/usr/lib/jvm/*/bin/java' | sort -V || true)
    for candidate in "${candidates[@]}"; do
        [[ -n "$candidate" && -x "$candidate" ]] || continue
        major=$(java_major "$candidate")
        if [[ -n "$major" ]] && ((major >= min && major <= max)); then
            printf '%s\n' "$candidate"
            return
        fi
    done
    die "no Java $min..$max found (java on PATH, \$JAVA_HOME, /usr/lib/jvm); run infra/install-build-deps or set CASTELLAN_INFRA_JAVA"
}

# fetch_jars NAME POM LIBDIR: puts the runtime jars of POM's dependencies in LIBDIR (Maven's copy-dependencies,
# downloading into ~/.m2 what is not there yet). Skipped when LIBDIR was filled from the same POM. Serialised by
# a lock in the state directory, so that kafka-up and cassandra-up started together do not run Maven at once.
fetch_jars() {
    local name=$1 pom=$2 libdir=$3
    local stamp=$libdir/.castellan-pom.sha256 sum
    sum=$(sha256sum "$pom" | cut -d' ' -f1)
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$sum" ]]; then
        return 0
    fi
    command -v mvn >/dev/null 2>&1 || die "mvn (Maven) is not installed; run infra/install-build-deps"
    local parent lock
    parent=$(dirname "$libdir")
    mkdir -p "$parent"
    lock=$(dirname "$parent")/.maven.lock
    (
        if command -v flock >/dev/null 2>&1; then
            exec 9>"$lock"
            flock 9
        fi
        # Another script may have filled it while we waited for the lock.
        if [[ -f "$stamp" && "$(cat "$stamp")" == "$sum" ]]; then exit 0; fi
        local tmp=$libdir.tmp mvn_log=$parent/maven.log started=$SECONDS
        rm -rf "$tmp"
        log "fetching the $name jars with Maven (into ~/.m2 and $libdir; log: $mvn_log)"
        # C1 only and the serial GC: Maven starts about 40% faster; the caller's MAVEN_OPTS come last and win.
        if ! MAVEN_OPTS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC ${MAVEN_OPTS:-}" mvn -B -q -Dstyle.color=never -f "$pom" dependency:copy-dependencies -DincludeScope=runtime \
            -DoutputDirectory="$tmp" </dev/null >"$mvn_log" 2>&1; then
            tail -n 40 "$mvn_log" >&2
            die "Maven could not fetch the $name jars (output above; log: $mvn_log)"
        fi
        compgen -G "$tmp/*.jar" >/dev/null || die "Maven copied no jars into $tmp (log: $mvn_log)"
        printf '%s\n' "$sum" >"$tmp/.castellan-pom.sha256"
        rm -rf "$libdir"
        mv "$tmp" "$libdir"
        log "fetched $(compgen -G "$libdir/*.jar" | wc -l) $name jars in $((SECONDS - started)) s"
    ) || exit 1
}

# lock_start LOCKFILE: holds an exclusive lock on LOCKFILE (file descriptor 8) until the script exits, waiting
# for it if needed. start_detached does not pass descriptor 8 on to the server.
lock_start() {
    command -v flock >/dev/null 2>&1 || return 0
    exec 8>"$1"
    if ! flock -n 8; then
        log "waiting for another $(basename "$0") on the same state directory"
        flock 8
    fi
}

# tcp_open PORT: does something accept TCP connections on 127.0.0.1:PORT?
tcp_open() {
    # shellcheck disable=SC2016 # $0 is expanded by the inner bash
    timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0"' "$1" 2>/dev/null
}

# live_pid PIDFILE MARKER: prints the pid in PIDFILE if that process is alive and its command line contains
# MARKER (so that a recycled pid is never mistaken for our server); prints nothing otherwise.
live_pid() {
    local pidfile=$1 marker=$2 pid
    [[ -f "$pidfile" ]] || return 0
    pid=$(cat "$pidfile" 2>/dev/null || true)
    [[ "$pid" =~ ^[0-9]+$ ]] || return 0
    if [[ -r "/proc/$pid/cmdline" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$marker"; then
        printf '%s\n' "$pid"
    fi
}

# start_detached PIDFILE OUTFILE COMMAND...: starts COMMAND in the background, in a session of its own (so that
# neither a closing terminal nor a signal to the caller's process group reaches it), with stdin from /dev/null
# and stdout+stderr to OUTFILE; its pid goes to PIDFILE.
start_detached() {
    local pidfile=$1 outfile=$2
    shift 2
    rm -f "$pidfile"
    local launcher=(nohup)
    if command -v setsid >/dev/null 2>&1; then launcher=(setsid nohup); fi
    # The inner bash writes its own pid, then execs COMMAND: the pid is right even if setsid had to fork.
    # shellcheck disable=SC2016 # expanded by the inner bash
    "${launcher[@]}" bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" </dev/null >"$outfile" 2>&1 8>&- &
    local i
    for ((i = 0; i < 50; i++)); do
        [[ -s "$pidfile" ]] && return 0
        sleep 0.1
    done
    die "the server did not start (no pid in $pidfile; output: $outfile)"
}

# alive PID: is that process running? A zombie is not; but a JVM whose main thread has exited while its shutdown
# hooks still run shows a zombie thread-group leader with live threads beside it, and that one still is.
alive() {
    kill -0 "$1" 2>/dev/null || return 1
    [[ -d "/proc/$1/task" ]] || return 0
    local status
    for status in "/proc/$1/task"/*/status; do
        if [[ "$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "$status" 2>/dev/null)" =~ ^[^ZX]$ ]]; then
            return 0
        fi
    done
    return 1
}

# stop_pid NAME PID GRACE: SIGTERM, then SIGKILL after GRACE seconds; returns when the process is gone.
stop_pid() {
    local name=$1 pid=$2 grace=$3 deadline
    kill -TERM "$pid" 2>/dev/null || return 0
    deadline=$((SECONDS + grace))
    while alive "$pid"; do
        if ((SECONDS >= deadline)); then
            log "$name (pid $pid) still running after ${grace} s; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            deadline=$((SECONDS + 10))
            while alive "$pid"; do
                ((SECONDS < deadline)) || die "$name (pid $pid) survives SIGKILL"
                sleep 0.2
            done
            return 0
        fi
        sleep 0.2
    done
}

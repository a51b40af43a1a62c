#!/usr/bin/env bash
# LiveChat's scaled-out topology (docker/compose.yaml) with local processes on loopback: one redis-server with its
# append-only file on, N nodes forming one Orleans cluster over it (storage, clustering, message log and SignalR
# backplane), and with --proxy-port the front proxy: nginx with docker/nginx.conf, pointed at the local nodes.
# The tests start their clusters with it. Settings for the nodes (users, signing key, queues) come from
# the environment, as in compose; without ASPNETCORE_ENVIRONMENT the nodes run in Development, with demo users.
#
#   scripts/cluster.sh up [options]          start Redis and the nodes; waits until each answers /healthz
#   scripts/cluster.sh down [--dir DIR]      stop the nodes (SIGTERM) and Redis
#   scripts/cluster.sh start-node N          start node N again (after stop-node or a crash)
#   scripts/cluster.sh stop-node N [--kill]  SIGTERM node N and wait for it to leave, or --kill it (SIGKILL)
#   scripts/cluster.sh restart-redis [--kill] restart Redis: a clean shutdown, or --kill (SIGKILL) then start
#   scripts/cluster.sh status                the proxy, the nodes, their addresses and whether they run
#
# Options of up (each has a default, so `scripts/cluster.sh up` alone gives three nodes on ports 5301-5303):
#   --dir DIR            where pids, logs, Redis's data and the saved settings go (.cluster)
#   --nodes N            how many nodes (3)
#   --http-ports LIST    comma-separated HTTP ports, one per node (5301,5302,...)
#   --silo-ports LIST    silo-to-silo ports (11311,...); --gateway-ports LIST: Orleans gateway ports (30301,...),
#                        on loopback, for the tests' Orleans client (a node needs none)
#   --redis-port PORT    (6390)
#   --cluster-id ID      Orleans cluster and service id (livechat-local)
#   --proxy-port PORT    also start the front proxy (nginx: apt-get install -y nginx) on this port; none by default
#   --server DLL         LiveChat.Server.dll to run; by default src/LiveChat.Server is published to DIR/server first
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

command=${1:-}
[ -n "$command" ] && shift
dir=.cluster nodes=3 http_ports="" silo_ports="" gateway_ports="" redis_port=6390 cluster_id=livechat-local server="" proxy_port="" node="" kill=0
while [ $# -gt 0 ]; do
    case $1 in
        --dir) dir=$2; shift 2 ;;
        --nodes) nodes=$2; shift 2 ;;
        --http-ports) http_ports=$2; shift 2 ;;
        --silo-ports) silo_ports=$2; shift 2 ;;
        --gateway-ports) gateway_ports=$2; shift 2 ;;
        --redis-port) redis_port=$2; shift 2 ;;
        --cluster-id) cluster_id=$2; shift 2 ;;
        --server) server=$2; shift 2 ;;
        --proxy-port) proxy_port=$2; shift 2 ;;
        --kill) kill=1; shift ;;
        [0-9]*) node=$1; shift ;;
        *) echo "cluster.sh: unknown option '$1' (see the top of $0)" >&2; exit 2 ;;
    esac
done
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
settings=$dir/cluster.env

# count first_port -> "p,p+1,..."
ports() { local list=() i; for ((i = 0; i < $1; i++)); do list+=($(($2 + i))); done; (IFS=,; echo "${list[*]}"); }
# nth "a,b,c" N -> the Nth item, from 1
nth() { echo "$1" | cut -d, -f"$2"; }

# Waits until http://127.0.0.1:$1/healthz answers 200, for at most $2 seconds; bash's /dev/tcp, so no curl needed.
wait_healthy() {
    local deadline=$((SECONDS + $2)) reply
    while [ $SECONDS -lt $deadline ]; do
        reply=$( (exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3 && head -n1 <&3) 2>/dev/null || true)
        case $reply in *" 200"*) return 0 ;; esac
        sleep 0.2
    done
    return 1
}

running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start_redis() {
    local executable
    executable=$(command -v redis-server || echo /usr/bin/redis-server)
    [ -x "$executable" ] || { echo "redis-server is not installed: apt-get install -y redis-server" >&2; exit 1; }
    mkdir -p "$dir/redis"
    # appendfsync always: a message is acknowledged once it is on disk, so even a crash of Redis loses none.
    "$executable" --port "$redis_port" --bind 127.0.0.1 --dir "$dir/redis" --appendonly yes --appendfsync always --save '' \
        --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
    local deadline=$((SECONDS + 10))
    until (exec 3<>"/dev/tcp/127.0.0.1/$redis_port" && printf 'PING\r\n' >&3 && head -c5 <&3 | grep -q PONG) 2>/dev/null; do
        [ $SECONDS -lt $deadline ] || { echo "Redis did not start; see $dir/redis.log" >&2; exit 1; }
        sleep 0.1
    done
}

# stop_process PIDFILE SIGNAL [SECONDS]: signals the process (one that already exited is fine) and waits until it is gone;
# with SECONDS, kills it (SIGKILL) if it is still there after that long.
stop_process() {
    running "$1" || return 0
    local pid deadline
    pid=$(cat "$1")
    kill "-$2" "$pid" 2>/dev/null || true
    deadline=$((SECONDS + ${3:-0}))
    while kill -0 "$pid" 2>/dev/null; do
        if [ -n "${3:-}" ] && [ $SECONDS -ge $deadline ]; then kill -KILL "$pid" 2>/dev/null || true; fi
        sleep 0.1
    done
    rm -f "$1"
}

# $1: kill (SIGKILL, a crash) or nothing (SIGTERM, a clean shutdown).
signal_for() { if [ "${1:-}" = kill ]; then echo KILL; else echo TERM; fi; }

stop_redis() { stop_process "$dir/redis.pid" "$(signal_for "${1:-}")"; }

start_node() {
    local n=$1 http silo gateway
    http=$(nth "$http_ports" "$n") silo=$(nth "$silo_ports" "$n") gateway=$(nth "$gateway_ports" "$n")
    [ -n "$http" ] && [ -n "$silo" ] && [ -n "$gateway" ] || { echo "no node $n: the cluster has $nodes" >&2; exit 2; }
    running "$dir/node-$n.pid" && { echo "node $n already runs" >&2; return 0; }
    # Each node: the shared Redis and cluster id, ports of its own. Everything else comes from this environment.
    # Behind the local proxy the nodes believe its X-Forwarded-For (so each visitor has their own session allowance).
    local behind_proxy=()
    [ -z "$proxy_port" ] || [ -n "${LiveChat__TrustedProxies__0:-}" ] || behind_proxy=(LiveChat__TrustedProxies__0=127.0.0.1)
    ConnectionStrings__Redis="127.0.0.1:$redis_port" \
    Orleans__ClusterId="$cluster_id" Orleans__ServiceId="$cluster_id" Orleans__SiloPort="$silo" Orleans__GatewayPort="$gateway" \
    ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}" \
        env "${behind_proxy[@]}" setsid dotnet "$server" --contentRoot "$(dirname "$server")" --urls "http://127.0.0.1:$http" >>"$dir/node-$n.log" 2>&1 &
    echo $! >"$dir/node-$n.pid"
    echo "http://127.0.0.1:$http" >"$dir/node-$n.url"
}

stop_node() { stop_process "$dir/node-$1.pid" "$(signal_for "${2:-}")"; }

# The front proxy: docker/nginx.conf with its upstream pointed at the local nodes and its listener on loopback.
start_proxy() {
    [ -n "$proxy_port" ] || return 0
    local executable
    executable=$(command -v nginx || echo /usr/sbin/nginx)
    [ -x "$executable" ] || { echo "nginx is not installed: apt-get install -y nginx" >&2; exit 1; }
    mkdir -p "$dir/proxy"
    local upstreams="" n
    for ((n = 1; n <= nodes; n++)); do
        upstreams+="        server 127.0.0.1:$(nth "$http_ports" "$n") max_fails=2 fail_timeout=10s;\n"
    done
    # The compose file's node lines become the local nodes (written where the first one was); the listener moves to loopback.
    # Debian's nginx keeps its temp files under /var/lib/nginx whatever -p says: here they go to the cluster folder too.
    local temp_paths="" kind
    for kind in client_body proxy fastcgi uwsgi scgi; do
        mkdir -p "$dir/proxy/$kind"
        temp_paths+="    ${kind}_temp_path $dir/proxy/$kind;\n"
    done
    awk -v upstreams="$upstreams" -v listen="        listen 127.0.0.1:$proxy_port;" -v temp_paths="$temp_paths" '
        /^[[:space:]]*server node[0-9]+:8080/ { if (!done) { printf "%s", upstreams; done = 1 } next }
        /^[[:space:]]*listen 80;/ { print listen; next }
        /^http \{/ { print; printf "%s", temp_paths; next }
        { print }' "$root/docker/nginx.conf" >"$dir/proxy/nginx.conf"
    # -p keeps nginx's temp files in the cluster folder; in the foreground (daemon off) so the pid is the master's.
    setsid "$executable" -p "$dir/proxy" -c "$dir/proxy/nginx.conf" -g "daemon off; pid $dir/proxy/nginx.pid;" >>"$dir/proxy.log" 2>&1 &
    echo $! >"$dir/proxy.pid"
    echo "http://127.0.0.1:$proxy_port" >"$dir/proxy.url"
    wait_healthy "$proxy_port" 10 || { echo "the proxy did not start; see $dir/proxy.log" >&2; exit 1; }
}

# Gracefully (QUIT lets open requests finish), then for good after 10 s.
stop_proxy() { stop_process "$dir/proxy.pid" QUIT 10; }

load_settings() {
    [ -f "$settings" ] || { echo "no cluster in $dir: run '$0 up' first" >&2; exit 1; }
    # shellcheck disable=SC1090
    source "$settings"
}

case $command in
    up)
        [ -n "$http_ports" ] || http_ports=$(ports "$nodes" 5301)
        [ -n "$silo_ports" ] || silo_ports=$(ports "$nodes" 11311)
        [ -n "$gateway_ports" ] || gateway_ports=$(ports "$nodes" 30301)
        if [ -z "$server" ]; then
            echo "Publishing the server to $dir/server..."
            dotnet publish "$root/src/LiveChat.Server" -c Release -o "$dir/server" --nologo -v quiet >/dev/null
            server=$dir/server/LiveChat.Server.dll
        fi
        server=$(cd "$(dirname "$server")" && pwd)/$(basename "$server")
        printf 'nodes=%q http_ports=%q silo_ports=%q gateway_ports=%q redis_port=%q cluster_id=%q server=%q proxy_port=%q\n' \
            "$nodes" "$http_ports" "$silo_ports" "$gateway_ports" "$redis_port" "$cluster_id" "$server" "$proxy_port" >"$settings"
        start_redis
        # The first node alone, so that it creates the membership table; then the others together.
        start_node 1
        wait_healthy "$(nth "$http_ports" 1)" 60 || { echo "node 1 did not start; see $dir/node-1.log" >&2; exit 1; }
        for ((n = 2; n <= nodes; n++)); do start_node "$n"; done
        for ((n = 2; n <= nodes; n++)); do
            wait_healthy "$(nth "$http_ports" "$n")" 60 || { echo "node $n did not start; see $dir/node-$n.log" >&2; exit 1; }
        done
        start_proxy
        for ((n = 1; n <= nodes; n++)); do echo "node $n: $(cat "$dir/node-$n.url")"; done
        [ -z "$proxy_port" ] || echo "proxy: $(cat "$dir/proxy.url")"
        ;;
    down)
        load_settings
        stop_proxy
        for ((n = 1; n <= nodes; n++)); do stop_node "$n" & done
        wait
        stop_redis
        ;;
    start-node)
        load_settings
        start_node "$node"
        wait_healthy "$(nth "$http_ports" "$node")" 60 || { echo "node $node did not start; see $dir/node-$node.log" >&2; exit 1; }
        ;;
    stop-node)
        load_settings
        stop_node "$node" "$([ $kill = 1 ] && echo kill)"
        ;;
    restart-redis)
        load_settings
        stop_redis "$([ $kill = 1 ] && echo kill)"
        start_redis
        ;;
    status)
        load_settings
        [ -z "$proxy_port" ] || echo "proxy http://127.0.0.1:$proxy_port: $(running "$dir/proxy.pid" && echo running || echo stopped)"
        echo "redis 127.0.0.1:$redis_port: $(running "$dir/redis.pid" && echo running || echo stopped)"
        for ((n = 1; n <= nodes; n++)); do
            echo "node $n http://127.0.0.1:$(nth "$http_ports" "$n"): $(running "$dir/node-$n.pid" && echo running || echo stopped)"
        done
        ;;
    *)
        sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'
        exit 2
        ;;
esac

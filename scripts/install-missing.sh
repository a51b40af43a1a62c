# Sourced by run.sh and test.sh: installs Debian packages that are missing, with apt (as root, or with sudo).

# Adds nodejs and npm to the array named $1 when the web pages cannot be built for want of them.
need_node() {
    local -n list=$1
    command -v node >/dev/null 2>&1 || list+=(nodejs)
    command -v npm >/dev/null 2>&1 || list+=(npm)
}

# install_missing "<what for>" package...
install_missing() {
    local why=$1
    shift
    [ $# -gt 0 ] || return 0
    echo "Installing $* for $why..."
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    # The tests start their own servers on free loopback ports, so the packages' services (redis-server on 6379,
    # nginx on port 80) are not started by the install: policy-rc.d refuses them while it runs.
    local policy=/usr/sbin/policy-rc.d status=0
    if [ ! -e "$policy" ]; then
        # Removed however the install ends, even interrupted: left behind it would keep every later service from starting.
        trap "$sudo rm -f $policy" EXIT
        printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null && $sudo chmod +x "$policy"
    fi
    # env: sudo would drop DEBIAN_FRONTEND given before it.
    $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null || status=$?
    if [ -n "$(trap -p EXIT)" ]; then
        $sudo rm -f "$policy"
        trap - EXIT
    fi
    return $status
}

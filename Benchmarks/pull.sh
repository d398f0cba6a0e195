#!/usr/bin/env bash
# Pull followers vs push agents, side by side on loopback: HOSTS (default 30) `loopseal watch --pull
# --interval INTERVAL` processes, each in its own clone of one bare repository served by `git daemon`,
# against today's push of the same change from one controller to HOSTS `loopseal agent` processes.
# Rounds alternate (pull round, push round, …); each pair changes the same secret of 100 to the same
# value on both sides. Then, with nothing new pushed, each follower's CPU over IDLE_SECONDS.
# usage: pull.sh BIN. Environment: HOSTS (30), ROUNDS (5), INTERVAL (2), IDLE_SECONDS (60).
set -euo pipefail
[ -x "${1:-}" ] || { echo "usage: pull.sh BIN (the loopseal binary; ${1:-none given} is not executable)" >&2; exit 2; }
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
here="$(cd "$(dirname "$0")" && pwd)"
hosts="${HOSTS:-30}"
rounds="${ROUNDS:-5}"
interval="${INTERVAL:-2}"
idle="${IDLE_SECONDS:-60}"
secrets=100
tmp="$(mktemp -d)"
pids=()
# Every process this script started gets SIGTERM (followers finish the git command they wait for),
# then SIGKILL after 10 s; nothing is left running, then the folder goes.
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for _ in $(seq 1 100); do
        alive=0
        for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ "$alive" = 0 ] && break
        sleep 0.1
    done
    for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export HOME="$tmp" XDG_CONFIG_HOME="$tmp/.config" GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
unset LOOPSEAL_IDENTITY LOOPSEAL_IDENTITY_FILE LOOPSEAL_HOST LOOPSEAL_SIGNING_KEY LOOPSEAL_SIGNING_KEY_FILE
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# One identity for the workspace, the controller and every following host; one for every agent.
pub=$("$bin" keygen -o "$tmp/fleet.key")
agent_pub=$("$bin" keygen -o "$tmp/agent.key")
echo "$pub controller" > "$tmp/authorized"

# The remote: a bare repository served by git daemon on loopback (it logs one line per fetch). It is
# started as git-daemon itself, not through the `git` wrapper, so that its pid is the daemon's.
mkdir -p "$tmp/served"
git init --quiet --bare --initial-branch=main "$tmp/served/remote.git"
port=$(free_port)
"$(git --exec-path)/git-daemon" --reuseaddr --listen=127.0.0.1 --port="$port" --export-all --enable=receive-pack --verbose \
    --log-destination=stderr --base-path="$tmp/served" "$tmp/served" 2>"$tmp/daemon.log" &
pids+=($!)
daemon_pid=$!
url="git://127.0.0.1:$port/remote.git"
for _ in $(seq 1 100); do git ls-remote "$url" >/dev/null 2>&1 && break; sleep 0.05; done
git ls-remote "$url" >/dev/null

# The developer's clone: 100 secrets, one file target per host (hosts: [host-N], all keys).
git clone --quiet "$url" "$tmp/dev" 2>/dev/null
python3 "$here/make_workspace.py" "$tmp/dev" bench "$secrets" "$pub"
printf '.loopseal/\n' > "$tmp/dev/workspaces/bench/.gitignore"
mkdir -p "$tmp/controller"
cp -r "$tmp/dev/workspaces" "$tmp/controller/"
{
    printf 'workspace: bench\nrecipients:\n  bench: %s\ntargets:\n' "$pub"
    for i in $(seq 1 "$hosts"); do
        mkdir -p "$tmp/hosts/host-$i"
        printf '  - { name: host-%d, type: file, path: %s, hosts: [host-%d] }\n' "$i" "$tmp/hosts/host-$i/app.env" "$i"
    done
} > "$tmp/dev/workspaces/bench/workspace.yaml"
git -C "$tmp/dev" add -A
git -C "$tmp/dev" commit --quiet -m "100 secrets, a file target per host"
git -C "$tmp/dev" push --quiet origin HEAD:main 2>/dev/null

# The followers, started once: each in its own clone, with its own status file and log.
followers=()
for i in $(seq 1 "$hosts"); do
    git clone --quiet "$url" "$tmp/hosts/host-$i/repo"
    "$bin" watch --pull --interval "$interval" --host "host-$i" --root "$tmp/hosts/host-$i/repo" -i "$tmp/fleet.key" \
        --status-file "$tmp/hosts/host-$i/status.json" 2>"$tmp/hosts/host-$i/log" &
    pids+=($!)
    followers+=($!)
done

# The push side: the same 100 secrets in the controller's folder, an agent target per agent.
agents=()
{
    printf 'workspace: bench\nrecipients:\n  bench: %s\ntargets:\n' "$pub"
    for i in $(seq 1 "$hosts"); do
        aport=$(free_port)
        mkdir -p "$tmp/agents/agent-$i"
        LOOPSEAL_LOG_LEVEL=error "$bin" agent --listen "127.0.0.1:$aport" --identity "$tmp/agent.key" \
            --authorized-keys "$tmp/authorized" --env-file "$tmp/agents/agent-$i/app.env" 2>"$tmp/agents/agent-$i/log" &
        pids+=($!)
        agents+=($!)
        echo "$aport" >> "$tmp/agent-ports"
        printf '  - { name: agent-%d, type: agent, url: "http://127.0.0.1:%d", agent: %s }\n' "$i" "$aport" "$agent_pub"
    done
} > "$tmp/controller/workspaces/bench/workspace.yaml"
while read -r aport; do
    for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$aport/healthz" >/dev/null 2>&1 && break; sleep 0.05; done
    curl -sf "http://127.0.0.1:$aport/healthz" >/dev/null || { echo "agent on port $aport did not start" >&2; exit 1; }
done < "$tmp/agent-ports"
LOOPSEAL_LOG_LEVEL=error "$bin" sync --root "$tmp/controller" -i "$tmp/fleet.key" >/dev/null

# The rounds, the idle window and the checks, in the background so that a signal ends them at once.
python3 - "$bin" "$tmp" "$hosts" "$rounds" "$interval" "$idle" "$secrets" "$daemon_pid" "${followers[*]}" "${agents[*]}" <<'PY' &
import math, os, secrets, statistics, subprocess, sys, time
bin, tmp = sys.argv[1], sys.argv[2]
hosts, rounds, interval, idle, count = int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7])
daemon = int(sys.argv[8])
followers = [int(p) for p in sys.argv[9].split()]
agents = [int(p) for p in sys.argv[10].split()]
dev, controller, key = tmp + "/dev", tmp + "/controller", tmp + "/fleet.key"
host_files = ["%s/hosts/host-%d/app.env" % (tmp, i) for i in range(1, hosts + 1)]
agent_files = ["%s/agents/agent-%d/app.env" % (tmp, i) for i in range(1, hosts + 1)]


def fail(message):
    sys.exit("pull.sh: " + message)


def run(cmd, value=None):
    result = subprocess.run(cmd, input=value, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=dict(os.environ, LOOPSEAL_LOG_LEVEL="error"))
    if result.returncode != 0:
        fail("%s failed (exit %d): %s" % (" ".join(cmd[:3]), result.returncode, result.stderr.decode(errors="replace")[-400:]))
    return result.stdout


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


def log_tail(host):
    return (read("%s/hosts/host-%d/log" % (tmp, host + 1)) or b"").decode(errors="replace")[-600:]


def wait_for(files, done, limit, what):
    """Polls files every ~5 ms until done(bytes) holds for each; returns the seconds, per file, from
    now until it was seen."""
    start = time.perf_counter()
    seen = {}
    while len(seen) < len(files):
        for i, path in enumerate(files):
            if i not in seen:
                data = read(path)
                if data is not None and done(data):
                    seen[i] = time.perf_counter() - start
        if time.perf_counter() - start > limit:
            late = [i for i in range(len(files)) if i not in seen]
            fail("%s: host-%d and %d more did not get it within %.0f s; its log: %s" % (what, late[0] + 1, len(late) - 1, limit, log_tail(late[0])))
        time.sleep(0.005)
    return [seen[i] for i in range(len(files))]


def alive(pids, what):
    for i, pid in enumerate(pids):
        if not os.path.exists("/proc/%d" % pid):
            fail("%s %d (pid %d) is no longer running" % (what, i + 1, pid))


# Every follower applied the first commit and every agent got the controller's first sync.
everything = run([bin, "export", "--root", dev, "-i", key])
wait_for(host_files, lambda data: data == everything, 300, "the first commit")
wait_for(agent_files, lambda data: data == everything, 10, "the first sync")

pull, pull_all, push, push_hosts = [], [], [], []
for round in range(rounds):
    name, value = "SECRET_%05d" % secrets.randbelow(count), secrets.token_urlsafe(30)
    # Pull round: the developer sets, commits and pushes; each host's file is polled.
    run([bin, "set", "--root", dev, "-i", key, name], value.encode())
    run(["git", "-C", dev, "commit", "--quiet", "-am", "round %d: %s" % (round + 1, name)])
    run(["git", "-C", dev, "push", "--quiet", "origin", "HEAD:main"])
    times = wait_for(host_files, lambda data: value.encode() in data, 120, "round %d" % (round + 1))
    pull += times
    pull_all.append(max(times))
    # Push round: the controller sets the same value and one sync pushes it to every agent.
    run([bin, "set", "--root", controller, "-i", key, name], value.encode())
    started_ns, start = time.time_ns(), time.perf_counter()
    run([bin, "sync", "--root", controller, "-i", key])
    push.append(time.perf_counter() - start)
    for i, path in enumerate(agent_files):
        if value.encode() not in (read(path) or b""):
            fail("round %d: agent-%d does not hold the new value after the sync returned" % (round + 1, i + 1))
        push_hosts.append((os.stat(path).st_mtime_ns - started_ns) / 1e9)
alive(followers, "follower")
alive(agents, "agent")

# Idle: nothing new is pushed; each follower's CPU, with the git children it waited for.
head = run(["git", "-C", dev, "rev-parse", "HEAD"]).decode().strip()
wait_for(["%s/hosts/host-%d/status.json" % (tmp, i) for i in range(1, hosts + 1)], lambda data: head.encode() in data, 30, "the status")
tick = os.sysconf("SC_CLK_TCK")


def cpu(pid):
    """(own, children) CPU seconds: utime+stime and cutime+cstime of /proc/PID/stat."""
    fields = read("/proc/%d/stat" % pid).decode().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / tick, (int(fields[13]) + int(fields[14])) / tick


def fetches():
    return (read(tmp + "/daemon.log") or b"").count(b"Request upload-pack for")


before = {pid: cpu(pid) for pid in followers + agents + [daemon]}
fetched, start = fetches(), time.perf_counter()
time.sleep(idle)
window = time.perf_counter() - start
after = {pid: cpu(pid) for pid in followers + agents + [daemon]}
fetched = fetches() - fetched
alive(followers, "follower")
alive(agents, "agent")
hour = 3600 / window
own = [(after[p][0] - before[p][0]) * hour for p in followers]
kids = [(after[p][1] - before[p][1]) * hour for p in followers]
total = [a + b for a, b in zip(own, kids)]
agent_cpu = [sum(after[p]) * hour - sum(before[p]) * hour for p in agents]
remote = (sum(after[daemon]) - sum(before[daemon])) * hour
per_host_fetches = fetched * hour / hosts

# Correctness: every host's file and every agent's file equals `loopseal export` (the target and
# the agent take all keys), and both sides hold the same values.
everything = run([bin, "export", "--root", dev, "-i", key])
if run([bin, "export", "--root", controller, "-i", key]) != everything:
    fail("the developer's and the controller's workspaces hold different values")
for label, files in (("host", host_files), ("agent", agent_files)):
    for i, path in enumerate(files):
        if read(path) != everything:
            fail("%s-%d's file differs from loopseal export" % (label, i + 1))


def pct(values, q):
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


ms = lambda s: "%.0f ms" % (s * 1000)
p50, p99, top = pct(pull, 50), pct(pull, 99), max(pull)
q50, q99, qtop = pct(push_hosts, 50), pct(push_hosts, 99), max(push_hosts)
pull_median, push_median = statistics.median(pull_all), statistics.median(push)
print("| %d hosts on loopback, one secret of %d changed per round | p50 per host | p99 per host | max | median until all %d hold it (range over rounds) | command |" % (hosts, count, hosts))
print("|---|---|---|---|---|---|")
print("| pull: %d `watch --pull --interval %g` on one `git daemon`, from `git push` returning | %s | %s | %s | %s (%s–%s) | `loopseal watch --pull --interval %g --host host-N --status-file status.json` |" % (
    hosts, interval, ms(p50), ms(p99), ms(top), ms(pull_median), ms(min(pull_all)), ms(max(pull_all)), interval))
print("| push: one `sync` from a controller to %d agents, from its start | %s | %s | %s | %s (%s–%s) | `loopseal sync --root controller -i controller.key` |" % (
    hosts, ms(q50), ms(q99), ms(qtop), ms(push_median), ms(min(push)), ms(max(push))))
print("| **pull / push** | **%.1f×** | %.1f× | %.1f× | **%.1f×** | |" % (p50 / q50, p99 / q99, top / qtop, pull_median / push_median))
print()
print("| idle, nothing new pushed, %.0f s | CPU s per host per hour: median (max) | of it: loopseal itself / git children (medians) | fetches per host per hour | CPU per fetch | command |" % window)
print("|---|---|---|---|---|---|")
print("| pull follower, `--interval %g` | %.1f s (%.1f s) | %.1f s / %.1f s | %.0f | %.1f ms | `loopseal watch --pull --interval %g --host host-N` |" % (
    interval, statistics.median(total), max(total), statistics.median(own), statistics.median(kids), per_host_fetches,
    statistics.median(total) / per_host_fetches * 1000 if per_host_fetches else 0, interval))
print("| push agent | %.1f s (%.1f s) | — | 0 | — | `loopseal agent --listen 127.0.0.1:PORT -i agent.key --authorized-keys authorized --env-file app.env` |" % (
    statistics.median(agent_cpu), max(agent_cpu)))
print("| the remote (`git daemon` and its `upload-pack`s), per host | %.1f s | — | — | %.1f ms | `git daemon --export-all --enable=receive-pack` |" % (
    remote / hosts, remote / hour / fetched * 1000 if fetched else 0))
print()
print("- %d hosts, one of %d secrets changed: pull (`--interval %g`) p50 %s, p99 %s, max %s per host, all %d in %s (median); push to %d agents, one `sync`: %s; pull / push %.1f× (all hosts), %.1f× (p50 per host); an idle follower uses %.1f CPU s per hour (%.0f fetches)" % (
    hosts, count, interval, ms(p50), ms(p99), ms(top), hosts, ms(pull_median), hosts, ms(push_median), pull_median / push_median, p50 / q50,
    statistics.median(total), per_host_fetches))
print()
print("%d rounds of each, alternating (pull round, push round); each pair sets the same secret to the same new value in the developer's"
      " clone (then `git commit`, `git push`) and in the controller's folder (then one `loopseal sync`), so both sides deliver the"
      " same change: a 100-secret dotenv payload in which one value changed, to %d hosts. Pull latency: from `git push` returning"
      " until the host's file target (`hosts: [host-N]`, all keys) holds the new value, the %d files polled every 5 ms (%d samples)."
      " Push: the same moment is the `sync` start; per host, the agent's env-file mtime (kernel clock, a few ms of resolution), all"
      " %d agents checked to hold the value when `sync` returns. All hosts and the controller share one identity, the agents another."
      " The followers run throughout, push rounds included: their fetching (the idle CPU above, times %d) is load the push rounds"
      " share. Idle CPU: utime+stime+cutime+cstime from /proc/PID/stat (the git commands each follower ran and waited for included)"
      " over a window after the last round with nothing pushed, in clock ticks (%.1f s per hour each); fetches counted in the daemon's log. Afterwards every host's"
      " and every agent's file equals `loopseal export`, and the developer's and controller's workspaces hold the same values."
      % (rounds, hosts, hosts, len(pull), hosts, hosts, hour / tick))
PY
pids+=($!)
wait "$!"

#!/bin/sh
# Client benchmark on loopback: how fast and how well timed's client
# disciplines a clock.  Three timed servers on 127.0.0.1-3 (each `clock
# virtual`, `local stratum 1`) and a timed client whose virtual clock starts
# 0.3 s ahead and 40 ppm fast (`makestep 0.1 3`, the three servers with
# `iburst minpoll -2 maxpoll -2`).  The client's true error
# (virtual_true_offset) and frequency are sampled every 0.25 s; printed:
# the time to converge (the first time |error| < 100 us that stays so for
# 10 s), the time until the frequency is within 1 ppm of 40 for the rest of
# the run, and over the measurement window that starts once both have
# converged (and ends SECONDS after the offset's convergence) the
# RMS, 95th percentile and maximum |error|, the mean error and the mean
# frequency error (and the same from the frequency settling on); per
# source, the measured offsets (their spread, and the spread of what is
# left after the client's own error is taken out) and, if timectl has it,
# sourcestats.
# Then, when chronyd 4.3 is available (regress/fetch-chrony.sh or
# $CHRONYD), a chronyd client (-x) polls the same three servers the same
# way.  chronyd -x cannot discipline a clock, so only what it measures is
# compared: its measured offsets (sampled from `chronyc -c sources`) and,
# at the end, `chronyc -c sourcestats` (std dev, offset per source) and the
# counts of `chronyc -c ntpdata` (answers received, answers kept).
# Nothing here changes this machine's clock: timed runs with `clock
# virtual` (checked with timed -p before it starts), chronyd with -x;
# /work/shared/bin/clockstate is read before and after.  Numbers only: the
# exit status is 0 when the run finished, whatever the figures.
# Stops what it started, by PID.
#   sh regress/bench-client.sh BUILDDIR [SECONDS]
# SECONDS: the measurement window after convergence (default 180, or
# BENCH_CLIENT_SECONDS).  Environment: BENCH_CLIENT_CONVERGE_MAX (give up
# waiting for convergence after this many seconds, default 120),
# BENCH_CLIENT_CHRONY_SECONDS (the chronyd run, default 60),
# BENCH_CLIENT_PORT (first server port tried), BENCH_CLIENT_CSV (a file to
# keep the timed client's samples in), BENCH_CLIENT_XLEAVE (1, the
# default: both clients ask for interleaved answers, `xleave`; 0: basic
# mode), BENCH_CLIENT_LOG (a file to keep the timed client's log in, with
# debug messages: one line per sample), CHRONY_CACHE, CHRONYD.
set -u
B=${1:?usage: bench-client.sh BUILDDIR [SECONDS]}
B=$(cd "$B" && pwd) || exit 1
R=$(cd "$(dirname "$0")" && pwd)
secs=${2:-${BENCH_CLIENT_SECONDS:-180}}
convmax=${BENCH_CLIENT_CONVERGE_MAX:-120}
csecs=${BENCH_CLIENT_CHRONY_SECONDS:-60}
port0=${BENCH_CLIENT_PORT:-$((20000 + $$ % 20000))}
csv=${BENCH_CLIENT_CSV:-}
xl=""
[ "${BENCH_CLIENT_XLEAVE:-1}" = 1 ] && xl=" xleave"
BENCH=bench-client
. "$R/bench-lib.sh"

case "$secs$convmax$csecs$port0" in
*[!0-9]*)
	say "SECONDS and BENCH_CLIENT_* must be whole numbers" >&2
	exit 1
	;;
esac
for v in "$secs" "$convmax" "$csecs"; do
	[ "$v" -ge 10 ] && [ "$v" -le 3600 ] || {
		say "durations must be 10 to 3600 s" >&2
		exit 1
	}
done
[ "$port0" -ge 1024 ] && [ "$port0" -le 65000 ] || {
	say "BENCH_CLIENT_PORT must be 1024 to 65000" >&2
	exit 1
}
[ -x "$B/timed" ] && [ -x "$B/timectl" ] || {
	say "no $B/timed or $B/timectl: build them first" >&2
	exit 1
}
command -v python3 >/dev/null 2>&1 || {
	say "python3 is needed to sample and summarise" >&2
	exit 1
}
id nobody >/dev/null 2>&1 || { say "no user nobody" >&2; exit 1; }

mkdir -m 755 "$T/bin"
# Private copies: a rebuild during the run must not swap the binary that
# the monitor executes as its engine.
cp "$B/timed" "$B/timectl" "$T/bin/" && chmod 755 "$T/bin/timed" \
    "$T/bin/timectl" || exit 1
TIMED=$T/bin/timed
TIMECTL=$T/bin/timectl
chmod 770 "$T/chrony"
chown "nobody:$(id -g nobody)" "$T/chrony"

CS=$R/../../shared/bin/clockstate
[ -x "$CS" ] || CS=/work/shared/bin/clockstate
clockcheck() {
	[ -x "$CS" ] || { say "clock $1: no $CS"; return 0; }
	"$CS" | sed "s/^/bench-client: clock $1: /"
}

# A UDP port that nothing listens on, with the two above it, from $1 up.
free_ports() {
	p=$1
	while [ "$p" -lt $(($1 + 60)) ]; do
		if ! command -v ss >/dev/null 2>&1 || [ -z "$(ss -Hlun \
		    "( sport = :$p or sport = :$((p + 1)) or \
		    sport = :$((p + 2)) )" 2>/dev/null)" ]; then
			echo "$p"
			return 0
		fi
		p=$((p + 3))
	done
	echo "$1"
}

# virtual_only CONF: timed -p shows `clock virtual`, never the kernel's.
virtual_only() {
	"$TIMED" -p -f "$1" 2>&1 | grep -q '^clock virtual'
}

# start_timed NAME: the monitor in the foreground, its engine; sets MPID.
start_timed() {
	virtual_only "$T/$1.conf" || {
		say "$1: timed -p does not show 'clock virtual'; not started"
		"$TIMED" -p -f "$T/$1.conf" 2>&1 | sed 's/^/    /'
		exit 1
	}
	"$TIMED" -d -f "$T/$1.conf" ${2:-} >"$T/$1.log" 2>&1 &
	MPID=$!
	pids="$pids $MPID"
}

# answers NAME: its control socket answers within 10 s; adds the engine
# to the PIDs to stop.
answers() {
	eval "mp=\$PID_$1"
	i=0
	while [ $i -lt 100 ]; do
		running "$mp" || break
		"$TIMECTL" -h "$T/$1.sock" tracking >/dev/null 2>&1 && {
			for e in $(pgrep -P "$mp"); do
				pids="$pids $e"
			done
			return 0
		}
		sleep 0.1
		i=$((i + 1))
	done
	say "$1 did not start:"
	sed 's/^/    /' "$T/$1.log"
	return 1
}

clockcheck before
before=$([ -x "$CS" ] && "$CS" 2>/dev/null)

# --- the servers
P=$(free_ports "$port0")
n=1
for s in s1 s2 s3; do
	cat >"$T/$s.conf" <<CONF
clock virtual
local stratum 1
allow 127.0.0.0/8
port $((P + n - 1))
bindaddress 127.0.0.$n
user nobody
chrootdir $T/empty
bindcmdaddress $T/$s.sock
CONF
	start_timed $s
	eval "PID_$s=\$MPID"
	n=$((n + 1))
done
for s in s1 s2 s3; do
	answers $s || exit 1
done
say "servers: 127.0.0.1:$P 127.0.0.2:$((P + 1)) 127.0.0.3:$((P + 2))" \
    "(timed, clock virtual, local stratum 1)"

cat >"$T/sample.py" <<'PY'
# sample.py timed TIMECTL SOCK SECS CONVMAX PID SUMMARY CSV START
# (START: the client's start, seconds on /proc/uptime's clock)
# sample.py chrony CHRONYC SOCK SECS PID TIMEDSTATS
import json
import math
import os
import subprocess
import sys
import time

PERIOD = 0.25
CONV_US = 100.0
HOLD_S = 10.0
FREQ = 40.0


def run(argv):
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=3)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return p.stdout if p.returncode == 0 else None


def jrun(argv):
    out = run(argv)
    if out is None:
        return None
    try:
        return json.loads(out)
    except ValueError:
        return None


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def num(x):
    return (isinstance(x, (int, float)) and not isinstance(x, bool) and
            math.isfinite(x))


def mean(v):
    return sum(v) / len(v) if v else float("nan")


def sd(v):
    if len(v) < 2:
        return float("nan")
    m = mean(v)
    return math.sqrt(sum((x - m) ** 2 for x in v) / (len(v) - 1))


def rms(v):
    return math.sqrt(sum(x * x for x in v) / len(v)) if v else float("nan")


def mad_sd(v):
    """1.4826 * the median absolute deviation: an sd that outliers leave
    alone."""
    if len(v) < 2:
        return float("nan")
    m = pct(v, 50)
    return 1.4826 * pct([abs(x - m) for x in v], 50)


def pct(v, p):
    if not v:
        return float("nan")
    s = sorted(v)
    return s[min(len(s) - 1, max(0, math.ceil(p / 100.0 * len(s)) - 1))]


def f(x, fmt="%.1f"):
    return fmt % x if num(x) else "n/a"


def now():
    # CLOCK_BOOTTIME, as /proc/uptime: the shell's start time is on it
    return time.clock_gettime(time.CLOCK_BOOTTIME)


def ticks(limit_s, origin=None):
    """Sample times since origin (default: now): every PERIOD seconds, at
    most limit_s/PERIOD of them."""
    base = now()
    if origin is None:
        origin = base
    for i in range(int(limit_s / PERIOD) + 1):
        d = base + i * PERIOD - now()
        if d > 0:
            time.sleep(d)
        yield now() - origin


def interp(track, t):
    """The client's cooked error (true error less the slew still to do)
    at t, linear between the tracking samples."""
    lo, hi = 0, len(track) - 1
    if hi < 0 or t < track[0][0] or t > track[-1][0]:
        return None
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if track[mid][0] <= t:
            lo = mid
        else:
            hi = mid
    a, b = track[lo], track[hi]
    ca, cb = a[1] - a[4], b[1] - b[4]
    if b[0] == a[0]:
        return ca
    return ca + (cb - ca) * (t - a[0]) / (b[0] - a[0])


def per_source_header(title):
    print(title)
    print("  %-10s %5s %8s %8s %8s %8s  %4s %6s %9s %8s" % (
        "", "", "measured", "offset", "noise", "noise", "", "",
        "sourcestats", ""))
    print("  %-10s %5s %8s %8s %8s %8s  %4s %6s %9s %8s" % (
        "source", "meas", "mean us", "sd us", "sd us", "MAD-sd", "NP",
        "span s", "offset us", "sd us"))


def per_source_row(name, ms, noise, st):
    np_, span, off, sdv = "-", "-", "-", "-"
    if st:
        np_, span, off, sdv = (str(st[0]), f(st[1], "%.0f"),
                               f(st[2] * 1e6), f(st[3] * 1e6))
    print("  %-10s %5d %8s %8s %8s %8s  %4s %6s %9s %8s" % (
        name, len(ms), f(mean(ms) * 1e6 if ms else None),
        f(sd(ms) * 1e6 if len(ms) > 1 else None),
        f(sd(noise) * 1e6 if len(noise) > 1 else None),
        f(mad_sd(noise) * 1e6 if len(noise) > 1 else None),
        np_, span, off, sdv))


def timed_sourcestats(ctl, sock):
    """{address: (NP, span, offset, std dev)} from timectl, or {}."""
    out = jrun([ctl, "-h", sock, "-j", "sourcestats"])
    res = {}
    if isinstance(out, list):
        for s in out:
            if isinstance(s, dict) and num(s.get("std_dev")):
                res[s.get("address") or s.get("name")] = (
                    s.get("samples"), s.get("span"), s.get("offset"),
                    s.get("std_dev"))
    return res


def bench_timed(ctl, sock, secs, convmax, pid, summary, csvpath, origin):
    track = []      # (t, true error, freq ppm, skew ppm, slew left)
    meas = {}       # address -> [(t of the measurement, measured offset)]
    last = {}
    streak = tconv = None
    died = False
    for t in ticks(convmax + secs + 5, origin):
        if not alive(pid):
            died = True
            break
        tr = jrun([ctl, "-h", sock, "-j", "tracking"])
        if (tr is None and t >= 15.0 and
                (not track or t - track[-1][0] >= 15.0)):
            print("bench-client: the client has not answered tracking "
                  "for 15 s: giving up")
            died = True
            break
        if (isinstance(tr, dict) and num(tr.get("virtual_true_offset")) and
                num(tr.get("frequency_ppm"))):
            err = tr["virtual_true_offset"]
            sto = tr.get("system_time_offset")
            track.append((t, err, tr["frequency_ppm"],
                          tr.get("skew_ppm") if num(tr.get("skew_ppm"))
                          else float("nan"),
                          sto if num(sto) else 0.0))
            if tconv is None:
                if abs(err) * 1e6 < CONV_US:
                    if streak is None:
                        streak = t
                    if t - streak >= HOLD_S:
                        tconv = streak
                else:
                    streak = None
        src = jrun([ctl, "-h", sock, "-j", "sources"])
        if isinstance(src, list):
            for s in src:
                if not isinstance(s, dict):
                    continue
                a, mo, lr = (s.get("address"), s.get("measured_offset"),
                             s.get("last_rx"))
                if num(mo) and num(lr) and last.get(a) != mo:
                    last[a] = mo
                    meas.setdefault(a, []).append((t - lr, mo))
        if tconv is not None and t >= tconv + secs:
            break
        if tconv is None and t >= convmax:
            break
    final_stats = timed_sourcestats(ctl, sock)

    if csvpath:
        try:
            with open(csvpath, "w") as fp:
                fp.write("t_s,true_error_s,frequency_ppm,skew_ppm,"
                         "slew_left_s\n")
                for r in track:
                    fp.write("%.3f,%.9f,%.6f,%.6f,%.9f\n" % r)
        except OSError as e:
            print("bench-client: cannot write %s: %s" % (csvpath, e))

    print()
    print("timed client (clock virtual offset 0.3 frequency 40, makestep "
          "0.1 3, 3 servers, poll 2^-2 s): %d samples in %.0f s%s; times "
          "from the client's start, to the 0.25 s sample" % (
              len(track), track[-1][0] if track else 0,
              "; the client exited early" if died else ""))
    # frequency within 1 ppm of 40 from then to the end
    fset = None
    for i in range(len(track)):
        if all(abs(r[2] - FREQ) < 1.0 for r in track[i:]):
            fset = track[i][0]
            break
    # converged: the offset (tconv) and the frequency (fset) both
    tstart = tconv
    if tconv is not None and fset is not None:
        tstart = max(tconv, fset)
    early = []
    if tconv is not None:
        win = [r for r in track if tstart <= r[0] <= tconv + secs]
        early = [abs(r[1]) * 1e6 for r in track
                 if tconv <= r[0] <= tconv + secs]
        wlabel = "after convergence of the offset and the frequency"
    else:
        tend = track[-1][0] if track else 0
        win = [r for r in track if r[0] >= tend - secs]
        wlabel = "over the last %.0f s (NOT converged)" % (
            (tend - win[0][0]) if win else 0)
    errs = [abs(r[1]) * 1e6 for r in win]
    ferr = [r[2] - FREQ for r in win]
    span = (win[-1][0] - win[0][0]) if win else 0.0
    rows = [
        ("converged (|error| < 100 us for 10 s)",
         f(tconv, "%.2f s") if tconv is not None
         else "no, within %d s" % convmax),
        ("frequency within 1 ppm of 40 (to the end)",
         f(fset, "%.2f s") if fset is not None else "no"),
        ("measurement window", "%.1f s, %d samples, %s" % (
            span, len(win), wlabel)),
        ("RMS |error|", f(rms(errs), "%.2f us")),
        ("  (from the offset's convergence on, frequency settling)",
         f(rms(early), "%.2f us") if early else "-"),
        ("95th percentile |error|", f(pct(errs, 95), "%.2f us")),
        ("max |error|", f(max(errs) if errs else None, "%.2f us")),
        ("mean error (+ ahead)",
         f(mean([r[1] * 1e6 for r in win]), "%+.2f us")),
        ("mean frequency error", f(mean(ferr), "%+.4f ppm")),
        ("sd of the frequency", f(sd(ferr), "%.4f ppm")),
        ("max |frequency error|",
         f(max(abs(x) for x in ferr) if ferr else None, "%.4f ppm")),
        ("mean skew_ppm reported", f(mean([r[3] for r in win]),
                                     "%.4f ppm")),
    ]
    for k, v in rows:
        print("  %-46s %s" % (k, v))

    lo, hi = (tconv, tconv + secs) if tconv is not None else (
        (win[0][0], win[-1][0]) if win else (0, 0))
    print()
    per_source_header("timed client, per source, measurements in the "
                      "window (noise sd: measured offset less the client's "
                      "own error); sourcestats at the end:")
    for a in sorted(meas):
        pts = [(tm, mo) for tm, mo in meas[a] if lo <= tm <= hi]
        noise = []
        for tm, mo in pts:
            c = interp(track, tm)
            if c is not None:
                noise.append(mo - c)
        per_source_row(a, [mo for _, mo in pts], noise, final_stats.get(a))
    if not final_stats:
        print("  (no timectl sourcestats)")
    with open(summary, "w") as fp:
        if tconv is not None:
            head = "converged in %s s" % f(tconv, "%.1f")
        else:
            head = "did not converge within %d s" % convmax
        fp.write("timed client: %s; RMS error %s us, max %s us %s; "
                 "frequency error %s ppm\n" % (
                     head, f(rms(errs)),
                     f(max(errs) if errs else None),
                     "after convergence" if tconv is not None
                     else "over the last %.0f s" % span,
                     f(mean(ferr), "%+.3f")))
    # the per-source noise for the comparison with chronyd
    res = {}
    for a in meas:
        pts = [(tm, mo) for tm, mo in meas[a] if lo <= tm <= hi]
        noise = [mo - c for tm, mo in pts
                 for c in [interp(track, tm)] if c is not None]
        res[a] = {"noise_sd": sd(noise) if len(noise) > 1 else None,
                  "noise_mad": mad_sd(noise) if len(noise) > 1 else None,
                  "rate": len(pts) / (hi - lo) if hi > lo else None,
                  "stats": final_stats.get(a)}
    with open(summary + ".json", "w") as fp:
        json.dump(res, fp)
    return 0


def chronyc_csv(chronyc, sock, cmd):
    out = run([chronyc, "-n", "-c", "-h", sock, cmd])
    if out is None:
        return None
    return [line.split(",") for line in out.splitlines() if line]


def bench_chrony(chronyc, sock, secs, pid, timedstats):
    warm = 5.0
    meas = {}
    last = {}
    died = False
    for t in ticks(secs):
        if not alive(pid):
            died = True
            break
        rows = chronyc_csv(chronyc, sock, "sources")
        for r in rows or []:
            if len(r) < 10:
                continue
            try:
                mo = float(r[8])
            except ValueError:
                continue
            if last.get(r[2]) != mo:
                last[r[2]] = mo
                if t >= warm:
                    meas.setdefault(r[2], []).append(mo)
    stats = {}
    for r in chronyc_csv(chronyc, sock, "sourcestats") or []:
        try:
            stats[r[0]] = (int(r[1]), float(r[3]), float(r[6]),
                           float(r[7]))
        except (ValueError, IndexError):
            pass
    srcs = chronyc_csv(chronyc, sock, "sources") or []
    ntpdata = chronyc_csv(chronyc, sock, "ntpdata") or []
    print()
    per_source_header("chronyd 4.3 -x client, the same servers and polling, "
                      "%.0f s (the first %.0f s left out; its clock is the "
                      "servers' reference, so noise = measured offset; "
                      "chronyc shows only the samples that passed "
                      "chronyd's tests)%s; sourcestats at the end:" % (
                          secs, warm, "; chronyd exited early"
                          if died else ""))
    for a in sorted(meas):
        per_source_row(a, meas[a], meas[a], stats.get(a))
    if not meas:
        print("  (no measurements from chronyc)")
    print("  chronyc sources at the end (state, adjusted offset, measured "
          "offset, error, us):")
    for r in srcs:
        if len(r) >= 10:
            try:
                print("    %s %-12s %10.1f %10.1f %10.1f" % (
                    r[1], r[2], float(r[7]) * 1e6, float(r[8]) * 1e6,
                    float(r[9]) * 1e6))
            except ValueError:
                pass
    print("  chronyc ntpdata at the end (requests sent, valid answers, "
          "answers that passed its tests and became samples):")
    for r in ntpdata:
        if len(r) >= 30:
            print("    %-12s TX %s, valid RX %s, good RX %s" % (
                r[0], r[-4], r[-2], r[-1]))
    # side by side: means over the three sources
    try:
        with open(timedstats) as fp:
            td = json.load(fp)
    except (OSError, ValueError):
        td = {}
    tn = [v["noise_sd"] for v in td.values() if num(v.get("noise_sd"))]
    ts = [v["stats"][3] for v in td.values()
          if v.get("stats") and num(v["stats"][3])]
    tm = [v["noise_mad"] for v in td.values() if num(v.get("noise_mad"))]
    cn = [sd(v) for v in meas.values() if len(v) > 1]
    cm = [mad_sd(v) for v in meas.values() if len(v) > 1]
    cs = [v[3] for v in stats.values()]
    trs = [v["rate"] for v in td.values() if num(v.get("rate"))]
    tr_rate = mean(trs) if trs else None
    cr_rate = (mean([len(v) for v in meas.values()]) / (secs - warm)
               if meas else None)
    print()
    print("  %-44s %12s %12s" % ("mean over the sources", "timed", "chronyd"))
    print("  %-44s %12s %12s" % ("measurement noise sd (us)",
                                 f(mean(tn) * 1e6 if tn else None, "%.2f"),
                                 f(mean(cn) * 1e6 if cn else None, "%.2f")))
    print("  %-44s %12s %12s" % ("measurement noise MAD-sd (us)",
                                 f(mean(tm) * 1e6 if tm else None, "%.2f"),
                                 f(mean(cm) * 1e6 if cm else None, "%.2f")))
    print("  %-44s %12s %12s" % ("measurements per source per second",
                                 f(tr_rate, "%.2f"), f(cr_rate, "%.2f")))
    print("  %-44s %12s %12s" % ("sourcestats std dev at the end (us)",
                                 f(mean(ts) * 1e6 if ts else None, "%.2f"),
                                 f(mean(cs) * 1e6 if cs else None, "%.2f")))
    return 0


if sys.argv[1] == "timed":
    sys.exit(bench_timed(sys.argv[2], sys.argv[3], int(sys.argv[4]),
                         int(sys.argv[5]), int(sys.argv[6]), sys.argv[7],
                         sys.argv[8], float(sys.argv[9])))
sys.exit(bench_chrony(sys.argv[2], sys.argv[3], int(sys.argv[4]),
                      int(sys.argv[5]), sys.argv[6]))
PY

# --- the timed client
cat >"$T/client.conf" <<CONF
clock virtual offset 0.3 frequency 40
server 127.0.0.1 port $P iburst minpoll -2 maxpoll -2$xl
server 127.0.0.2 port $((P + 1)) iburst minpoll -2 maxpoll -2$xl
server 127.0.0.3 port $((P + 2)) iburst minpoll -2 maxpoll -2$xl
makestep 0.1 3
port 0
user nobody
chrootdir $T/empty
bindcmdaddress $T/client.sock
CONF
say "measurement window $secs s after convergence (waiting up to" \
    "$convmax s for it); sampling every 0.25 s;" \
    "$([ -n "$xl" ] && echo "interleaved mode (xleave)" || echo "basic mode")"
start0=$(cut -d ' ' -f 1 /proc/uptime)
start_timed client ${BENCH_CLIENT_LOG:+-D}
PID_client=$MPID
python3 "$T/sample.py" timed "$TIMECTL" "$T/client.sock" "$secs" \
    "$convmax" "$PID_client" "$T/summary" "$csv" "$start0"
for e in $(pgrep -P "$PID_client"); do
	pids="$pids $e"
done
if grep -q 'signal 31' "$T/client.log" || [ ! -s "$T/summary" ] ||
    grep -q 'did not converge' "$T/summary"; then
	say "the client's log (last 20 lines):"
	tail -n 20 "$T/client.log" | sed 's/^/    /'
fi
stop $PID_client $(pgrep -P "$PID_client")
[ -n "${BENCH_CLIENT_LOG:-}" ] && cp "$T/client.log" "$BENCH_CLIENT_LOG"

# --- the chronyd client
chronyd=${CHRONYD:-}
if [ -z "$chronyd" ]; then
	chronyd=$(sh "$R/fetch-chrony.sh" "${CHRONY_CACHE:-/tmp/timed-chrony}" |
	    tail -n 1)
fi
chronyc=""
[ -n "$chronyd" ] && chronyc=$(dirname "$chronyd")/../bin/chronyc
if [ -z "$chronyd" ] || [ ! -x "$chronyd" ] || [ ! -x "$chronyc" ]; then
	echo
	say "chronyd or chronyc unavailable: timed's client alone"
else
	cat >"$T/chrony.conf" <<CONF
server 127.0.0.1 port $P iburst minpoll -2 maxpoll -2$xl
server 127.0.0.2 port $((P + 1)) iburst minpoll -2 maxpoll -2$xl
server 127.0.0.3 port $((P + 2)) iburst minpoll -2 maxpoll -2$xl
port 0
cmdport 0
bindcmdaddress $T/chrony/chronyd.sock
pidfile $T/chrony/chronyd.pid
CONF
	"$chronyd" -x -d -u nobody -f "$T/chrony.conf" >"$T/chronyd.log" \
	    2>&1 &
	cpid=$!
	pids="$pids $cpid"
	i=0
	cok=0
	while [ $i -lt 100 ]; do
		running "$cpid" || break
		"$chronyc" -n -c -h "$T/chrony/chronyd.sock" tracking \
		    >/dev/null 2>&1 && { cok=1; break; }
		sleep 0.1
		i=$((i + 1))
	done
	if [ $cok = 1 ]; then
		python3 "$T/sample.py" chrony "$chronyc" \
		    "$T/chrony/chronyd.sock" "$csecs" "$cpid" \
		    "$T/summary.json"
	else
		echo
		say "chronyd did not start or does not answer chronyc:"
		sed 's/^/    /' "$T/chronyd.log"
	fi
	stop $cpid
fi

for s in s1 s2 s3; do
	eval "p=\$PID_$s"
	running "$p" || say "warning: server $s exited during the run"
done
echo
clockcheck after
after=$([ -x "$CS" ] && "$CS" 2>/dev/null)
[ "$before" = "$after" ] ||
    say "warning: the kernel clock's state changed during the run"
[ -s "$T/summary" ] && cat "$T/summary"
exit 0

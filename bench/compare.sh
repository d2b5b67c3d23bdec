#!/usr/bin/env bash
# Side by side: the Go POE rebuild against its comparisons, workload by
# workload (see bench/RESULTS.md for what each one is).
#
#   bash bench/compare.sh [-n RUNS] [-w LIST] [-t SECS]
#
#   -n RUNS  runs of every figure; each side's median is reported (default 5)
#   -w LIST  workloads to run, comma-separated among 1,2,3,4,5 (default all)
#   -t SECS  measured seconds of each echo run (default 1)
#
# Needs go. Sides whose tool is missing are skipped with a SKIP line: perl
# with POE (apt-get install libpoe-perl), cc, node, the netpoll module (from
# the Go module proxy), Perl IKC (IKC_PERL5LIB=<dir holding POE/Component/IKC>).
#
# Sides: workloads 1-2, go test -bench in bench/ against bench/perl/*.pl;
# workload 3, bench/cmd/echoload driving each echo server in turn
# (bench/echo -impl poe, the Go POE server; bench/c, bench/echo -impl net at
# GOMAXPROCS=1 and at the default, bench/netpoll, bench/node, bench/perl);
# workload 4, ikc bench -json against bench/perl/ikc_*.pl and bench/c/pingpong
# (the loopback round trip's floor); workload 5,
# bench/cmd/ikcmany (Go only).
#
# Prints one line per figure: the figure, its unit, Go POE's median, the
# other side's name and median, and the ratio Go POE / other. For rates
# (ops/s, rt/s, MB/s) above 1 means Go POE is faster; for latencies (us)
# and memory (B) below 1 means Go POE is better.
#
# Servers run in their own processes on 127.0.0.1 with ports the kernel
# chooses; every run is bounded in time, and the script stops only the
# processes it started, by PID.
set -u
cd "$(dirname "$0")/.."

RUNS=5
WORKLOADS=1,2,3,4,5
SECS=1
while getopts "n:w:t:h" opt; do
    case $opt in
    n) RUNS=$OPTARG ;;
    w) WORKLOADS=$OPTARG ;;
    t) SECS=$OPTARG ;;
    *) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
    esac
done

OUT=bench/out
mkdir -p "$OUT"
DATA=$OUT/figures.txt # lines: figure|side|unit|value
: >"$DATA"
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

want() { [[ ",$WORKLOADS," == *",$1,"* ]]; }
have() { command -v "$1" >/dev/null 2>&1; }
skip() { printf 'SKIP  %s\n' "$*"; }
note() { printf '      %s\n' "$*" >&2; }
# kv KEY: the value of KEY=value in the RESULT line on stdin.
kv() { sed -n "s/^RESULT.* $1=\([^ ]*\).*/\1/p" | tail -1; }
record() { echo "$1|$2|$3|$4" >>"$DATA"; }

# median FIGURE SIDE: the median of the values recorded, or "".
median() {
    awk -F'|' -v f="$1" -v s="$2" '$1 == f && $2 == s && $4 != "" { print $4 }' "$DATA" | sort -g |
        awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# report FIGURE UNIT OTHER...: one line per other side, Go POE ("go")
# against it; a side with no figure prints as "-".
report() {
    local fig=$1 unit=$2 g o side ratio
    shift 2
    g=$(median "$fig" go)
    for side in "$@"; do
        o=$(median "$fig" "$side")
        ratio=-
        if [[ -n $g && -n $o ]]; then
            ratio=$(awk -v a="$g" -v b="$o" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }')
        fi
        printf '%-28s %-9s %14s   %-14s %14s %9s\n' "$fig" "$unit" "$(fmt "$g")" "$side" "$(fmt "$o")" "$ratio"
    done
}
# solo FIGURE UNIT [NOTE]: a Go POE figure with no other side.
solo() { printf '%-28s %-9s %14s   %s\n' "$1" "$2" "$(fmt "$(median "$1" go)")" "${3:-}"; }
fmt() { [[ -z $1 ]] && echo - || awk -v v="$1" 'BEGIN { printf (v >= 100 ? "%.0f" : "%.2f"), v }'; }
header() {
    echo
    echo "== $*"
    printf '%-28s %-9s %14s   %-14s %14s %9s\n' figure unit go-poe other other go/other
}

# gobench FIGURE_PREFIX METRIC BENCH_REGEXP BENCHTIME: runs Go benchmarks of
# package bench RUNS times and records METRIC of each as FIGURE_PREFIX<name>.
gobench() {
    local prefix=$1 metric=$2 re=$3 bt=$4 count=${5:-$RUNS} out=$OUT/gobench.txt
    if ! go test -run '^$' -bench "$re" -benchtime "$bt" -benchmem -count "$count" ./bench/ >"$out" 2>&1; then
        note "go test failed:"; sed 's/^/      /' "$out" >&2
        return 1
    fi
    awk -v p="$prefix" -v m="$metric" '/^Benchmark/ {
        name = $1; sub(/^Benchmark/, "", name); sub(/-[0-9]+$/, "", name)
        for (i = 2; i < NF; i++) {
            if ($(i+1) == m) print p name "|go|" m "|" $i
            if ($(i+1) == "allocs/op") print p name ":allocs|go|allocs/op|" $i
        }
    }' "$out" >>"$DATA"
}

# perlrun FIGURE PROGRAM ARGS...: one run of a Perl program; records its
# ops_per_sec.
perlrun() {
    local fig=$1 v
    shift
    v=$(timeout 120 perl "$@" | kv ops_per_sec)
    [[ -n $v ]] && record "$fig" perl-poe ops/s "$v"
}

HAVE_PERL_POE=
if have perl && perl -MPOE -e1 2>/dev/null; then HAVE_PERL_POE=1; fi

echo "compare.sh: $RUNS runs per figure, $(date -u +%Y-%m-%d), $(nproc) cores, $(uname -sm)"

# ---------------------------------------------------------------- 1 and 2
if want 1; then
    header "1 local dispatch (ops/s: events dispatched, calls made)"
    # 20 million events a run: a quarter to half a second, as long as the
    # Perl side's runs, so that a run's start is amortised on both sides.
    # Each round runs both sides, so that a slow minute of this shared
    # machine falls on both rather than on one side's every run.
    [[ -n $HAVE_PERL_POE ]] || skip "perl-poe: perl with POE not found (apt-get install libpoe-perl)"
    for ((r = 0; r < RUNS; r++)); do
        gobench "1 " ops/s '^Benchmark(Yield|PingPong|Call)$' 20000000x 1
        if [[ -n $HAVE_PERL_POE ]]; then
            perlrun "1 Yield" bench/perl/dispatch.pl yield 100000
            perlrun "1 PingPong" bench/perl/dispatch.pl pingpong 100000
            perlrun "1 Call" bench/perl/dispatch.pl call 100000
        fi
    done
    for f in Yield PingPong Call; do report "1 $f" ops/s perl-poe; done
    for f in Yield PingPong Call; do printf '%-28s %-9s %14s\n' "1 $f" allocs/op "$(median "1 $f:allocs" go)"; done
    gobench "1 " B/session '^BenchmarkSessions100k$' 1x
    solo "1 Sessions100k" B/session "(target: at most 1024)"
fi

if want 2; then
    header "2 timers (ops/s: timers set and fired)"
    [[ -n $HAVE_PERL_POE ]] || skip "perl-poe: perl with POE not found (apt-get install libpoe-perl)"
    for ((r = 0; r < RUNS; r++)); do
        gobench "2 " ops/s '^Benchmark(DelayZero|AlarmsSpread)$' 1000000x 1
        if [[ -n $HAVE_PERL_POE ]]; then
            perlrun "2 DelayZero" bench/perl/timers.pl zero 100000
            perlrun "2 AlarmsSpread" bench/perl/timers.pl spread 100000
        fi
    done
    for f in DelayZero AlarmsSpread; do report "2 $f" ops/s perl-poe; done
    for f in DelayZero AlarmsSpread; do printf '%-28s %-9s %14s\n' "2 $f" allocs/op "$(median "2 $f:allocs" go)"; done
fi

# ---------------------------------------------------------------- 3 echo
SERVER_PID=
PORT=
# start_server NAME CMD...: starts a server, waits for its LISTEN line.
start_server() {
    local log=$OUT/server-$1.log i
    shift
    : >"$log"
    "$@" >"$log" 2>&1 &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    PORT=
    for ((i = 0; i < 200; i++)); do
        PORT=$(sed -n 's/^LISTEN \([0-9]*\)$/\1/p' "$log")
        [[ -n $PORT ]] && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.05
    done
    note "server $* did not start:"; sed 's/^/      /' "$log" >&2
    stop_server
    return 1
}
stop_server() {
    [[ -n $SERVER_PID ]] || return 0
    kill "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=
}

# load SIDE FIGURE ARGS...: one echoload run against the server on PORT;
# records rt/s (and p50 latency) or MB/s.
load() {
    local side=$1 fig=$2 res v
    shift 2
    res=$(timeout $((SECS + 30)) ${CLIENT_CPU:+taskset -c "$CLIENT_CPU"} "$OUT/echoload" -addr "127.0.0.1:$PORT" -t "${SECS}s" "$@" 2>&1)
    if [[ $res != *RESULT* ]]; then
        note "$side $fig: $res"
        return 1
    fi
    v=$(kv rtt_per_sec <<<"$res")
    if [[ -n $v ]]; then
        record "$fig" "$side" rt/s "$v"
        record "$fig p50" "$side" us "$(kv p50_us <<<"$res")"
        record "$fig p99" "$side" us "$(kv p99_us <<<"$res")"
    else
        record "$fig" "$side" MB/s "$(kv mb_per_sec <<<"$res")"
    fi
}

# The four loads every echo server gets: 16-octet lines, 1 and 50
# connections, 1 and 16 in flight.
GRID="1:1 1:16 50:1 50:16"
grid() {
    local side=$1 cd
    for cd in $GRID; do load "$side" "3 c${cd%:*} d${cd#*:}" -c "${cd%:*}" -d "${cd#*:}" -s 16; done
}

if want 3; then
    header "3 echo over TCP loopback (rt/s: round trips of 16-octet lines; MB/s: 64 KiB blocks)"
    SIDES=()
    if go build -o "$OUT/echoload" ./bench/cmd/echoload; then :; else
        skip "workload 3: the load client does not build"
        WORKLOADS=${WORKLOADS//3/}
    fi
fi
if want 3; then
    if go build -o "$OUT/echo" ./bench/echo 2>"$OUT/build-echo.log"; then
        SIDES+=(go gonet-1 gonet)
    else
        skip "go-poe and go net: bench/echo does not build (it needs poe/wheel's ReadWrite and SocketFactory)"
    fi
    if have cc && cc -O2 -o "$OUT/echo_epoll" bench/c/echo_epoll.c; then SIDES+=(c-epoll); else skip "c-epoll: no C compiler (cc)"; fi
    if (cd bench/netpoll && go build -o ../out/netpoll .) 2>"$OUT/build-netpoll.log"; then
        SIDES+=(netpoll)
    else
        skip "netpoll: github.com/cloudwego/netpoll could not be fetched or built (see $OUT/build-netpoll.log)"
    fi
    if have node; then SIDES+=(node); else skip "node: node not found"; fi
    if [[ -n $HAVE_PERL_POE ]]; then SIDES+=(perl-poe); else skip "perl-poe: perl with POE not found"; fi

    for ((r = 0; r < RUNS; r++)); do
        for side in "${SIDES[@]}"; do
            case $side in
            go)
                if start_server go-line "$OUT/echo" -impl poe -filter line; then
                    grid go
                    load go "3 c1 d64" -c 1 -d 64 -s 16
                    load go "3 c1 d64 busy" -c 1 -d 64 -s 16 -poll busy
                    stop_server
                fi
                if start_server go-stream "$OUT/echo" -impl poe -filter stream; then
                    load go "3 stream" -mode stream -s 65536
                    stop_server
                fi
                ;;
            gonet-1)
                start_server gonet-1 env GOMAXPROCS=1 "$OUT/echo" -impl net && { grid gonet-1; stop_server; } ;;
            gonet)
                start_server gonet "$OUT/echo" -impl net && { grid gonet; stop_server; }
                if start_server gonet-stream "$OUT/echo" -impl net -filter stream; then
                    load gonet-io.Copy "3 stream" -mode stream -s 65536
                    stop_server
                fi
                ;;
            c-epoll)
                if start_server c "$OUT/echo_epoll" 0; then
                    grid c-epoll
                    load c-epoll "3 c1 d64 busy" -c 1 -d 64 -s 16 -poll busy
                    stop_server
                fi
                ;;
            netpoll) start_server netpoll "$OUT/netpoll" && { grid netpoll; stop_server; } ;;
            node) start_server node node bench/node/echo.js 0 && { grid node; stop_server; } ;;
            perl-poe)
                if start_server perl-line perl bench/perl/echo_server.pl line; then
                    load perl-poe "3 c1 d1" -c 1 -d 1 -s 16
                    load perl-poe "3 c1 d64" -c 1 -d 64 -s 16
                    load perl-poe "3 c1 d64 busy" -c 1 -d 64 -s 16 -poll busy
                    stop_server
                fi
                if start_server perl-stream perl bench/perl/echo_server.pl stream; then
                    load perl-poe "3 stream" -mode stream -s 65536
                    stop_server
                fi
                ;;
            esac
        done
    done
    # One connection again, with the server and the client pinned: on one
    # CPU, and on two. Unpinned, where the scheduler puts the one-
    # connection client beside each server decides much of its rate (a
    # single-threaded server and its client often share a CPU; a Go
    # server's threads seldom do), so these rows compare the servers
    # with the placement held the same.
    PINS=()
    if have taskset && (($(nproc) >= 2)) && [[ " ${SIDES[*]} " == *" go "* && " ${SIDES[*]} " == *" c-epoll "* ]]; then
        PINS=("one-cpu:0:0" "two-cpus:0:1")
    else
        skip "pinned c1 rows: they need taskset, two CPUs, and both the go-poe and c-epoll servers"
    fi
    for ((r = 0; r < RUNS; r++)); do
        for pin in "${PINS[@]}"; do
            IFS=: read -r place server_cpu CLIENT_CPU <<<"$pin"
            for side in go c-epoll; do
                if [[ $side == go ]]; then
                    start_server go-pinned taskset -c "$server_cpu" "$OUT/echo" -impl poe -filter line || continue
                else
                    start_server c-pinned taskset -c "$server_cpu" "$OUT/echo_epoll" 0 || continue
                fi
                load "$side" "3 c1 d1 $place" -c 1 -d 1 -s 16
                load "$side" "3 c1 d16 $place" -c 1 -d 16 -s 16
                stop_server
            done
            CLIENT_CPU=
        done
    done
    for cd in $GRID; do report "3 c${cd%:*} d${cd#*:}" rt/s c-epoll gonet-1 gonet netpoll node; done
    if ((${#PINS[@]} > 0)); then
        for place in one-cpu two-cpus; do
            report "3 c1 d1 $place" rt/s c-epoll
            report "3 c1 d16 $place" rt/s c-epoll
            report "3 c1 d1 $place p50" us c-epoll
        done
    fi
    report "3 c1 d1 p50" us c-epoll gonet-1 gonet netpoll node perl-poe
    report "3 c1 d1" rt/s perl-poe
    report "3 c1 d64" rt/s perl-poe
    report "3 c1 d64 busy" rt/s perl-poe c-epoll
    report "3 stream" MB/s gonet-io.Copy perl-poe
fi

# ---------------------------------------------------------------- 4 and 5
# go_ikc_run: one run of the Go side of workload 4.
go_ikc_run() {
    local json=$OUT/ikc-go.json
    timeout 300 "$OUT/ikc" bench -json -progress off -workloads 4 -scale 10 >"$json" 2>&1 || {
        note "ikc bench failed: $(tail -3 "$json")"
        return
    }
    field() { sed -n "/\"name\":\"$1\"/s/.*\"$2\":\([0-9.e+]*\).*/\1/p" "$json"; }
    micros() { awk -v v="$(field "$1" "$2")" 'BEGIN { if (v != "") print v / 1000 }'; }
    record "4 posts" go ops/s "$(field ikc-post-one-way per_second)"
    record "4 calls" go ops/s "$(field ikc-call-sequential per_second)"
    record "4 calls p50" go us "$(micros ikc-call-sequential p50_ns)"
    record "4 calls p99" go us "$(micros ikc-call-sequential p99_ns)"
    # The yardstick of the calls: the same octets in a plain TCP round
    # trip between two goroutines (ikc bench raw-tcp-call-bytes).
    record "4 calls p50" raw-tcp us "$(micros raw-tcp-call-bytes p50_ns)"
    record "4 calls" raw-tcp ops/s "$(field raw-tcp-call-bytes per_second)"
}

# c_pingpong_run: one run of bench/c/pingpong, the floor of the calls: the
# octets of ikc bench's call and answer (PINGPONG_OCTETS, as its
# raw-tcp-call-bytes case reports them) between two processes that spin
# as the kernels do.
c_pingpong_run() {
    local res
    res=$(timeout 60 "$OUT/pingpong" $PINGPONG_OCTETS 50000 2>&1)
    if [[ -z $(kv rtt_per_sec <<<"$res") ]]; then
        note "pingpong failed: $res"
        return
    fi
    record "4 calls" c-pingpong ops/s "$(kv rtt_per_sec <<<"$res")"
    record "4 calls p50" c-pingpong us "$(kv p50_us <<<"$res")"
}

# perl_ikc_run: one run of Perl IKC, server and client in two processes.
perl_ikc_run() {
    local res
    start_server perl-ikc perl -I"$IKC_PERL5LIB" bench/perl/ikc_server.pl || return
    res=$(timeout 120 perl -I"$IKC_PERL5LIB" bench/perl/ikc_client.pl "$PORT" 20000 5000 2>&1)
    stop_server
    if [[ -z $(kv posts_per_sec <<<"$res") ]]; then
        note "perl IKC failed: $res"
        return
    fi
    record "4 posts" perl-ikc ops/s "$(kv posts_per_sec <<<"$res")"
    record "4 calls" perl-ikc ops/s "$(kv calls_per_sec <<<"$res")"
    record "4 calls p50" perl-ikc us "$(kv p50_us <<<"$res")"
    record "4 calls p99" perl-ikc us "$(kv p99_us <<<"$res")"
}

if want 4; then
    header "4 IKC between two kernels over TCP loopback (one-way posts counted at the receiver, 200,000 a run in Go and 20,000 in Perl; sequential calls with RSVP, 50,000 and 5,000)"
    # The Go side is the ikc command's own bench (workload 4, --json): a
    # server kernel and a client kernel in one process, over loopback, at
    # ten times the counts above, so that a run lasts about as long as
    # the Perl one (half a second of calls, not 50 ms). Each round runs
    # both sides, so that a slow minute falls on both.
    GO_IKC=
    if go build -o "$OUT/ikc" ./cmd/ikc 2>"$OUT/build-ikc.log"; then
        GO_IKC=1
    else
        skip "go-poe IKC: cmd/ikc does not build (see $OUT/build-ikc.log)"
    fi
    C_PINGPONG=
    PINGPONG_OCTETS=
    if [[ -n $GO_IKC ]]; then
        PINGPONG_OCTETS=$("$OUT/ikc" bench -json -progress off -workloads 4 -run raw-tcp -scale 0.01 2>/dev/null |
            sed -n 's/.*"request_octets":\([0-9]*\),"response_octets":\([0-9]*\).*/\1 \2/p')
    fi
    if ! have cc || ! cc -O2 -o "$OUT/pingpong" bench/c/pingpong.c; then
        skip "c-pingpong: no C compiler (cc)"
    elif [[ -z $PINGPONG_OCTETS ]]; then
        skip "c-pingpong: ikc bench did not report the octets of its call frames"
    else
        C_PINGPONG=1
    fi
    PERL_IKC=
    if [[ -n ${IKC_PERL5LIB:-} && -f ${IKC_PERL5LIB}/POE/Component/IKC.pm && -n $HAVE_PERL_POE ]]; then
        PERL_IKC=1
    else
        skip "perl-ikc: set IKC_PERL5LIB to a directory holding POE/Component/IKC.pm (and install libpoe-perl)"
    fi
    for ((r = 0; r < RUNS; r++)); do
        if [[ -n $GO_IKC ]]; then go_ikc_run; fi
        if [[ -n $C_PINGPONG ]]; then c_pingpong_run; fi
        if [[ -n $PERL_IKC ]]; then perl_ikc_run; fi
    done
    report "4 posts" ops/s perl-ikc
    report "4 calls" ops/s perl-ikc raw-tcp c-pingpong
    report "4 calls p50" us perl-ikc raw-tcp c-pingpong
    report "4 calls p99" us perl-ikc
fi

if want 5; then
    header "5 many IKC connections (10,000 idle ClientLite connections on one server kernel, then 1,000 of them posting 10 each at once)"
    # ikcmany_round BIN SECS ARGS...: one load run of BIN against a fresh
    # server built as BIN; its RESULT line in res. Fails, saying why, when
    # the run gives no result.
    ikcmany_round() {
        local bin=$1 secs=$2
        shift 2
        start_server "${bin##*/}" "$bin" -serve || return 1
        res=$(timeout "$secs" "$bin" -addr "127.0.0.1:$PORT" "$@" 2>&1)
        stop_server
        [[ -n $(kv posts_per_sec <<<"$res") ]] || { note "${bin##*/} failed: $res"; return 1; }
    }
    if go build -o "$OUT/ikcmany" ./bench/cmd/ikcmany 2>"$OUT/build-ikcmany.log"; then
        for ((r = 0; r < RUNS; r++)); do
            ikcmany_round "$OUT/ikcmany" 150 -idle 10000 -burst 1000 -posts 10 || continue
            record "5 rss one conn" go B "$(kv rss_one_conn <<<"$res")"
            record "5 private one conn" go B "$(kv private_one_conn <<<"$res")"
            record "5 heap per conn" go B "$(kv heap_per_conn <<<"$res")"
            record "5 rss per conn" go B "$(kv rss_per_conn <<<"$res")"
            record "5 burst posts" go ops/s "$(kv posts_per_sec <<<"$res")"
            record "5 burst time" go ms "$(kv burst_ms <<<"$res")"
        done
    else
        skip "go-poe IKC: bench/cmd/ikcmany does not build (see $OUT/build-ikcmany.log)"
    fi
    # The same idle kernel built without cgo: with a C compiler present, Go
    # links the net package's resolver against the C library, whose pages
    # then count in the resident size.
    if CGO_ENABLED=0 go build -o "$OUT/ikcmany-nocgo" ./bench/cmd/ikcmany 2>"$OUT/build-ikcmany-nocgo.log"; then
        for ((r = 0; r < RUNS; r++)); do
            ikcmany_round "$OUT/ikcmany-nocgo" 30 -idle 1 -burst 1 -posts 1 || continue
            record "5 rss one conn nocgo" go B "$(kv rss_one_conn <<<"$res")"
        done
    else
        skip "go-poe IKC: bench/cmd/ikcmany does not build with CGO_ENABLED=0 (see $OUT/build-ikcmany-nocgo.log)"
    fi
    solo "5 rss one conn" B "(resident, an idle kernel with one connection; target: under 10 MB)"
    solo "5 private one conn" B "(the part of it that is not the binary's shared pages)"
    solo "5 rss one conn nocgo" B "(the same, built with CGO_ENABLED=0)"
    solo "5 heap per conn" B "(target: at most 4096)"
    solo "5 rss per conn" B "(resident, for reference)"
    solo "5 burst posts" ops/s
    solo "5 burst time" ms "(first post sent to last counted)"
fi

#!/bin/sh
# Side by side: Perl's XS Storable against the Go storable package on the
# same workloads (an IKC call record, a 64 KiB string), freeze and thaw.
# Prints: workload, Perl median ns/op, Go median ns/op, ratio (Perl/Go,
# above 1 means Go is faster). Run from anywhere inside the repository.
set -eu
cd "$(dirname "$0")/../.."
COUNT=${COUNT:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

perl bench/storable/storable.pl >"$tmp/perl.txt"
go test -run '^$' -bench '^Benchmark(Freeze|Thaw|ThawBorrow)$' -benchmem -count "$COUNT" \
    ./poe/serial/storable/ >"$tmp/go.txt"
# The Go-to-Go serializer on the same workloads, against the same Perl
# figures (Perl has no MessagePack in core).
go test -run '^$' -bench '^Benchmark(Freeze|Thaw)$' -benchmem -count "$COUNT" \
    ./poe/serial/msgpack/ | sed 's/^Benchmark/Benchmarkmsgpack:/' >>"$tmp/go.txt"

# Go lines look like: BenchmarkFreeze/ikc-record-8  N  592.0 ns/op ...
printf "%-30s %12s %12s %8s %10s\n" "workload" "perl ns/op" "go ns/op" "perl/go" "go allocs"
awk '
    FNR == NR { perl[$1] = $2; next }
    /^Benchmark/ {
        name = $1; sub(/^Benchmark/, "", name); sub(/-[0-9]+$/, "", name)
        for (i = 1; i <= NF; i++) if ($(i+1) == "ns/op") { v[name] = v[name] " " $i; n[name]++ }
        for (i = 1; i <= NF; i++) if ($(i+1) == "allocs/op") allocs[name] = $i
    }
    END {
        for (name in v) {
            p = name; sub(/^msgpack:/, "", p); sub(/Borrow/, "", p)
            if (!(p in perl)) continue
            k = split(substr(v[name], 2), a, " ")
            # median of the Go runs
            for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
            med = a[int((k + 1) / 2)]
            label = (name ~ /^msgpack:/) ? name : "storable:" name
            printf "%-30s %12.1f %12.1f %7.2fx %10s\n", label, perl[p], med, perl[p] / med, allocs[name]
        }
    }
' "$tmp/perl.txt" "$tmp/go.txt" | sort

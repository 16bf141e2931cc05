#!/bin/sh
# run.sh TARGET SECONDS
t=$1; s=$2
mkdir -p corpus/$t artifacts/$t
timeout $((s+120)) nice cargo fuzz run -s none $t corpus/$t seeds/$t -- -max_total_time=$s -rss_limit_mb=2048 -timeout=20 -print_final_stats=1 > logs/$t.log 2>&1
echo "exit $?" >> logs/$t.log

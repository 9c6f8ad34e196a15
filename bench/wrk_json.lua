-- wrk script: prints one JSON line with throughput and latency percentiles (microseconds) at the end.
done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write +
                 summary.errors.status + summary.errors.timeout
  io.write(string.format(
    'WRK_JSON {"requests":%d,"seconds":%.3f,"rps":%.1f,"errors":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, seconds, summary.requests / seconds, errors,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end

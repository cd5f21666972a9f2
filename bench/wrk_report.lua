-- wrk script: count responses that are not 200 or lack the page's marker, and print one JSON
-- line with throughput, latency percentiles (microseconds) and every kind of error.
-- Usage: wrk ... -s wrk_report.lua URL -- "marker text"

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  marker = args[1] or ""
  bad = 0
end

function response(status, headers, body)
  if status ~= 200 or (marker ~= "" and not string.find(body, marker, 1, true)) then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local wrong = 0
  for _, thread in ipairs(threads) do
    wrong = wrong + thread:get("bad")
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "wrong_responses": %d, "connect": %d, "read": %d, '
      .. '"write": %d, "status": %d, "timeout": %d, "p50": %d, "p95": %d, "p99": %d, "max": %d, "mean": %.1f}\n',
    summary.requests, summary.duration, wrong, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean
  ))
end

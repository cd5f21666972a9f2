-- wrk script: count responses that are not 200 or lack the page's marker, and print one JSON
-- line with throughput, latency percentiles (microseconds) and every kind of error.
-- Usage: wrk ... -s wrk_report.lua URL -- "marker text" [targets file]
-- A targets file (one "host<TAB>cookie" per line) sends each request to a random line's host
-- with that line's cookie (the cookie may be empty) instead of the command line's headers.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

local function load_targets(path)
  local list = {}
  if path == nil or path == "" then
    return list
  end
  for line in io.lines(path) do
    local host, cookie = line:match("^([^\t]+)\t?(.*)$")
    if host then
      local headers = { ["Host"] = host }
      if cookie ~= "" then
        headers["Cookie"] = cookie
      end
      table.insert(list, headers)
    end
  end
  return list
end

function init(args)
  marker = args[1] or ""
  bad = 0
  targets = load_targets(args[2])
  math.randomseed(os.time() * 100 + id)
  fixed = wrk.format() -- the command line's request, used when there is no targets file
end

function request()
  if #targets == 0 then
    return fixed
  end
  return wrk.format(nil, nil, targets[math.random(#targets)])
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

-- wrk script for bench/_harness.py: each request takes the next path of a file (one
-- per line; each thread starts at its own place in the list), and at the end the
-- figures are printed as one JSON line for the harness to read.
--
--   wrk -t2 -c32 -d10s -s bench/rotate.lua http://127.0.0.1:8000 -- paths.txt

local paths = {}
local counter = 0
local threads = 0

function setup(thread)
  thread:set("thread_number", threads)
  threads = threads + 1
end

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then
      paths[#paths + 1] = line
    end
  end
  counter = (thread_number or 0) * 7919
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1], { ["Accept-Language"] = "th" })
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end

-- The wrk script of the RocketMQ benchmark (bench/rocketmq/wrk.ts). Every connection POSTs the same
-- request to the URL wrk is given, one at a time: the body is the file named by SKIFF_WRK_BODY,
-- its content type SKIFF_WRK_TYPE. Each answer's send statuses are counted (one for a message,
-- one per message for a batch: `"status":"SEND_OK"` and the like); at the end one JSON line:
--   {"requests", "durationUs", "statuses":{...}, "httpErrors", "socketErrors":{"connect","read","write","timeout"},
--    "latencyUs":{"p50","p99","p999","max"}}
local file = assert(io.open(assert(os.getenv("SKIFF_WRK_BODY"), "SKIFF_WRK_BODY is not set"), "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = assert(os.getenv("SKIFF_WRK_TYPE"), "SKIFF_WRK_TYPE is not set")

-- Each wrk thread runs its own copy of this script: its counts are read back in done().
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

statuses = {}
httpErrors = 0

function response(code, headers, body)
  if code ~= 200 then
    httpErrors = httpErrors + 1
    return
  end
  for status in body:gmatch('"status":"([%u_]+)"') do
    statuses[status] = (statuses[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local total, errors = {}, 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + n
    end
    errors = errors + thread:get("httpErrors")
  end
  local parts = {}
  for status, n in pairs(total) do
    table.insert(parts, string.format('"%s":%d', status, n))
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"durationUs":%d,"statuses":{%s},"httpErrors":%d,"socketErrors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},'
      .. '"latencyUs":{"p50":%d,"p99":%d,"p999":%d,"max":%d}}\n',
    summary.requests, summary.duration, table.concat(parts, ","), errors, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
end

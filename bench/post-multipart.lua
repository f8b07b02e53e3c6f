-- wrk script: POSTs one prepared multipart/form-data body (BENCH_BODY file, BENCH_BOUNDARY) to the target path,
-- and counts non-200 answers so a run of errors cannot pass for throughput.
local body_file = assert(os.getenv("BENCH_BODY"), "set BENCH_BODY to the multipart body file")
local boundary = assert(os.getenv("BENCH_BOUNDARY"), "set BENCH_BOUNDARY")
local f = assert(io.open(body_file, "rb"))
wrk.method = "POST"
wrk.body = f:read("*all")
f:close()
wrk.headers["Content-Type"] = "multipart/form-data; boundary=" .. boundary
local api_key = os.getenv("BENCH_API_KEY")
if api_key and api_key ~= "" then
  wrk.headers["X-API-Key"] = api_key
end

local non200 = 0
function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
  end
end

function done(summary, latency, requests)
  io.write(string.format("non-200 answers seen by the last thread: %d\n", non200))
end

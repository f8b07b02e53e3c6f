-- wrk script: POSTs one prepared multipart/form-data body (BENCH_BODY file, BENCH_BOUNDARY) to the target path.
-- wrk prints "Non-2xx or 3xx responses: N" when any answer was not a success; bench/transcribe.sh then says so.
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

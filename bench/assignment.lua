-- wrk script: every request asks for a different session, as real page loads do. No response() callback: wrk then
-- skips Lua per response (it still counts non-2xx answers), so the load generator takes less of the shared cores.
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  prefix = "/api/v1/assignment?sessionId=bench-" .. tid .. "-"
  counter = 0
end

function request()
  counter = counter + 1
  return wrk.format("GET", prefix .. counter)
end

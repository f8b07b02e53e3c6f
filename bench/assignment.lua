-- wrk script: every request asks for a different session, as real page loads do.
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

function response(status, headers, body)
  if status ~= 200 then
    io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
  end
end

-- wrk script: OFREP bulk evaluation, a different targetingKey per request, as page loads of different tabs do.
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  prefix = "bench-" .. tid .. "-"
  counter = 0
end

function request()
  counter = counter + 1
  local body = '{"context":{"targetingKey":"' .. prefix .. counter .. '"}}'
  return wrk.format("POST", "/ofrep/v1/evaluate/flags", { ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  if status ~= 200 then
    io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
  end
end

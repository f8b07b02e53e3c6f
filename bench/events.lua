-- wrk script for bench/events.sh: POST /api/v1/events, batches of 20 attempt events as browsers send them. Every
-- event has its own sessionId (thread, request and index in the batch); providers, outcomes, cohorts and latencies
-- vary: 64 batch templates are drawn once per thread (a fixed seed per thread, so runs are comparable) and each
-- request fills one in with fresh sessionIds, so the per-request Lua work is a table.concat.
-- done() prints "issued N": batches built and sent, answered or not (those in flight when wrk stops were maybe
-- counted by the server but are not among wrk's requests), so events counted must lie in [202s x 20, N x 20].
-- No response() callback: wrk then skips Lua per response (it still counts non-2xx answers), so the load generator
-- takes less of the shared cores.
local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
  thread:set("tid", #threads)
end

local EVENTS = 20
local TEMPLATES = 64

-- Roughly what the rollout sees: mostly ok, some failures with a code, empty/no_speech/aborted, whisper fallbacks.
local function outcome(provider)
  local r = math.random()
  if r < 0.80 then return "ok", nil end
  if r < 0.86 then
    local codes = { "network", "timeout", "not-allowed", "audio-capture", "http_503" }
    return "error", codes[math.random(#codes)]
  end
  if r < 0.90 then return "empty", nil end
  if r < 0.94 then return "no_speech", nil end
  if r < 0.97 or provider ~= "whisper" then return "aborted", nil end
  return "fallback", "http_503"
end

-- Log-normal-ish latencies: most between 300 ms and 2 s, a tail to ~20 s.
local function latency(provider)
  local base = provider == "whisper" and 700 or 450
  local v = base * math.exp(0.7 * (math.random() + math.random() + math.random() - 1.5) * 2)
  if math.random() < 0.02 then v = v * 8 end
  return math.floor(v)
end

local browsers = { "chrome", "chrome", "chrome", "chrome", "edge", "safari", "firefox" }
local languages = { "en", "en", "en", "en", "es", "de", "fr" }

-- One template: the JSON of a batch split around its sessionIds (parts[1] sid parts[2] sid ... parts[21]).
local function template()
  local parts = {}
  local open = '{"events":['
  for i = 1, EVENTS do
    local provider = math.random() < 0.5 and "whisper" or "webspeech"
    local result, code = outcome(provider)
    local audio = 500 + math.random(0, 14500)
    local tail = '","provider":"' .. provider .. '","outcome":"' .. result .. '","latencyMs":' .. latency(provider)
        .. ',"audioMs":' .. audio .. ',"browser":"' .. browsers[math.random(#browsers)] .. '","language":"'
        .. languages[math.random(#languages)] .. '"'
    if code then tail = tail .. ',"errorCode":"' .. code .. '"' end
    tail = tail .. "}"
    parts[#parts + 1] = open .. (i > 1 and "," or "") .. '{"type":"attempt","sessionId":"'
    open = tail
  end
  parts[#parts + 1] = open .. "]}"
  return parts
end

function init(args)
  math.randomseed(1000 + tid)
  templates = {}
  for t = 1, TEMPLATES do templates[t] = template() end
  headers = { ["Content-Type"] = "application/json",
              ["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
              ["Accept-Language"] = "en-GB,en;q=0.9" }
  counter = 0
  buf = {}
end

function request()
  counter = counter + 1
  local parts = templates[counter % TEMPLATES + 1]
  local sid = "s-" .. tid .. "-" .. counter .. "-"
  local n = 0
  for i = 1, EVENTS do
    buf[n + 1] = parts[i]
    buf[n + 2] = sid
    buf[n + 3] = i
    n = n + 3
  end
  buf[n + 1] = parts[EVENTS + 1]
  return wrk.format("POST", "/api/v1/events", headers, table.concat(buf, "", 1, n + 1))
end

function done(summary, latency, requests)
  local issued = 0
  for _, thread in ipairs(threads) do
    issued = issued + thread:get("counter")
  end
  io.write("issued " .. issued .. "\n")
end

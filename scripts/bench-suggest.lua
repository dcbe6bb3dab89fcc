-- wrk: GET /api/help/suggest with the relevance set's subject lines, one after the
-- other (a file of request paths, one a line, from BENCH_PATHS). With BENCH_UNIQUE=1
-- every request adds a word of its own, so that no answer comes from the cache and
-- the search engine does all the work every time.
local counter = 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do
  paths[#paths + 1] = line
end
local unique = os.getenv("BENCH_UNIQUE") == "1"
local i = 0
request = function()
  i = i % #paths + 1
  local path = paths[i]
  if unique then
    counter = counter + 1
    path = path .. "%20zq" .. tid .. "x" .. counter
  end
  return wrk.format("GET", path)
end

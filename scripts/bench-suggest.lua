-- wrk: GET /api/help/suggest with the relevance set's subject lines, one after the
-- other (a file of request paths, one a line, from BENCH_PATHS). With BENCH_UNIQUE=1
-- every request adds a word of its own, so that no answer comes from the cache and
-- the search engine does all the work every time.
--
-- Each request is formatted once per thread, in init, and the unique word is then
-- joined in with one concatenation: wrk runs on the same two cores as the server,
-- and formatting every request again (wrk.format walks the headers table) cost it
-- 1 to 2 µs of CPU a request more (measured with time(1)); the fixed-request
-- baseline pays none of this.
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
-- Per path: the whole request, or (unique) the request up to the end of the path
-- and the rest.
local requests, heads, tails = {}, {}, {}
function init(args)
  for k, path in ipairs(paths) do
    local request = wrk.format("GET", path)
    local cut = request:find(" HTTP/1.1\r\n", 1, true)
    requests[k] = request
    heads[k] = request:sub(1, cut - 1) .. "%20zq" .. tid .. "x"
    tails[k] = request:sub(cut)
  end
end
local counter = 0
local i = 0
request = function()
  i = i % #paths + 1
  if unique then
    counter = counter + 1
    return heads[i] .. counter .. tails[i]
  end
  return requests[i]
end

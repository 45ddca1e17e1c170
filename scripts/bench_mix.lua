-- wrk script for `make bench`'s load run: each request takes the next path of BENCH_PATHS
-- (comma-separated), with the headers given on wrk's command line (-H).
local paths = {}
for path in string.gmatch(os.getenv("BENCH_PATHS") or "/", "[^,]+") do
  table.insert(paths, path)
end
local counter = 0

request = function()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end

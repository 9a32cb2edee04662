-- wrk script: POST client_credentials forms that cycle over the clients of a file
-- (BENCH_CLIENTS: one "client_id client_secret" per line), one client after another.
local bodies = {}
local i = 0

function init(args)
  for line in io.lines(os.getenv("BENCH_CLIENTS")) do
    local id, secret = line:match("^(%S+)%s+(%S+)$")
    if id then
      bodies[#bodies + 1] = "grant_type=client_credentials&client_id=" .. id .. "&client_secret=" .. secret
    end
  end
end

function request()
  i = i % #bodies + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/x-www-form-urlencoded"}, bodies[i])
end

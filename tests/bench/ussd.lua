-- ussd.lua - wrk script for tests/bench/ussd.sh: each thread has one
-- connection and walks USSD sessions through the turnout menu, one step
-- after the other (dial, turnout, voters, women, confirm), timing each
-- answer itself (clock_gettime through LuaJIT's ffi) so the latency is
-- reported per menu step.  The confirmation waits for the report to be
-- durable (committed), the other steps are answered from memory.
--
-- Environment: SAWT_BENCH_AUTH (the Authorization header's value),
-- SAWT_BENCH_STATIONS (observers +9617000001.. report for stations 1001..).

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } sawt_timespec;
int clock_gettime(int clk_id, sawt_timespec *tp);
]]
local ts = ffi.new("sawt_timespec")
local function now_ms()
	ffi.C.clock_gettime(1, ts)
	return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local names = { "dial", "turnout", "voters", "women", "confirm" }
local threads = {}

function setup(thread)
	thread:set("tid", #threads)
	table.insert(threads, thread)
end

function init(args)
	auth = os.getenv("SAWT_BENCH_AUTH") or ""
	stations = tonumber(os.getenv("SAWT_BENCH_STATIONS") or "1000")
	headers = {
		["Content-Type"] = "application/x-www-form-urlencoded",
		["Authorization"] = auth,
	}
	session, step, t0, bad = 0, 0, 0, 0
	-- one flat table a step (wrk copies flat tables between threads)
	lat1, lat2, lat3, lat4, lat5 = {}, {}, {}, {}, {}
	lat = { lat1, lat2, lat3, lat4, lat5 }
end

function request()
	if step == 0 then session = session + 1 end
	local n = session * 64 + tid
	local s = n % stations + 1
	local v = n % 900 + 10
	local w = math.floor(v / 2)
	local texts = { "", "1", "1*" .. v, "1*" .. v .. "*" .. w, "1*" .. v .. "*" .. w .. "*1" }
	local body = string.format(
		"sessionId=b%d-%d&serviceCode=%%2A384%%23&phoneNumber=%%2B9617%07d&networkCode=1&text=%s",
		tid, session, s, (texts[step + 1]:gsub("%*", "%%2A")))
	t0 = now_ms()
	return wrk.format("POST", "/ussd", headers, body)
end

function response(status, hdrs, body)
	local l = lat[step + 1]
	l[#l + 1] = now_ms() - t0
	if status ~= 200 or (step < 4 and body:sub(1, 4) ~= "CON ") or (step == 4 and body:sub(1, 4) ~= "END ") then
		bad = bad + 1
	end
	step = (step + 1) % #names
end

local function pct(t, p)
	if #t == 0 then return 0 end
	local i = math.max(1, math.ceil(#t * p / 100))
	return t[i]
end

function done(summary, latency, requests)
	local all, nbad = {}, 0
	for k = 1, #names do all[k] = {} end
	for _, th in ipairs(threads) do
		nbad = nbad + th:get("bad")
		for k = 1, #names do
			for _, x in ipairs(th:get("lat" .. k)) do table.insert(all[k], x) end
		end
	end
	io.write(string.format("wrk: %d requests, %d unexpected answers, %d socket errors\n",
		summary.requests, nbad,
		summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
	for k = 1, #names do
		table.sort(all[k])
		io.write(string.format("wrk: step %-8s %7d answers  p50 %6.2f ms  p99 %6.2f ms\n",
			names[k], #all[k], pct(all[k], 50), pct(all[k], 99)))
	end
	io.write(string.format("wrk: %.0f answers per second\n", summary.requests / (summary.duration / 1e6)))
end

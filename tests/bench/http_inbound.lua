-- http_inbound.lua - wrk script for tests/bench/http_inbound.sh: every
-- request is a different observer report POSTed to /sms/inbound as a
-- Kannel-style form (from, text, time, smsc), so no two share a dedup key.
--
-- Environment: SAWT_BENCH_AUTH (the Authorization header's value),
-- SAWT_BENCH_STATIONS (observers +9617000001.. report for stations
-- 1001..; one observer's reports are sent 10 minutes apart, under the
-- per-sender rate), SAWT_BENCH_BASE (Unix seconds of the first send time),
-- SAWT_BENCH_DELAY_MS (pause before each request on a connection: 0 for
-- as fast as possible; otherwise the offered rate is about
-- connections * 1000 / delay per second).

local threads = {}
local counter = 0

function setup(thread)
	thread:set("tid", #threads)
	table.insert(threads, thread)
end

function init(args)
	auth = os.getenv("SAWT_BENCH_AUTH") or ""
	stations = tonumber(os.getenv("SAWT_BENCH_STATIONS") or "1000")
	base = tonumber(os.getenv("SAWT_BENCH_BASE") or "1700000000")
	pause = tonumber(os.getenv("SAWT_BENCH_DELAY_MS") or "0")
	headers = {
		["Content-Type"] = "application/x-www-form-urlencoded",
		["Authorization"] = auth,
	}
end

function delay()
	return pause
end

function request()
	-- each thread numbers its own requests; the thread id keeps them apart
	counter = counter + 1
	local n = counter * 8 + tid
	local s = n % stations + 1
	local body = string.format(
		"from=%%2B9617%07d&text=T+%d+V%d+W%d&time=%d&smsc=wrk",
		s, 1000 + s, n % 900 + 10, n % 400 + 5, base + 600 * math.floor(n / stations))
	return wrk.format("POST", "/sms/inbound", headers, body)
end

function done(summary, latency, requests)
	local ok = summary.requests - summary.errors.status - summary.errors.connect
		- summary.errors.read - summary.errors.write - summary.errors.timeout
	io.write(string.format(
		"wrk: %d requests, %d non-2xx, %d socket errors; latency p50 %.1f ms p99 %.1f ms\n",
		summary.requests, summary.errors.status,
		summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
		latency:percentile(50) / 1000, latency:percentile(99) / 1000))
	io.write(string.format("wrk: %.0f answered 2xx per second\n", ok / (summary.duration / 1e6)))
end

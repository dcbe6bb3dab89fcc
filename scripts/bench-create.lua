-- wrk: POST /tickets/new as JavaScript does (multipart, JSON answer). No idempotency
-- key, so every request makes a ticket. The cookie comes from the environment.
local boundary = "----guichet-bench"
local function part(name, value)
  return "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"" .. name .. "\"\r\n\r\n" .. value .. "\r\n"
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "multipart/form-data; boundary=" .. boundary
wrk.headers["Accept"] = "application/json"
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
wrk.body = part("family", "esignature")
  .. part("subject", "Signing fails on every envelope")
  .. part("description", "Since Monday no envelope can be signed: error 500.")
  .. part("envelope_id", "3f2504e0-4f89-41d3-9a0c-0305e82c3301")
  .. "--" .. boundary .. "--\r\n"

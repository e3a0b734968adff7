-- tripline's default rule pack (rules/*.yml) written by hand as a Fluent Bit
-- Lua filter: the competition in the Fluent Bit benchmark (bench/fluent-bit).
--
--   [FILTER]
--       Name   lua
--       Match  web.*
--       script bench/lua/tripline.lua
--       call   tripline
--
-- Written the way a careful engineer would write it for production, not to
-- lose: every field is lowercased once, literals are searched with
-- string.find(s, lit, 1, true), the URL is decoded once and only when it
-- holds % or +, and unchanged records are returned with code 0 (Fluent Bit
-- then keeps the original bytes and does not re-encode them).
--
-- What it covers: every rule that can fire on a web access record (Fluent
-- Bit's apache2 / nginx parsers: host/remote, user, method, path, code,
-- size, referer, agent; response_time when present), with the pack's
-- semantics and thresholds:
--   detection rules  http-404/401/500, http-login-failure, rate-limited,
--                    access-denied, large-response, suspicious-user-agent,
--                    web-sqli/xss/path-traversal, scan-not-found,
--                    scan-sensitive-file, scan-scanner-user-agent,
--                    scan-dynamic-request, traffic-request, web-slow-request,
--                    web-timed-request, redact-card/password/bearer
--   keyword rules    auth-failure, rate-limited, access-denied (the
--                    '@message' parts: message / log / msg)
--   correlations     event_count per client address with sliding windows
--                    (the newest N event times per key) and cooldowns,
--                    value_count of distinct 404 paths, the per-minute
--                    traffic spike with its recovery, the response-time
--                    anomaly (running mean / deviation per endpoint) and the
--                    slow-endpoint count
--   output           the "tripline" object (rules, level, tags, alerts) and
--                    "tripline_alert" for rewrite_tag, like the module; card
--                    numbers (Luhn), passwords and bearer tokens masked in
--                    path / referer / message / log
-- Not covered (they need tripline's raw-line parsing of sshd/sudo/su
-- messages or JSON application fields, and cannot fire on access records):
-- ssh.yml, privilege-escalation.yml, the JSON application rules
-- (app-login-failure, app-error, security-warning, large-export). On an
-- access record the module spends one key lookup on each of those; here
-- they would cost a nil check.
-- State is kept per client address and pruned of idle keys every 10,000
-- records (the module caps keys per correlation at 10,000 instead).
-- Event time is the record timestamp, like the module.

local find, lower, sub, byte, char, gsub = string.find, string.lower, string.sub, string.byte, string.char, string.gsub
local tonumber, floor, sqrt, abs = tonumber, math.floor, math.sqrt, math.abs
local concat = table.concat

local LEVELS = { informational = 0, low = 1, medium = 2, high = 3, critical = 4 }

---------------------------------------------------------------- literals

local BROWSER_PROBES = { "favicon", "apple-touch-icon", "/robots.txt", "/sitemap", "browserconfig.xml", "/.well-known/" }
local LOGIN_ENDPOINTS = { "login", "signin", "sign_in", "sign-in", "logon", "/session", "/auth", "xmlrpc.php", "/oauth/token" }
local AUTH_WORDS = { "authentication failed", "authentication failure" }
local AUTH_REPEATED = { "(sshd:auth): authentication failure", "more authentication failures", "maximum authentication attempts exceeded" }
local RATE_WORDS = { "rate limit", "rate-limit exceeded", "ratelimit exceeded", "too many requests", "limiting requests" }
local DENIED_WORDS = { "access denied", "permission denied", "accessdenied" }
local STATIC_DOWNLOADS = { "/downloads/", "/static/", "/assets/", "/media/", "/video/", ".iso", ".mp4", ".webm", ".dmg", ".exe", ".msi", ".pkg", ".deb", ".rpm" }
local TOOL_AGENTS = {
  "curl/", "wget/", "python-requests", "python-urllib", "python-httpx", "aiohttp", "go-http-client", "libwww-perl",
  "lwp::simple", "java/", "apache-httpclient", "scrapy", "node-fetch", "windowspowershell", "winhttp", "ruby", "httpie",
}
local SQLI_WORDS = {
  "information_schema", "@@version", "sleep(", "benchmark(", "waitfor delay", "pg_sleep", "xp_cmdshell", "load_file(",
  "into outfile", "into dumpfile", "extractvalue(", "updatexml(", "dbms_pipe.receive_message",
}
-- The pack's regexes, lowercased input, alternations expanded into Lua patterns:
--   union\s+(all\s+)?select
--   [\s'"(](or|and)\s+['"]?[0-9]+['"]?\s*=\s*['"]?[0-9]+
--   '\s*(or|and)\s*'[^']*'\s*=\s*'
--   '\s*(--|#|/\*)
--   order\s+by\s+[0-9]+\s*(--|#)
local SQLI_PATTERNS = {
  "union%s+select", "union%s+all%s+select",
  "[%s'\"(]or%s+['\"]?%d+['\"]?%s*=%s*['\"]?%d", "[%s'\"(]and%s+['\"]?%d+['\"]?%s*=%s*['\"]?%d",
  "'%s*or%s*'[^']*'%s*=%s*'", "'%s*and%s*'[^']*'%s*=%s*'",
  "'%s*%-%-", "'%s*#", "'%s*/%*",
  "order%s+by%s+%d+%s*%-%-", "order%s+by%s+%d+%s*#",
}
local XSS_WORDS = {
  "<script", "</script", "%3cscript", "<iframe", "<svg", "<img", "<body", "javascript:", "vbscript:", "onerror=",
  "onload=", "onmouseover=", "onfocus=", "document.cookie", "document.domain", "string.fromcharcode", "alert(",
}
local TRAVERSAL_WORDS = {
  "../", "..\\", "..%2f", "..%5c", "%2e%2e", "..;/", "/etc/passwd", "/etc/shadow", "/proc/self/", "c:\\windows\\", "win.ini", "boot.ini",
}
local SENSITIVE_NAMES = {
  "/.env", "/.git/", "/.gitconfig", "/.svn/", "/.hg/", "/.ds_store", "/.htpasswd", "/.htaccess", "/.aws/", "/.ssh/",
  "/.npmrc", "/.pgpass", "/.bash_history", "/.docker/config.json", "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519",
  "wp-config.php.", "wp-config.php~", "wp-config.txt", "credentials.json", "credentials.txt", "credentials.yml",
  "credentials.xml", "/phpinfo.php", "/info.php",
}
local SENSITIVE_ENDINGS = {
  "/.git", "/credentials", ".bak", ".old", ".orig", ".save", ".swp", "~", ".sql", ".sql.gz", ".sql.zip", ".sqlite", ".mdb",
}
-- /(backup|backups|bak|db|dump|database|site|www|web|wwwroot|html|htdocs|public_html|old|archive)[^/]*\.(zip|rar|7z|tar|tgz|tar\.gz|gz)$
local ARCHIVE_NAMES = { "backup", "backups", "bak", "db", "dump", "database", "site", "www", "web", "wwwroot", "html", "htdocs", "public_html", "old", "archive" }
local ARCHIVE_EXTS = { ".zip", ".rar", ".7z", ".tar", ".tgz", ".gz" }
local SCANNER_AGENTS = {
  "sqlmap", "nikto", "nmap scripting engine", "nmap.org", "masscan", "zgrab", "nuclei", "dirbuster", "gobuster", "dirb/",
  "(dirb)", "ffuf", "fuzz faster u fool", "feroxbuster", "wfuzz", "wpscan", "joomscan", "whatweb", "acunetix", "netsparker",
  "nessus", "openvas", "arachni", "skipfish", "w3af", "zmeu", "hydra", "commix", "jaeles", "morfeus",
}
local DYNAMIC = { "?", ".php", ".asp", ".jsp", ".cgi" }
-- \.(css|js|png|jpe?g|gif|svg|ico|webp|woff2?|ttf|map)($|\?)
local STATIC_EXTS = { "css", "js", "png", "jpg", "jpeg", "gif", "svg", "ico", "webp", "woff", "woff2", "ttf", "map" }

---------------------------------------------------------------- rules

-- id -> level, tags, silent (only listed beside an alert it completes)
local RULES = {
  ["tripline-http-404"] = { "informational", { "attack.reconnaissance", "attack.t1595.003" }, true },
  ["tripline-http-401"] = { "informational", { "attack.credential_access", "attack.t1110" }, true },
  ["tripline-http-500"] = { "informational", { "attack.initial_access", "attack.t1190" }, true },
  ["tripline-http-login-failure"] = { "low", { "attack.credential_access", "attack.t1110" }, true },
  ["tripline-auth-failure"] = { "low", { "attack.credential_access", "attack.t1110" }, true },
  ["tripline-rate-limited"] = { "low", { "attack.impact", "attack.t1499" }, true },
  ["tripline-access-denied"] = { "low", { "attack.discovery", "attack.t1083" }, true },
  ["tripline-large-response"] = { "low", { "attack.collection", "attack.t1213" }, true },
  ["tripline-suspicious-user-agent"] = { "low", { "attack.reconnaissance", "attack.t1595" }, true },
  ["tripline-redact-card"] = { "informational", {}, false },
  ["tripline-redact-password"] = { "informational", {}, false },
  ["tripline-redact-bearer"] = { "informational", {}, false },
  ["tripline-traffic-request"] = { "informational", {}, true },
  ["tripline-web-timed-request"] = { "informational", {}, true },
  ["tripline-web-slow-request"] = { "informational", {}, true },
  ["tripline-web-sqli"] = { "high", { "attack.initial_access", "attack.t1190" }, false },
  ["tripline-web-xss"] = { "high", { "attack.initial_access", "attack.t1190" }, false },
  ["tripline-web-path-traversal"] = { "high", { "attack.initial_access", "attack.t1190" }, false },
  ["tripline-scan-not-found"] = { "informational", { "attack.reconnaissance", "attack.t1595.003" }, true },
  ["tripline-scan-sensitive-file"] = { "high", { "attack.reconnaissance", "attack.t1595.003", "attack.credential_access", "attack.t1552.001" }, false },
  ["tripline-scan-scanner-user-agent"] = { "medium", { "attack.reconnaissance", "attack.t1595.002" }, false },
  ["tripline-scan-dynamic-request"] = { "informational", { "attack.reconnaissance", "attack.t1595" }, true },
}

-- Correlations: id, title, level, type, member rules, window s, threshold, cooldown s, tags
local function corr(id, title, level, kind, rules, window, threshold, tags, extra)
  local c = { id = id, title = title, level = level, type = kind, rules = rules, window = window, threshold = threshold,
              cooldown = window, tags = tags, keys = {}, nkeys = 0 }
  if extra then for k, v in pairs(extra) do c[k] = v end end
  return c
end

local C = {
  http404 = corr("tripline-http-404-burst", "Burst of 404 responses from one address", "medium", "event_count", { "tripline-http-404" }, 600, 5, { "attack.reconnaissance", "attack.t1595.003" }),
  http401 = corr("tripline-http-401-burst", "Burst of 401 responses from one address", "medium", "event_count", { "tripline-http-401" }, 600, 3, { "attack.credential_access", "attack.t1110" }),
  http500 = corr("tripline-http-500-burst", "Burst of 500 responses from one address", "medium", "event_count", { "tripline-http-500" }, 600, 5, { "attack.initial_access", "attack.t1190" }),
  login = corr("tripline-login-failure-burst", "Repeated failed logins from one address", "high", "event_count", { "tripline-http-login-failure" }, 300, 5, { "attack.credential_access", "attack.t1110", "attack.t1110.004" }),
  auth = corr("tripline-auth-failure-burst", "Repeated authentication failures", "high", "event_count", { "tripline-auth-failure" }, 300, 5, { "attack.credential_access", "attack.t1110" }),
  rate = corr("tripline-rate-limit-burst", "Repeated rate-limit violations", "medium", "event_count", { "tripline-rate-limited" }, 300, 3, { "attack.impact", "attack.t1499" }),
  denied = corr("tripline-access-denied-burst", "Repeated access denied", "medium", "event_count", { "tripline-access-denied" }, 300, 5, { "attack.discovery", "attack.t1083" }),
  large = corr("tripline-large-data-burst", "Repeated large data operations", "high", "event_count", { "tripline-large-response" }, 600, 2, { "attack.collection", "attack.t1213", "attack.exfiltration", "attack.t1567" }),
  agent = corr("tripline-suspicious-user-agent-burst", "Repeated requests with suspicious user agents", "medium", "event_count", { "tripline-suspicious-user-agent" }, 900, 3, { "attack.reconnaissance", "attack.t1595" }),
  sqli = corr("tripline-web-sqli-alert", "SQL injection attempt (alert)", "high", "event_count", { "tripline-web-sqli" }, 300, 1, { "attack.initial_access", "attack.t1190" }),
  xss = corr("tripline-web-xss-alert", "Cross-site scripting attempt (alert)", "high", "event_count", { "tripline-web-xss" }, 300, 1, { "attack.initial_access", "attack.t1190" }),
  traversal = corr("tripline-web-path-traversal-alert", "Path traversal attempt (alert)", "high", "event_count", { "tripline-web-path-traversal" }, 300, 1, { "attack.initial_access", "attack.t1190" }),
  paths404 = corr("tripline-scan-many-404-paths", "Many distinct paths not found for one address", "high", "value_count", { "tripline-scan-not-found" }, 600, 15, { "attack.reconnaissance", "attack.t1595.003" }),
  sensitive = corr("tripline-scan-sensitive-file-alert", "Sensitive file requested (alert)", "high", "event_count", { "tripline-scan-sensitive-file" }, 600, 1, { "attack.reconnaissance", "attack.t1595.003", "attack.credential_access", "attack.t1552.001" }),
  scanner = corr("tripline-scan-scanner-user-agent-alert", "Security scanner (alert)", "medium", "event_count", { "tripline-scan-scanner-user-agent" }, 900, 1, { "attack.reconnaissance", "attack.t1595.002" }),
  crawl = corr("tripline-scan-aggressive-crawl", "Aggressive crawling of dynamic pages", "medium", "event_count", { "tripline-scan-dynamic-request" }, 60, 120, { "attack.reconnaissance", "attack.t1595", "attack.collection" }),
  spike = corr("tripline-traffic-spike", "Traffic spike", "medium", "spike", { "tripline-traffic-request" }, 60, 100, { "attack.impact", "attack.t1498", "attack.t1499" }, { interval = 60, baseline = 15, factor = 4 }),
  anomaly = corr("tripline-web-response-time-anomaly", "Response-time anomaly", "medium", "anomaly", { "tripline-web-timed-request" }, 3600, 200, { "attack.impact", "attack.t1499" }, { zscore = 50 }),
  slow = corr("tripline-web-slow-endpoint", "Slow endpoint", "medium", "event_count", { "tripline-web-slow-request" }, 600, 5, { "attack.impact", "attack.t1499.003" }),
}
local ALL_CORRELATIONS = {}
for _, c in pairs(C) do ALL_CORRELATIONS[#ALL_CORRELATIONS + 1] = c end

---------------------------------------------------------------- helpers

local function contains_any(s, list)
  for i = 1, #list do
    if find(s, list[i], 1, true) then return true end
  end
  return false
end

local function pattern_any(s, list)
  for i = 1, #list do
    if find(s, list[i]) then return true end
  end
  return false
end

local function ends_with(s, suffix)
  return #s >= #suffix and sub(s, -#suffix) == suffix
end

local function ends_with_any(s, list)
  for i = 1, #list do
    if ends_with(s, list[i]) then return true end
  end
  return false
end

local function hex(h) return char(tonumber(h, 16)) end

-- Decoded once: %XX becomes the byte, '+' a space (nil when nothing changes).
local function url_decode(s)
  if not find(s, "[%%+]") then return nil end
  local d = gsub(s, "+", " ")
  d = gsub(d, "%%(%x%x)", hex)
  return d
end

-- A run of 13+ digits with single spaces or dashes between them: [0-9]([ -]?[0-9]){12,18}
local function card_shaped(s)
  if not find(s, "%d%d") then return false end
  local pos = 1
  while true do
    local a, b = find(s, "%d[%d %-]*", pos)
    if not a then return false end
    if b - a >= 12 then
      local digits, prev_sep = 0, false
      for i = a, b do
        local c = byte(s, i)
        if c >= 48 and c <= 57 then
          digits = digits + 1
          if digits >= 13 then return true end
          prev_sep = false
        elseif prev_sep then
          digits = 0 -- two separators in a row end a run
        else
          prev_sep = true
        end
      end
    end
    pos = b + 1
  end
end

local function luhn(s, from, to)
  local sum, double = 0, false
  for i = to, from, -1 do
    local c = byte(s, i)
    if c >= 48 and c <= 57 then
      local d = c - 48
      if double then d = d * 2; if d > 9 then d = d - 9 end end
      sum = sum + d
      double = not double
    end
  end
  return sum % 10 == 0
end

local function is_digit(c) return c and c >= 48 and c <= 57 end

-- Masks card numbers passing the Luhn check, keeping the last four digits (the module's redactCards).
local function redact_cards(s)
  local out, n, i, len = {}, 0, 1, #s
  local last = 1
  while i <= len do
    local c = byte(s, i)
    if is_digit(c) and not is_digit(byte(s, i - 1)) then
      local j, e, digits = i, i - 1, 0
      while j <= len do
        local d = byte(s, j)
        if is_digit(d) then
          digits = digits + 1; e = j; j = j + 1
        elseif (d == 32 or d == 45) and j > i and is_digit(byte(s, j + 1)) then
          j = j + 1
        else
          break
        end
      end
      if digits >= 13 and digits <= 19 and luhn(s, i, e) then
        n = n + 1; out[n] = sub(s, last, i - 1)
        local seen, masked = 0, {}
        for k = i, e do
          local d = byte(s, k)
          if is_digit(d) then
            seen = seen + 1
            masked[#masked + 1] = seen > digits - 4 and char(d) or "*"
          else
            masked[#masked + 1] = char(d)
          end
        end
        n = n + 1; out[n] = concat(masked)
        last = e + 1
      end
      i = e + 1
    else
      i = i + 1
    end
  end
  if n == 0 then return s end
  out[n + 1] = sub(s, last)
  return concat(out)
end

-- Where an unquoted secret ends: whitespace, & ; , } or a quote.
local DELIMS = { [32] = true, [9] = true, [10] = true, [13] = true, [38] = true, [59] = true, [44] = true, [125] = true, [34] = true, [39] = true }
local function is_quote(c) return c == 34 or c == 39 end

-- Replaces the secret after each word with *** (the module's redactAfter): with
-- separators it must follow '=' or ':' (after optional quotes and spaces); a
-- quoted secret is masked up to its closing quote, an unquoted one up to a delimiter.
-- `words` match case-insensitively, `cased` exactly.
local function redact_after(s, words, cased, separators)
  local low = lower(s)
  local out, n, i, len, last = {}, 0, 1, #s, 1
  while i <= len do
    local word
    for w = 1, #words do
      if sub(low, i, i + #words[w] - 1) == words[w] then word = words[w]; break end
    end
    if not word then
      for w = 1, #cased do
        if sub(s, i, i + #cased[w] - 1) == cased[w] then word = cased[w]; break end
      end
    end
    if not word then
      i = i + 1
    else
      local j = i + #word
      local ok = true
      if separators then
        local k = j
        while k <= len and (is_quote(byte(s, k)) or byte(s, k) == 32) do k = k + 1 end
        if k > len or (byte(s, k) ~= 61 and byte(s, k) ~= 58) then
          ok = false
        else
          k = k + 1
          while k <= len and byte(s, k) == 32 do k = k + 1 end
          j = k
        end
      end
      if not ok then
        i = j
      elseif j <= len and is_quote(byte(s, j)) then
        local quote = byte(s, j)
        local e = j + 1
        while e <= len and byte(s, e) ~= quote do e = e + 1 end
        if e > j + 1 then
          n = n + 1; out[n] = sub(s, last, j)      -- up to and including the opening quote
          n = n + 1; out[n] = "***"
          last = e                                   -- the closing quote (if any) stays
        end
        i = e <= len and e + 1 or e
      else
        local e = j
        while e <= len and not DELIMS[byte(s, e)] do e = e + 1 end
        if e > j then
          n = n + 1; out[n] = sub(s, last, j - 1)
          n = n + 1; out[n] = "***"
          last = e
        end
        i = e
      end
    end
  end
  if n == 0 then return s end
  out[n + 1] = sub(s, last)
  return concat(out)
end

local PASSWORD_WORDS = { "password", "passwd", "passphrase" }
local PASSWORD_CASED = { "pwd" } -- lower case only: sudo logs PWD=/home/alice on every command
local BEARER_WORDS = { "bearer " }
local NONE = {}
local REDACT_FIELDS = { "path", "referer", "message", "log" }

local function iso(t)
  local s = floor(t)
  return os.date("!%Y-%m-%dT%H:%M:%S", s) .. string.format(".%03dZ", floor((t - s) * 1000 + 0.5) % 1000)
end

---------------------------------------------------------------- correlation state

-- event_count: the newest `threshold` event times per key in a ring.
local function event_count(c, key, t)
  local e = c.keys[key]
  if not e then
    e = { n = 0, head = 0, last_alert = nil, newest = t }
    c.keys[key] = e
    c.nkeys = c.nkeys + 1
  end
  local need = c.threshold
  e.head = e.head % need + 1
  e[e.head] = t
  if e.n < need then e.n = e.n + 1 end
  e.newest = t
  if e.n < need then return nil end
  local oldest = e[e.head % need + 1]
  if t - oldest >= c.window then return nil end
  if e.last_alert and t - e.last_alert < c.cooldown then return nil end
  e.last_alert = t
  return { count = need, first = oldest, last = t }
end

-- value_count: distinct values seen within the window (at most `threshold` kept).
local function value_count(c, key, value, t)
  local e = c.keys[key]
  if not e then
    e = { values = {}, n = 0, first = t, newest = t, samples = {} }
    c.keys[key] = e
    c.nkeys = c.nkeys + 1
  end
  e.newest = t
  local values = e.values
  for v, seen in pairs(values) do
    if t - seen >= c.window then values[v] = nil; e.n = e.n - 1 end
  end
  if values[value] then
    if t > values[value] then values[value] = t end
  else
    if e.n == c.threshold then
      local oldest, ot
      for v, seen in pairs(values) do if not ot or seen < ot then oldest, ot = v, seen end end
      values[oldest] = nil
      e.n = e.n - 1
    end
    values[value] = t
    e.n = e.n + 1
    local s = e.samples
    if #s == 3 then table.remove(s, 1) end
    s[#s + 1] = sub(value, 1, 39)
  end
  if e.n < c.threshold then return nil end
  if e.last_alert and t - e.last_alert < c.cooldown then return nil end
  e.last_alert = t
  return { count = e.n, first = e.first, last = t, samples = { e.samples[1], e.samples[2], e.samples[3] } }
end

-- spike: events per interval against the moving average of the previous `baseline` intervals.
local spike_state = { bucket = nil, count = 0, ring = {}, filled = 0, head = 0, sum = 0, in_spike = false }

local function spike_push(s, baseline, v)
  s.head = s.head % baseline + 1
  if s.filled == baseline then s.sum = s.sum - s.ring[s.head] else s.filled = s.filled + 1 end
  s.ring[s.head] = v
  s.sum = s.sum + v
end

local function spike_average(s)
  return s.filled == 0 and 0 or s.sum / s.filled
end

local function spike(c, t)
  local s = spike_state
  local bucket = floor(t / c.interval)
  local result
  if not s.bucket then
    s.bucket = bucket
  elseif bucket > s.bucket then
    local closed = s.count
    if s.in_spike and closed <= spike_average(s) * c.factor then
      s.in_spike = false
      result = { status = "recovered", count = closed, baseline = spike_average(s), first = bucket * c.interval, last = t }
    end
    spike_push(s, c.baseline, closed)
    local gap = bucket - s.bucket - 1
    if gap > c.baseline then gap = c.baseline end
    for _ = 1, gap do spike_push(s, c.baseline, 0) end
    s.bucket = bucket
    s.count = 0
  end
  s.count = s.count + 1
  if result then return result end
  if s.filled == c.baseline and not s.in_spike and s.count >= c.threshold and s.count > spike_average(s) * c.factor then
    if s.last_alert and t - s.last_alert < c.cooldown then return nil end
    s.in_spike = true
    s.last_alert = t
    return { count = s.count, baseline = spike_average(s), first = bucket * c.interval, last = t }
  end
  return nil
end

-- anomaly: running mean and deviation per endpoint (Welford), z-score after min samples.
local function anomaly(c, key, x, t)
  local e = c.keys[key]
  if not e then
    e = { n = 0, mean = 0, m2 = 0, newest = t }
    c.keys[key] = e
    c.nkeys = c.nkeys + 1
  end
  e.newest = t
  local fired
  if e.n >= c.threshold then
    local sd = sqrt(e.m2 / (e.n - 1))
    if sd > 0 and abs(x - e.mean) / sd >= c.zscore and not (e.last_alert and t - e.last_alert < c.cooldown) then
      e.last_alert = t
      fired = { count = x, baseline = e.mean, deviation = sd, first = t, last = t }
    end
  end
  e.n = e.n + 1
  local d = x - e.mean
  e.mean = e.mean + d / e.n
  e.m2 = e.m2 + d * (x - e.mean)
  return fired
end

local seen_records = 0

-- Drops keys idle for longer than their correlation's window and cooldown.
local function prune(now)
  for _, c in ipairs(ALL_CORRELATIONS) do
    local keep = c.window > c.cooldown and c.window or c.cooldown
    if c.type == "anomaly" then keep = 86400 end
    for k, e in pairs(c.keys) do
      if now - e.newest > keep then c.keys[k] = nil; c.nkeys = c.nkeys - 1 end
    end
  end
end

---------------------------------------------------------------- the filter

-- Per-record scratch (module-level, reset per record: no closures or tables
-- are created for a record that matches nothing).
local matched, alerts

local function hit(id)
  if not matched then matched = {} end
  matched[id] = true
end

local function fire(c, r, key)
  if r then
    if not alerts then alerts = {} end
    alerts[#alerts + 1] = { c = c, r = r, key = key }
  end
end

-- A URL predicate sees the value as logged and decoded (pd is nil when decoding changes nothing).
local function uri_contains(p, pd, list)
  return contains_any(p, list) or (pd ~= nil and contains_any(pd, list))
end

local ARCHIVE_TAIL = { "%.zip$", "%.rar$", "%.7z$", "%.tar$", "%.tgz$", "%.tar%.gz$", "%.gz$" }

-- /(backup|...|archive)[^/]*\.(zip|rar|7z|tar|tgz|tar\.gz|gz)$ on a lowercased path.
local function backup_archive(form)
  if not ends_with_any(form, ARCHIVE_EXTS) then return false end
  local last = 0
  while true do
    local a = find(form, "/", last + 1, true)
    if not a then break end
    last = a
  end
  -- the name and extension sit after the last slash
  local tail = sub(form, last)
  for i = 1, #ARCHIVE_NAMES do
    if sub(tail, 2, 1 + #ARCHIVE_NAMES[i]) == ARCHIVE_NAMES[i] then
      local rest = sub(tail, 2 + #ARCHIVE_NAMES[i])
      for k = 1, #ARCHIVE_TAIL do
        if find(rest, ARCHIVE_TAIL[k]) then return true end
      end
    end
  end
  return false
end

local function static_asset(form)
  for i = 1, #STATIC_EXTS do
    local e = STATIC_EXTS[i]
    if ends_with(form, "." .. e) or find(form, "." .. e .. "?", 1, true) then return true end
  end
  return false
end

local function has_password_param(s)
  return find(s, "password=", 1, true) or find(s, "passwd=", 1, true) or find(s, "pwd=", 1, true)
end

function tripline(tag, timestamp, record)
  local t = timestamp
  if type(t) == "table" then t = t.sec + t.nsec / 1e9 end
  seen_records = seen_records + 1
  if seen_records % 10000 == 0 then prune(t) end
  matched, alerts = nil, nil

  local path = record.path or record.request or record.url or record.uri
  local msg = record.message or record.log or record.msg
  local ip = record.client_ip or record.remote or record.ip or record.src_ip or record.host
  local status = record.status or record.code

  local redact_card, redact_password, redact_bearer

  if path then
    -- Web access record.
    local p = lower(path)
    local pd = url_decode(p)         -- decoded once, lowercased (nil if nothing to decode)
    -- cs-uri-stem: the path without its query (cut at the first '?'), as logged and decoded.
    local q = find(path, "?", 1, true)
    local stem = q and sub(path, 1, q - 1) or path
    local st = q and sub(p, 1, q - 1) or p
    local std = q and url_decode(st) or pd
    local agent = lower(record.user_agent or record.agent or "")
    local method = record.method and lower(record.method) or ""
    local referer = record.referer
    status = status and tostring(status) or ""

    hit("tripline-traffic-request")
    local sp = spike(C.spike, t)
    if sp then fire(C.spike, sp, nil) end

    if status == "404" then
      if not uri_contains(st, std, BROWSER_PROBES) then
        hit("tripline-http-404")
        if ip then fire(C.http404, event_count(C.http404, ip, t), ip) end
      end
      hit("tripline-scan-not-found")
      if ip then fire(C.paths404, value_count(C.paths404, ip, stem, t), ip) end
    elseif status == "401" then
      hit("tripline-http-401")
      if ip then fire(C.http401, event_count(C.http401, ip, t), ip) end
    elseif status == "500" then
      hit("tripline-http-500")
      if ip then fire(C.http500, event_count(C.http500, ip, t), ip) end
    end

    if method == "post" and (status == "401" or status == "403") and uri_contains(st, std, LOGIN_ENDPOINTS) then
      hit("tripline-http-login-failure")
      if ip then fire(C.login, event_count(C.login, ip, t), ip) end
    end

    if status == "429" or (msg and contains_any(lower(msg), RATE_WORDS)) then
      hit("tripline-rate-limited")
      if ip then fire(C.rate, event_count(C.rate, ip, t), ip) end
    end
    if status == "403" or (msg and contains_any(lower(msg), DENIED_WORDS)) then
      hit("tripline-access-denied")
      if ip then fire(C.denied, event_count(C.denied, ip, t), ip) end
    end

    local size = tonumber(record.size)
    if size and size > 10485760 and not uri_contains(st, std, STATIC_DOWNLOADS) then
      hit("tripline-large-response")
      if ip then fire(C.large, event_count(C.large, ip, t), ip) end
    end

    if contains_any(agent, TOOL_AGENTS) or agent == "-" or agent == "" then
      hit("tripline-suspicious-user-agent")
      if ip then fire(C.agent, event_count(C.agent, ip, t), ip) end
    end

    -- SQL injection: keywords or the pack's regexes, on the URL as logged and decoded.
    if uri_contains(p, pd, SQLI_WORDS) or pattern_any(p, SQLI_PATTERNS) or (pd ~= nil and pattern_any(pd, SQLI_PATTERNS)) then
      hit("tripline-web-sqli")
      if ip then fire(C.sqli, event_count(C.sqli, ip, t), ip) end
    end
    if uri_contains(p, pd, XSS_WORDS) then
      hit("tripline-web-xss")
      if ip then fire(C.xss, event_count(C.xss, ip, t), ip) end
    end
    if uri_contains(p, pd, TRAVERSAL_WORDS) then
      hit("tripline-web-path-traversal")
      if ip then fire(C.traversal, event_count(C.traversal, ip, t), ip) end
    end

    local sensitive = uri_contains(st, std, SENSITIVE_NAMES) or ends_with_any(st, SENSITIVE_ENDINGS) or (std ~= nil and ends_with_any(std, SENSITIVE_ENDINGS))
      or backup_archive(st) or (std ~= nil and backup_archive(std))
    if sensitive then
      hit("tripline-scan-sensitive-file")
      if ip then fire(C.sensitive, event_count(C.sensitive, ip, t), ip) end
    end

    if contains_any(agent, SCANNER_AGENTS) then
      hit("tripline-scan-scanner-user-agent")
      if ip then fire(C.scanner, event_count(C.scanner, ip, t), ip) end
    end

    if uri_contains(p, pd, DYNAMIC) then
      hit("tripline-scan-dynamic-request")
      if ip then fire(C.crawl, event_count(C.crawl, ip, t), ip) end
    end

    local rt = tonumber(record.response_time)
    if rt then
      if not (static_asset(st) or (std ~= nil and static_asset(std))) then
        hit("tripline-web-timed-request")
        fire(C.anomaly, anomaly(C.anomaly, stem, rt, t), stem)
      end
      if rt > 5 then
        hit("tripline-web-slow-request")
        fire(C.slow, event_count(C.slow, stem, t), stem)
      end
    end

    -- Redaction on the URL fields (card numbers, password= values).
    if card_shaped(path) or (pd and card_shaped(pd)) or (referer and (card_shaped(referer) or card_shaped(url_decode(referer) or ""))) then
      hit("tripline-redact-card")
      redact_card = true
    end
    if has_password_param(p) or (pd and has_password_param(pd)) or (referer and has_password_param(lower(referer))) then
      hit("tripline-redact-password")
      redact_password = true
    end
  end

  if msg then
    -- Keyword rules that apply to any record with a message.
    local m = lower(msg)
    if contains_any(m, AUTH_WORDS) and not contains_any(m, AUTH_REPEATED) then
      hit("tripline-auth-failure")
      if ip then fire(C.auth, event_count(C.auth, ip, t), ip) end
    end
    if not path then
      if contains_any(m, RATE_WORDS) then
        hit("tripline-rate-limited")
        if ip then fire(C.rate, event_count(C.rate, ip, t), ip) end
      end
      if contains_any(m, DENIED_WORDS) then
        hit("tripline-access-denied")
        if ip then fire(C.denied, event_count(C.denied, ip, t), ip) end
      end
    end
    if card_shaped(msg) then hit("tripline-redact-card"); redact_card = true end
    if find(m, "password[\"' ]*[=:]") or find(m, "passwd[\"' ]*[=:]") then hit("tripline-redact-password"); redact_password = true end
    if find(m, "bearer ", 1, true) then hit("tripline-redact-bearer"); redact_bearer = true end
  end

  if not matched then return 0, timestamp, record end

  -- Which rules to list: the non-silent ones; with an alert, every rule that matched (as the module does).
  local listed, level, tags, tag_seen = {}, -1, {}, {}
  local function list_rule(id)
    if listed[id] then return end
    listed[id] = true
    local r = RULES[id]
    if LEVELS[r[1]] > level then level = LEVELS[r[1]] end
    for _, tg in ipairs(r[2]) do
      if not tag_seen[tg] then tag_seen[tg] = true; tags[#tags + 1] = tg end
    end
  end
  local order = {}
  for id in pairs(matched) do
    if alerts or not RULES[id][3] then order[#order + 1] = id end
  end
  table.sort(order)
  local ids = {}
  for _, id in ipairs(order) do
    if not listed[id] then list_rule(id); ids[#ids + 1] = id end
  end

  local ns = { rules = ids, tags = tags }
  if alerts then
    local list = {}
    for _, a in ipairs(alerts) do
      local c, r = a.c, a.r
      if LEVELS[c.level] > level then level = LEVELS[c.level] end
      for _, tg in ipairs(c.tags) do
        if not tag_seen[tg] then tag_seen[tg] = true; tags[#tags + 1] = tg end
      end
      local alert = {
        rule = c.id, title = c.title, level = c.level, type = c.type, status = r.status or "fired", tags = c.tags,
        count = r.count, threshold = c.threshold, window = c.window, first = iso(r.first), last = iso(r.last),
      }
      if a.key then
        alert.group = { [c.type == "anomaly" and "cs-uri-stem" or (c == C.slow and "cs-uri-stem" or "c-ip")] = a.key }
        alert.key = a.key
      end
      if r.baseline then alert.baseline = r.baseline end
      if r.deviation then alert.deviation = r.deviation end
      if r.samples then alert.samples = r.samples end
      list[#list + 1] = alert
    end
    ns.alerts = list
    record.tripline_alert = list[1].rule
  end
  for name, lv in pairs(LEVELS) do
    if lv == level then ns.level = name end
  end

  -- Masks, on the fields the pack names: path and referer (card, password), message and log (card, password, bearer).
  for _, k in ipairs(REDACT_FIELDS) do
    local v = record[k]
    if type(v) == "string" then
      if redact_card then v = redact_cards(v) end
      if redact_password then v = redact_after(v, PASSWORD_WORDS, PASSWORD_CASED, true) end
      if redact_bearer and (k == "message" or k == "log") then v = redact_after(v, BEARER_WORDS, NONE, false) end
      record[k] = v
    end
  end

  record.tripline = ns
  return 1, timestamp, record
end

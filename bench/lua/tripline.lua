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
local AUTH_REPEATED = { "(sshd:auth): authentication failure", "more authentication failures", "maximum authentication attempts exceeded",
  "too many authentication failures" }
local RATE_WORDS = { "rate limit", "rate-limit exceeded", "ratelimit exceeded", "too many requests", "limiting requests" }
local DENIED_WORDS = { "access denied", "permission denied", "accessdenied" }
local STATIC_DOWNLOADS = { "/downloads/", "/static/", "/assets/", "/media/", "/video/", ".iso", ".mp4", ".webm", ".dmg", ".exe", ".msi", ".pkg", ".deb", ".rpm" }
local TOOL_AGENTS = {
  "curl/", "wget/", "python-requests", "python-urllib", "python-httpx", "aiohttp", "go-http-client", "libwww-perl",
  "lwp::simple", "java/", "apache-httpclient", "scrapy", "node-fetch", "windowspowershell", "winhttp", "ruby", "httpie",
}
local SCANNER_AGENTS = {
  "sqlmap", "nikto", "nmap scripting engine", "nmap.org", "masscan", "zgrab", "nuclei", "dirbuster", "gobuster", "dirb/",
  "(dirb)", "ffuf", "fuzz faster u fool", "feroxbuster", "wfuzz", "wpscan", "joomscan", "whatweb", "acunetix", "netsparker",
  "nessus", "openvas", "arachni", "skipfish", "w3af", "zmeu", "hydra", "commix", "jaeles", "morfeus",
}

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
  ["tripline-web-path-traversal"] = { "high", { "attack.initial_access", "attack.t1190", "attack.credential_access", "attack.t1552.001" }, false },
  ["tripline-web-lfi-user-agent"] = { "medium", { "attack.initial_access", "attack.t1190" }, false },
  ["tripline-scan-not-found"] = { "informational", { "attack.reconnaissance", "attack.t1595.003" }, true },
  ["tripline-scan-sensitive-file"] = { "high", { "attack.reconnaissance", "attack.t1595.003", "attack.credential_access", "attack.t1552.001" }, false },
  ["tripline-scan-scanner-user-agent"] = { "medium", { "attack.reconnaissance", "attack.t1595.002" }, false },
  ["tripline-scan-dynamic-request"] = { "informational", { "attack.reconnaissance", "attack.t1595" }, true },
  ["tripline-scan-dynamic-page"] = { "informational", { "attack.reconnaissance", "attack.t1595" }, true },
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
  burst = corr("tripline-scan-crawl-burst", "Burst of distinct dynamic pages from one address", "medium", "value_count", { "tripline-scan-dynamic-page" }, 10, 40, { "attack.reconnaissance", "attack.t1595", "attack.collection" }, { cooldown = 300 }),
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

-- Decoded once: %XX becomes the byte, '+' a space (nil when there is nothing to decode).
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

---------------------------------------------------------------- grammars

-- The pack writes its attack families as regular expressions. Lua patterns
-- have no alternation, no optional groups and no \b, so each regex is
-- written here as a Lua pattern extended with "(a|b)" alternation and
-- "(x)?" options, expanded once at load time into the plain patterns it
-- stands for; \b is Lua's frontier %f[%w_] (before a word) or %f[^%w_]
-- (after one). "^" and "$" inside an alternative keep their meaning only
-- at the ends of the expanded pattern; the expansions where they would land
-- in the middle can never match and are dropped. Inputs are lowercased
-- first, which stands for the pack's (?i). The few regexes with a repeated
-- group ((x)+, (x){4}, (, x)*) are small functions instead.

-- Reads one alternative (a sequence) starting at i; returns its expansions
-- and the index of the "|" or ")" that ended it.
local function expand_seq(p, i)
  local outs = { "" }
  local n = #p
  while i <= n do
    local c = sub(p, i, i)
    if c == "|" or c == ")" then break end
    local piece
    if c == "%" then
      piece = { sub(p, i, i + 1) }
      i = i + 2
    elseif c == "[" then
      local j = i + 1
      if sub(p, j, j) == "^" then j = j + 1 end
      if sub(p, j, j) == "]" then j = j + 1 end
      while sub(p, j, j) ~= "]" do
        if sub(p, j, j) == "%" then j = j + 1 end
        j = j + 1
      end
      piece = { sub(p, i, j) }
      i = j + 1
    elseif c == "(" then
      piece = {}
      i = i + 1
      while true do
        local alts
        alts, i = expand_seq(p, i)
        for k = 1, #alts do piece[#piece + 1] = alts[k] end
        local d = sub(p, i, i)
        i = i + 1
        if d == ")" then break end
        assert(d == "|", "unclosed group in " .. p)
      end
      if sub(p, i, i) == "?" then
        piece[#piece + 1] = ""
        i = i + 1
      end
    else
      piece = { c }
      i = i + 1
    end
    if #piece == 1 then
      for k = 1, #outs do outs[k] = outs[k] .. piece[1] end
    else
      local product = {}
      for k = 1, #outs do
        for m = 1, #piece do product[#product + 1] = outs[k] .. piece[m] end
      end
      outs = product
    end
  end
  return outs, i
end

-- True when every "^" / "$" anchor of an expanded pattern sits at its ends.
local function anchors_at_ends(p)
  local i, n = 1, #p
  while i <= n do
    local c = sub(p, i, i)
    if c == "%" then
      i = i + 2
    elseif c == "[" then
      local j = i + 1
      if sub(p, j, j) == "^" then j = j + 1 end
      if sub(p, j, j) == "]" then j = j + 1 end
      while sub(p, j, j) ~= "]" do
        if sub(p, j, j) == "%" then j = j + 1 end
        j = j + 1
      end
      i = j + 1
    else
      if (c == "^" and i > 1) or (c == "$" and i < n) then return false end
      i = i + 1
    end
  end
  return true
end

-- Expands a list of extended patterns into one list of Lua patterns.
local function grammar(list)
  local out = {}
  for _, p in ipairs(list) do
    local alts, i = expand_seq(p, 1)
    assert(i > #p, "unbalanced ')' in " .. p)
    for _, a in ipairs(alts) do
      if anchors_at_ends(a) then out[#out + 1] = a end
    end
  end
  return out
end

local W = "%f[%w_]"   -- \b before a word
local E = "%f[^%w_]"  -- \b after a word

-- Whether an identifier list starting at i can be followed by `tail`
-- (anchored): the list's items may end at any item, as the regex backtracks.
local function ident_list_then(s, i, class, tail)
  local _, e = find(s, "^" .. class .. "+", i)
  while e do
    -- an item can only end where the class ends, so trying each full item is enough
    if find(s, "^" .. tail, e + 1) then return true end
    local _, f = find(s, "^%s*,%s*" .. class .. "+", e + 1)
    e = f
  end
  return false
end

-- A family: entries { gate, pattern, ... }; the gate is a plain Lua pattern
-- every expansion of the entry needs (a quote, a keyword), tested first so a
-- URL without it costs one find instead of the whole list.
local function family(entries)
  local out = {}
  for _, e in ipairs(entries) do
    local list = {}
    for k = 2, #e do list[#list + 1] = e[k] end
    out[#out + 1] = { gate = e[1], patterns = grammar(list) }
  end
  return out
end

local function family_match(s, fam)
  for i = 1, #fam do
    local f = fam[i]
    if find(s, f.gate) then
      local pats = f.patterns
      for k = 1, #pats do
        if find(s, pats[k]) then return true end
      end
    end
  end
  return false
end

---------------------------------------------------------------- SQL injection (web-attacks.yml)

local SQLI_CATALOGUE = {
  "information_schema", "@@version", "@@datadir", "@@hostname", "@@basedir", "sysobjects", "syscolumns", "sysdatabases",
  "msysobjects", "msysaccessobjects", "pg_catalog", "pg_shadow", "pg_namespace", "pg_read_file", "pg_ls_dir", "pg_sleep",
  "sqlite_master", "sqlite_version(", "mysql.user", "xp_cmdshell", "xp_regread", "xp_dirtree", "sp_executesql",
  "sp_oacreate", "sp_makewebtask", "openrowset(", "opendatasource(", "msdasql", "dbms_pipe.receive_message",
  "dbms_lock.sleep", "utl_inaddr", "utl_http.request", "load_file(", "into outfile", "into dumpfile", "extractvalue(",
  "updatexml(", "benchmark(", "waitfor delay", "waitfor time", "sleep(", "lo_import(", "lo_export(", "lo_get(",
  "unionselect", "execute immediate", "current_setting(", "sysusers", "master..", "pg_group", "pg_roles", "pg_user",
  "pg_tables", "bulk insert", "backup database", "sp_password",
  "2147483648", "4294967295", "4294967296", "9223372036854775807", "9223372036854775808", "18446744073709551615",
  "18446744073709551616", "2.2250738585072011e-308",
  -- comments used as whitespace next to SQL
  "*/(", "*/select", "*/union", "*/from", "*/where", "*/table", "*/into", "*/values", "*/sleep", "*/and", "*/or ",
  "*/concat", "*/char(", "/**/select", "/**/union", "/**/from", "/**/and", "/**/or", "/**/'", "/**/,",
}

local Q = "['\"`]"
local SQL_STATEMENT = "(select|insert|update|delete|drop|create|alter|truncate|replace|exec|execute|declare|shutdown|waitfor|print|grant|revoke|union|call|load|copy|begin|set)"
-- The comparison that ends a boolean probe: ' or 1=1, or x!, or 5-, or a like b.
local function comparison(words)
  return "([<>=%^%%%*/%+|]|!([=&'\"%d]|$)|%-(%s|%d|$|%-)|%s(" .. words .. ")%s)"
end

local SQLI_SYNTAX = family {
  -- \bunion ... select\b is union_select() below
  { Q, Q .. "%)*%s*((or|xor|and|div)[%s(]+|(%|%||&&)[%s(]*)(not%s+)?[%w_%$@%.'\"`%-]+%)*%s*" .. comparison("like|glob|regexp|rlike|is|in|between|sounds") },
  { Q, Q .. "%s*(or|xor|and)%s+%d+%s*[,@]", Q .. "%s*(or|xor|and)%s*%(" },
  { "['\"`%)]", "['\"`%)]%s*(or|xor|and)%s+[%w_]+%s*%(" },
  { "%(", W .. "(or|and)%s+(isnull|ifnull|exists|ascii|substring|substr|length|sleep|benchmark|elt|char|ord|hex|mid|version|user|database|if)%s*%(" },
  { "%)", "%)%s*(or|and|xor)%s*%(+%s*['\"%w_]+['\"]?%)*%s*([=<>]|!=)" },
  { "['\"]", "['\"]%s*[%-%^%*|/%%]%s*['\"]" },
  { "%|%|", "%|%|%s*[%d'\"(]" },
  { "char", W .. "char%s*%(%s*%d+%s*%)%s*(%+|%|%||,|%))" },
  { "order", W .. "order%s+by%s+%d+%s*($|&|%-%-|#|,|;|%)|/%*)",
    W .. "order%s+by%s+(if%s*%(|case%s+when" .. E .. "|%(%s*select" .. E .. "|sleep%s*%(|%d+%s*(%-%-|#|;))" },
  { "having", W .. "having%s+%d+%s*[=<>]",
    W .. "having%s+(count|sum|avg|min|max|length|ascii|substring)%s*%([%w_%*`'\"%.]*%)%s*([<>=!]|" .. W .. "(between|in|like)" .. E .. ")" },
  { "=", W .. "(or|and)%s+%(?%s*(a=a|b=b|c=c|x=x|y=y|z=z|1=1|0=0)" .. E },
  { "@@", "@@[a-z_][a-z_][a-z_]" },
  { "select", W .. "select%s+(current_user|session_user|system_user|current_database|user%s*%(|version%s*%(|database%s*%(|@@|load_file)",
    Q .. "%s*%(%s*select" .. E,
    W .. "select%s*(%(|/%*)?%s*(sleep|benchmark|pg_sleep|if|case|char|ascii|substring|concat|version|user|database)%s*%(",
    W .. "select%s*%(%s*(/%*|sleep|benchmark|if|case|%d)",
    W .. "(in|exists|any|all|some)%s*%(%s*select" .. E,
    "[=<>]%s*%(%s*select" .. E,
    W .. "(except|intersect|minus)%s+(all%s+)?select" .. E .. "%s*[%d%*(@'\"`%.%-]" },
  { "values", W .. "(except|intersect|minus)%s+(all%s+)?values%s*%(" },
  { "exec", W .. "exec(ute)?%s*(%(%s*@|%s+(sp|xp)_|%s+master%.)" },
  { "copy", W .. "copy%s+[%w_]+%s+(to|from)%s+(program" .. E .. "|'?/)" },
  { "db%.", W .. "db%.[%w_]+%.(insert|find|remove|update|drop|mapreduce)%s*%(" },
  { Q, Q .. "%s*(or|and|xor)%s+(true|false|null)" .. E, Q .. "%s*(glob|like|rlike|regexp)%s+['\"%d(]" },
  -- a value that starts with a boolean operator: or 'a' <, xor 5-, or 88
  { "or", "(^|[=(])%s*(or|xor)%s+[%w_%$@%.'\"%-]+%s*" .. comparison("like|glob|regexp|rlike|between|in|is"),
    "(^|[=(])%s*(or|xor)%s+%d+%s*(&|$)" },
  { "and", "(^|[=(])%s*and%s+[%w_%$@%.'\"%-]+%s*" .. comparison("like|glob|regexp|rlike|between|in|is") },
  -- numeric tautologies (0=0 .. 9=9) are digit_tautology() below
  { "%d", W .. "(or|and|xor)%s+%d+%s*([=<>]|!=)%s*%d", "%d%s*<=>%s*%d", W .. "%d+%s*!=%s*%d+" .. E, W .. "%d+%s+is%s+not%s+%d+" .. E },
  { "'", "'%s*=%s*'", "'%s*%)*%s*(%-%-|#|/%*)" },
  { "\"", "\"%s*%)*%s*(/%*|(%-%-|#)%s*($|&))" },
  { ";", Q .. "%s*%)*%s*;%s*($|&|%-%-|#|/%*|" .. SQL_STATEMENT .. E .. ")",
    "[%w_'\"%)]%s*;%s*(%-%-|/%*|#$)",
    ";%s*(select|insert|update|delete|drop|create|alter|truncate|replace|exec|execute|declare|shutdown|grant|revoke|rename|merge|call|waitfor|sleep)" .. E,
    W .. "(drop|truncate|delete)%s+[%w_%.`\"%[%]]+%s*;%s*($|&|%-%-|#|/%*)" },
  { "create", W .. "create%s+(or%s+replace%s+)?(function|procedure|trigger)%s+[%w_%.`\"]+%s*%(" },
  { "declare", W .. "declare%s+@" },
  { "/%*", "/%*%s*[!%+]" },
  { "%(", W .. "(sleep|benchmark|pg_sleep)%s*%(%s*(['\"(%-]|/%*|[%d%.]+%s*([%)%+%-%*/%%%^,]|div" .. E .. "|mod" .. E .. ")|mod%s*%()" },
  { "case", W .. "case%s+when%s*(%(|[%w_'\"().=<>!@%-]+%s+then" .. E .. ")" },
  { "if", W .. "if%s*%(%s*[%w_'\"@%.]+%s*(=([^=]|$)|<>|!=([^=]|$)|<=>|" .. W .. "like" .. E .. ")" },
  { "like", "%)%s*like%s*%(", W .. "like%s*['\"]%s*(%%|$|&|%)|%-%-|#)", "(^|[=&])%s*(like|rlike|regexp)%s+(null" .. E .. "|['\"%%])",
    W .. "like%s+null" .. E },
  { "::", "::%s*(int|int2|int4|int8|integer|bigint|smallint|text|varchar|char|bool|boolean|json|jsonb|numeric|float|real|double%s+precision|regclass|oid|bytea|inet|xml)" .. E },
  { "div", W .. "div%s*%(%s*%-?[%d%.]+%s*,%s*%-?[%d%.]+%s*%)" },
  { "overlay", W .. "overlay%s*%(%s*[%w_%.]+%s+placing" .. E },
  { "%(", W .. "(starts_with|unistr|jsonb_pretty|json_build_object|jsonb_build_object|query_to_xml|array_to_string|string_agg|pg_read_binary_file)%s*%(" },
  { "'", "'%s*%$%.[%w_%[%*]", "'::jsonb?" .. E },
  { "#>", "#>>?%s*'" },
  { "%$", "[%w_%-]%[%$(ne|eq|gt|gte|lt|lte|in|nin|regex|where|exists|not|or|and|nor|expr|elemmatch|size|type|mod|all|text)%]",
    "=%s*%[%$(ne|eq|gt|gte|lt|lte|in|nin|regex|where|exists|not|or|and|nor|expr)%]",
    "%$where" .. E },
  { "[?&]", "[?&]%s*" .. Q },
}

-- \bunion(\s|/\*\w*\*/|\()+((all|distinct)(\s|/\*\w*\*/)+)?\(?\s*select\b
local function skip_separators(s, i, parens)
  local start = i
  while true do
    local _, e = find(s, "^%s+", i)
    if not e and parens then _, e = find(s, "^%(", i) end
    if not e then _, e = find(s, "^/%*[%w_]*%*/", i) end
    if not e then return i, i > start end
    i = e + 1
  end
end

local function union_select(s)
  local init = 1
  while true do
    local _, e = find(s, W .. "union", init)
    if not e then return false end
    local i, any = skip_separators(s, e + 1, true)
    if any then
      if find(s, "^%(?%s*select" .. E, i) then return true end
      local _, w = find(s, "^all", i)
      if not w then _, w = find(s, "^distinct", i) end
      if w then
        local j, sep = skip_separators(s, w + 1, false)
        if sep and find(s, "^%(?%s*select" .. E, j) then return true end
      end
    end
    init = e + 1
  end
end

-- A byte that \w or "." matches (at i; false outside the string).
local function word_or_dot(s, i)
  if i < 1 then return false end
  local c = byte(s, i)
  return c ~= nil and (c == 95 or c == 46 or (c >= 48 and c <= 57) or (c >= 97 and c <= 122) or (c >= 65 and c <= 90))
end

-- (^|[^\w.])(0=0|1=1|...|9=9)($|[^\w.])
local function digit_tautology(s)
  local init = 1
  while true do
    local a = find(s, "%d=%d", init)
    if not a then return false end
    if byte(s, a) == byte(s, a + 2) and not word_or_dot(s, a - 1) and not word_or_dot(s, a + 3) then return true end
    init = a + 1
  end
end

-- \(\s*select\s+(\*|[\w.`]+(\s*,\s*[\w.`]+)*|count\s*\(|top\s+\d|distinct|concat|char|@@|0x|null|\d)\s+from\b
-- (the names distinct, concat, char, null, 0x and \d are columns of the list too)
local function subselect_from(s)
  local init = 1
  while true do
    local _, e = find(s, "%(%s*select%s+", init)
    if not e then return false end
    local i = e + 1
    if find(s, "^%*%s+from" .. E, i) or find(s, "^count%s*%(%s+from" .. E, i) or find(s, "^top%s+%d%s+from" .. E, i)
      or find(s, "^@@%s+from" .. E, i) or ident_list_then(s, i, "[%w_%.`]", "%s+from" .. E) then
      return true
    end
    init = e
  end
end

-- \bgroup\s+by\s+[\w`".]+(\s*,\s*[\w`".]+)*\s+having\b
local function group_by_having(s)
  local init = 1
  while true do
    local _, e = find(s, W .. "group%s+by%s+", init)
    if not e then return false end
    if ident_list_then(s, e + 1, "[%w_`\"%.]", "%s+having" .. E) then return true end
    init = e
  end
end

local function sqli(s)
  return find(s, "union", 1, true) and union_select(s) or family_match(s, SQLI_SYNTAX) or digit_tautology(s)
    or (find(s, "select", 1, true) ~= nil and subselect_from(s)) or (find(s, "group", 1, true) ~= nil and group_by_having(s))
end

---------------------------------------------------------------- cross-site scripting (web-attacks.yml)

local XSS_MARKUP = {
  "<script", "</script", "%3cscript", "%3c/script", "javascript:", "vbscript:", "livescript:", "document.cookie",
  "document.domain", "document.write", "document.location", "string.fromcharcode", ".fromcharcode(", "-moz-binding",
  "+adw-", "constructor.constructor", "{{constructor", "{{ constructor", "{{$on.", "{{$eval", "%2badw-", "<?import",
  "<?xml", "<!--", "<import", "\\u{",
}

-- Tags that can run script or load content.
local SCRIPT_TAGS = {}
for _, t in ipairs {
  "script", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "img", "image", "body", "html", "meta",
  "link", "base", "style", "form", "input", "button", "textarea", "select", "video", "audio", "source", "track", "details",
  "dialog", "marquee", "isindex", "keygen", "bgsound", "xml", "xss", "template", "animate", "animatetransform", "set",
  "foreignobject", "portal", "layer", "ilayer", "plaintext", "xmp", "noscript", "comment",
} do SCRIPT_TAGS[t] = true end

-- A tag name from SCRIPT_TAGS ending at `after` (then whitespace, /, > or the end).
local function script_tag_at(s, name, after)
  return SCRIPT_TAGS[name] and (after > #s or find(s, "^[%s/>]", after)) and true or false
end

-- <\s*/?\s*([a-z]+\s*:\s*)?(script|iframe|...)(\s|/|>|$)
local function script_tag(s)
  local init = 1
  while true do
    local a, e = find(s, "<%s*/?%s*", init)
    if not a then return false end
    local _, ne, name = find(s, "^([a-z]+)", e + 1)
    if name then
      if script_tag_at(s, name, ne + 1) then return true end
      -- a namespace prefix (<x:script); the prefix is every letter run before the ':'
      local _, pe = find(s, "^%s*:%s*", ne + 1)
      if pe then
        local _, te, tag = find(s, "^([a-z]+)", pe + 1)
        if tag and script_tag_at(s, tag, te + 1) then return true end
      end
    end
    init = a + 1
  end
end

-- (&#(x0*[2-7][0-9a-f]|0*(3[2-9]|[4-9][0-9]|1[01][0-9]|12[0-6]));?\s*){4}
local ENTITY = { "^&#x0*[2-7][0-9a-f]", "^&#0*3[2-9]", "^&#0*[4-9]%d", "^&#0*1[01]%d", "^&#0*12[0-6]" }
local function entity_at(s, i)
  for k = 1, #ENTITY do
    local _, e = find(s, ENTITY[k], i)
    if e then
      local _, f = find(s, "^;?%s*", e + 1)
      return f + 1
    end
  end
  return nil
end

local function entity_run(s)
  local init = 1
  while true do
    local a = find(s, "&#", init, true)
    if not a then return false end
    local i, n = a, 0
    while n < 4 do
      i = entity_at(s, i)
      if not i then break end
      n = n + 1
    end
    if n == 4 then return true end
    init = a + 1
  end
end

local JS_CALLS = "(alert|prompt|confirm|eval|settimeout|setinterval|atob|btoa|fetch|importscripts|execscript|msgbox)"

local XSS_SYNTAX = family {
  { "<", "<[a-z][%w_:%-]*%s+[%w_:%-]+%s*=", "<%s*[a-z]%s+[a-z]%s+[a-z]([%s/>]|$)", "</[a-z][%w_:%-]*%s*>" },
  { "on", "[%s\"'`/;(,<>%*]on[a-z][a-z][a-z]+%s*=" },
  { "=", W .. "(formaction|srcdoc|xlink:href)%s*=", W .. "xmlns(:[%w_]+)?%s*=" },
  { "j", "j%s*a%s*v%s*a%s*s%s*c%s*r%s*i%s*p%s*t%s*:" },
  { "url", W .. "url%s*%(%s*['\"]?%s*(javascript|vbscript|data%s*:)" },
  { "expression", ":%s*expression%s*%(" },
  { "behavior", W .. "behavior%s*:%s*url" },
  { "data", W .. "data%s*:%s*(,|text/html|text/javascript|application/(x%-)?javascript|image/svg)" },
  { "[%(`]", "[=;\"'`(){}>!|&,:%[]%s*" .. JS_CALLS .. "%s*(%(|`)",
    "['\"`]%s*[%-%+%*/%^%%~|&]%s*(alert|prompt|confirm|eval|settimeout|setinterval|fetch)%s*%(" },
  { "function", W .. "new%s+function%s*%(" },
  { "[,)]", "[=(,]%s*(alert|prompt|confirm|eval)%s*[,)]" },
  { "&", "(alert|prompt|confirm|eval)%s*(&lpar;|&#x0*28;?|&#0*40;?)" },
  { "%[", W .. "(top|self|parent|frames|globalthis)%s*%[%s*['\"`/%d]" },
  { "\\", "([a-z]\\(u00|x)[4-7][0-9a-f]|\\(u00|x)[4-7][0-9a-f][a-z])", "\\u00(4[1-9a-f]|5[0-9a]|6[1-9a-f]|7[0-9a]).?.?.?\\u00(4[1-9a-f]|5[0-9a]|6[1-9a-f]|7[0-9a])" },
  { "`", "%.%s*(call|apply|bind)%s*`" },
  { "%${", "%${%s*(alert|prompt|confirm|eval|top|self|window|this|document|navigation|parent|frames)" .. E },
  { "reflect", W .. "reflect%s*%.%s*(apply|construct|get)" .. E },
}

local function xss(s)
  return family_match(s, XSS_SYNTAX) or (find(s, "<", 1, true) ~= nil and script_tag(s)) or (find(s, "&#", 1, true) ~= nil and entity_run(s))
end

---------------------------------------------------------------- path traversal (web-attacks.yml)

local TRAVERSAL_WORDS = {
  "../", "..\\", "..%2f", "..%5c", "%2e%2e", "%252e", "..;", ".../", "..%c0%af", "%c0%ae", "%c1%9c", "%uff0e", "0x2e.",
  "0x2e0x2e", "%00", "/@fs/", "/@id/__x00__",
  -- files
  "win.ini", "boot.ini", "system.ini", "c:\\windows\\", "c:/windows/", "\\windows\\system32", "/windows/system32",
  "system32\\config", "/inetpub/", "ntuser.dat", ".ssh/id_", ".ssh/authorized_keys", ".ssh/known_hosts", ".aws/credentials",
  ".aws/config", ".docker/config.json", ".docker/secrets", ".kube/config", ".gnupg/", ".git-credentials", ".netrc",
  ".pgpass", ".my.cnf", ".bash_history", ".zsh_history", ".mysql_history", ".psql_history", ".python_history",
  ".node_repl_history", ".rediscli_history", ".sqlite_history", ".viminfo", ".lesshst", ".vault-token", ".s3cfg", ".boto",
  ".azure/", ".config/gcloud", "/var/run/secrets/", "/run/secrets/",
}

-- (^|[^\w.-])/?DIR/(names...): a system directory, at the start or after a
-- byte that cannot continue a file name, then one of its files.
local SYSTEM_DIRS = {
  { "etc/", grammar { "^(passwd|shadow|gshadow|group|hosts|issue|sub[ug]id|sudoers|crontab|fstab|mtab|motd|profile|environment|hostname|resolv%.conf|master%.passwd|os%-release|lsb%-release|[%w_%-]+%-release|debian_version|inittab|aliases|exports|rc%.local|shells|nsswitch%.conf|ld%.so|security/|pam%.d/|init%.d/|cron|ssh/|mysql/|apache2?/|httpd/|nginx/|php|sysconfig/|tomcat|redis|my%.cnf|sysctl|krb5|openldap/|ldap/|docker/|kubernetes/|letsencrypt/|ssl/|pki/|x11/|samba/|postfix/|network/|netplan/|systemd/)" } },
  { "proc/", grammar { "^(self|thread%-self|%d+|version|cpuinfo|meminfo|net/|sys/|mounts|interrupts|cmdline|environ|partitions|modules|devices|kcore|kallsyms|sched_debug|filesystems|loadavg|uptime|swaps|vmstat|zoneinfo|ioports|iomem|config%.gz|stat" .. E .. ")" } },
  { "sys/", grammar { "^(class|kernel|devices|block|bus|firmware|fs|module|power|hypervisor)" .. E } },
  { "root/", { "^%." } },
  { "home/", { "^[%w_%.%-]+/%." } },
  { "var/", grammar { "^(log|lib|spool|mail|backups)/" } },
}

-- >\s*/(tmp|dev/shm|var/tmp)/: shell redirection into a world-writable directory
local SHELL_REDIRECT = grammar { ">%s*/(tmp|dev/shm|var/tmp)/" }

local function name_byte(s, i)
  local c = byte(s, i)
  return c == 45 or word_or_dot(s, i)
end

local function system_path(s)
  for d = 1, #SYSTEM_DIRS do
    local dir, names = SYSTEM_DIRS[d][1], SYSTEM_DIRS[d][2]
    local init = 1
    while true do
      local a, e = find(s, dir, init, true)
      if not a then break end
      -- the optional "/" before DIR is itself such a byte, so one test covers both forms
      if a == 1 or not name_byte(s, a - 1) then
        for k = 1, #names do
          if find(s, names[k], e + 1) then return true end
        end
      end
      init = a + 1
    end
  end
  return find(s, ">", 1, true) ~= nil and pattern_any(s, SHELL_REDIRECT)
end

-- =[^&#]*\.(sql|sqlite|sqlite3|mdb)(\.(gz|zip|bz2|xz|7z|tar|tgz))?($|&|#) on the query
local DUMP_IN_PARAMETER = grammar { "=[^&#]*%.(sql|sqlite|sqlite3|mdb)(%.(gz|zip|bz2|xz|7z|tar|tgz))?($|&|#)" }

local function dump_in_parameter(query)
  return find(query, "=", 1, true) ~= nil and (find(query, ".sql", 1, true) ~= nil or find(query, ".mdb", 1, true) ~= nil)
    and pattern_any(query, DUMP_IN_PARAMETER)
end

---------------------------------------------------------------- sensitive files, dynamic pages (web-scanning.yml)

local SENSITIVE_NAMES = {
  "/.env", "/.git/", "/.gitconfig", "/.svn/", "/.hg/", "/.ds_store", "/.htpasswd", "/.htaccess", "/.aws/", "/.ssh/",
  "/.npmrc", "/.pgpass", "/.bash_history", "/.docker/config.json", "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519",
  "wp-config.php.", "wp-config.php~", "wp-config.txt", "credentials.json", "credentials.txt", "credentials.yml",
  "credentials.xml", "/phpinfo.php", "/info.php", "/storage/logs/",
  "/.claude/", "/.cursor/", "/.cursorignore", "/.cursorrules", "/.aiignore", "/.continue/", "/.aider", "/.roo/", "/.roomodes",
  "/.zed/", "/.cline/", "/.clinerules", "/.kiro/", "/.windsurf/", "/.windsurfrules", "/.rovodev/", "/.codex/", "/.opencode/",
  "/.a0proj/", "/.plandex/", "/.fabric/", "/.n8n/", "/.junie/", "/.gemini/", "/.qwen/", "/.goose/", "/.amazonq/",
  "/.augment/", "/.tabnine/", "/.codeium/", "/.copilot/", "/.github/copilot-instructions.md", "mcp.json", "/.vscode/", "/.idea/",
}
local SENSITIVE_ENDINGS = {
  "/.git", "/credentials", ".bak", ".old", ".orig", ".save", ".swp", "~", ".sql", ".sql.gz", ".sql.zip", ".sqlite", ".mdb",
  "debug.log", "error.log", "errors.log", "error_log", "access.log", "access_log", "php_errors.log", "laravel.log",
}
local ARCHIVE = "%.(zip|rar|7z|tar|tgz|tar%.gz|gz)$"
-- backup[^/]*\.(zip|...)$ anywhere in the stem; the site/db-style names from the last "/"
local BACKUP_ARCHIVE = grammar { "backup[^/]*" .. ARCHIVE }
local NAMED_ARCHIVE = grammar { "^/(db|dump|database|sql|www|wwwroot|web|site|html|htdocs|public_html|old|archive|data)[%-_%.%d]*" .. ARCHIVE }

local function backup_archive(stem)
  if not find(stem, "%.[zrt7g][ia7zg]") then return false end
  if find(stem, "backup", 1, true) and pattern_any(stem, BACKUP_ARCHIVE) then return true end
  local last = find(stem, "/[^/]*$")
  return last ~= nil and pattern_any(sub(stem, last), NAMED_ARCHIVE)
end

local DYNAMIC = { "?", ".php", ".asp", ".jsp", ".cgi" }
-- tripline-scan-dynamic-page leaves these out (cs-uri-stem|endswith)
local ASSET_ENDINGS = {
  ".js", ".mjs", ".css", ".map", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg", ".ico", ".woff", ".woff2", ".ttf",
  ".eot", ".mp4", ".webm",
}

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

-- A URL predicate sees the value as logged and decoded (the decoded form is nil when there is nothing to decode).
local function uri_contains(p, pd, list)
  return contains_any(p, list) or (pd ~= nil and contains_any(pd, list))
end

local function uri_ends_with(p, pd, list)
  return ends_with_any(p, list) or (pd ~= nil and ends_with_any(pd, list))
end

local function uri_test(test, p, pd)
  return test(p) or (pd ~= nil and test(pd))
end

-- A URL field's two forms, lowercased: as logged and decoded once (nil if unchanged).
local function uri_forms(raw)
  local d = url_decode(raw)
  return lower(raw), d and lower(d)
end

-- The module's cut of the request target: an absolute URL's scheme and
-- authority are dropped, the stem ends at the first ? or #, the query runs
-- from that ? to the next #.
local function uri_parts(path)
  local at = 1
  local _, scheme = find(path, "^[hH][tT][tT][pP][sS]?://")
  if scheme then at = find(path, "[/?#]", scheme + 1) or #path + 1 end
  local stem_end = find(path, "[?#]", at)
  if not stem_end then return at == 1 and path or sub(path, at), nil end
  local stem = sub(path, at, stem_end - 1)
  if byte(path, stem_end) ~= 63 then return stem, nil end
  local hash = find(path, "#", stem_end + 1, true)
  return stem, sub(path, stem_end + 1, hash and hash - 1 or #path)
end

-- \.(css|js|png|jpe?g|gif|svg|ico|webp|woff2?|ttf|map)($|\?) on cs-uri-stem (tripline-web-timed-request)
local STATIC_ASSET = grammar { "%.(css|js|png|jpe?g|gif|svg|ico|webp|woff2?|ttf|map)($|%?)" }
local function static_asset(stem)
  return pattern_any(stem, STATIC_ASSET)
end

-- cs-user-agent|contains of tripline-web-lfi-user-agent
local LFI_AGENT = { "/etc/", "/proc/", "/root/", ".ssh/", ".aws/", "../", "..\\", "win.ini" }

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
    local p, pd = uri_forms(path)
    -- cs-uri-stem and cs-uri-query, cut from the target as logged, then each in its two forms
    local stem, query = uri_parts(path)
    local st, std = p, pd
    if stem ~= path then st, std = uri_forms(stem) end
    local qr, qd
    if query then qr, qd = uri_forms(query) end
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

    -- The attack grammars, on the URL as logged and decoded.
    if uri_contains(p, pd, SQLI_CATALOGUE) or uri_test(sqli, p, pd) then
      hit("tripline-web-sqli")
      if ip then fire(C.sqli, event_count(C.sqli, ip, t), ip) end
    end
    if uri_contains(p, pd, XSS_MARKUP) or uri_test(xss, p, pd) then
      hit("tripline-web-xss")
      if ip then fire(C.xss, event_count(C.xss, ip, t), ip) end
    end
    if uri_contains(p, pd, TRAVERSAL_WORDS) or uri_test(system_path, p, pd) or (qr ~= nil and uri_test(dump_in_parameter, qr, qd)) then
      hit("tripline-web-path-traversal")
      if ip then fire(C.traversal, event_count(C.traversal, ip, t), ip) end
    end
    if contains_any(agent, LFI_AGENT) then hit("tripline-web-lfi-user-agent") end

    if uri_contains(st, std, SENSITIVE_NAMES) or uri_ends_with(st, std, SENSITIVE_ENDINGS) or uri_test(backup_archive, st, std) then
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
      if not uri_ends_with(st, std, ASSET_ENDINGS) then
        hit("tripline-scan-dynamic-page")
        if ip then fire(C.burst, value_count(C.burst, ip, path, t), ip) end
      end
    end

    local rt = tonumber(record.response_time)
    if rt then
      if not uri_test(static_asset, st, std) then
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
      redact_card = true
    end
    if has_password_param(p) or (pd and has_password_param(pd)) or (referer and has_password_param(lower(referer))) then
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
    if card_shaped(msg) then redact_card = true end
    if find(m, "password[\"' ]*[=:]") or find(m, "passwd[\"' ]*[=:]") then redact_password = true end
    if find(m, "bearer ", 1, true) then redact_bearer = true end
  end

  -- Masks, on the fields the pack names: path and referer (card, password),
  -- message and log (card, password, bearer). A redaction rule counts as
  -- matched only where it masked something (a card-shaped number failing
  -- the Luhn check is left alone, untagged).
  if redact_card or redact_password or redact_bearer then
    for i = 1, #REDACT_FIELDS do
      local k = REDACT_FIELDS[i]
      local v = record[k]
      if type(v) == "string" then
        local w = v
        if redact_card then
          local masked = redact_cards(w)
          if masked ~= w then hit("tripline-redact-card"); w = masked end
        end
        if redact_password then
          local masked = redact_after(w, PASSWORD_WORDS, PASSWORD_CASED, true)
          if masked ~= w then hit("tripline-redact-password"); w = masked end
        end
        if redact_bearer and (k == "message" or k == "log") then
          local masked = redact_after(w, BEARER_WORDS, NONE, false)
          if masked ~= w then hit("tripline-redact-bearer"); w = masked end
        end
        if w ~= v then record[k] = w end
      end
    end
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

  record.tripline = ns
  return 1, timestamp, record
end

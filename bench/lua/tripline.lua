-- tripline's default rule pack (rules/*.yml) written by hand as a Fluent Bit
-- Lua filter: the competition in the Fluent Bit benchmark (bench/fluent-bit).
--
--   [FILTER]
--       Name           lua
--       Match          web.*
--       script         bench/lua/tripline.lua
--       call           tripline
--       type_array_key tags
--
-- (type_array_key: Fluent Bit turns an empty Lua table into {}; the module
-- writes an empty tag list as [].)
--
-- Written the way a careful engineer would write it for production, not to
-- lose: every field is lowercased once, the URL is decoded once and only
-- when it holds % or +, the ~250 literals of a field's lists are found in
-- one walk over the value (an index on their first two bytes) instead of a
-- string.find each, each regex family is tried only when a byte or word it
-- needs is present, and records that only matched silent rules come back
-- with code 0 (Fluent Bit then keeps the original bytes, no re-encoding).
-- No cache of verdicts per URL or user agent: the module keeps none either.
--
-- What it covers: every rule and correlation that can fire on a web access
-- record (Fluent Bit's apache2 / nginx parsers: host/remote, user, method,
-- path, code, size, referer, agent; response_time when present), with the
-- pack's semantics, thresholds, windows and cooldowns:
--   detection rules  http-404/401/500, http-login-failure, rate-limited,
--                    access-denied, large-response, suspicious-user-agent,
--                    traffic-request, web-timed-request, web-slow-request,
--                    web-sqli, web-xss, web-path-traversal (the full
--                    grammars of web-attacks.yml: catalogue and comment
--                    lists, every syntax regex, system paths, SQL dumps
--                    named in a parameter), web-lfi-user-agent,
--                    scan-not-found, scan-sensitive-file (names, endings,
--                    backup archives), scan-scanner-user-agent,
--                    scan-dynamic-request, scan-dynamic-page,
--                    redact-card/password/bearer (tagged only when they
--                    masked something)
--   keyword rules    auth-failure, rate-limited, access-denied (the
--                    '@message' parts: message / log / msg)
--   correlations     http-404/401/500 bursts, login-failure, auth-failure,
--                    rate-limit, access-denied, large-data and
--                    suspicious-user-agent bursts, the sqli / xss /
--                    path-traversal / sensitive-file / scanner alerts,
--                    many-404-paths and crawl-burst (value_count),
--                    aggressive-crawl, traffic-spike (with recovery, quiet
--                    intervals closed one by one), response-time anomaly
--                    (population deviation, weight capped at 1000 samples)
--                    and slow-endpoint; state entry for entry like
--                    assembly/correlation/*, times in milliseconds, fed the
--                    record as it leaves (redacted), in pack order
--   output           the "tripline" object (rules in pack order, level,
--                    tags, alerts with route, group, key, samples and
--                    addresses, numbers to 6 decimals) and tripline_alert,
--                    tripline_alert_2.. for rewrite_tag, like the module;
--                    card numbers (Luhn), passwords and bearer tokens masked
--                    in path / referer / message / log
--
-- Regexes: Lua patterns have no alternation, optional groups or \b. Each
-- regex is written as a Lua pattern with "(a|b)" and "(x)?" that is
-- expanded at load time into the plain patterns it stands for (grammar()
-- below); \b is the frontier %f[%w_] / %f[^%w_]; (?i) is the input
-- lowercased once. The few regexes with a repeated group (UNION separators,
-- identifier lists, entity runs, script tags with namespaces, the
-- /etc/ /proc/ ... file lists) are small functions doing the same match.
-- Nothing is approximated there; checked against the module on OWASP CRS's
-- regression payloads, 20,000 generated benign URLs and every rule suite's
-- access lines (identical rules; identical records on the suites).
--
-- Not covered: ssh.yml, privilege-escalation.yml and the JSON application
-- rules (app-login-failure, app-error, security-warning, large-export) need
-- tripline's raw-line parsing of sshd/sudo/su messages or JSON application
-- fields and cannot fire on access records (on such a record the module
-- spends one key lookup on each; here they would cost a nil check). Nor
-- are the module's periodic statistics records, or its reading of an
-- unparsed line (a `log` key) as an access line.
-- Differences: idle keys are pruned every 10,000 records (the module caps
-- keys per correlation at 10,000 instead), so the samples / addresses an
-- alert lists can restart after a key was idle longer than its window and
-- cooldown; a timestamp handed over as a number is taken to the
-- millisecond after rounding within a microsecond.

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

-- The access-record rules in pack order (rules/*.yml by file name, then as
-- written), which is the order the module lists them in: id, level, tags,
-- silent (only listed beside an alert it completes: the rule feeds a
-- correlation that does not `generate` it).
local RULE_LIST = {
  { "tripline-http-404", "informational", { "attack.reconnaissance", "attack.t1595.003" }, true },
  { "tripline-http-401", "informational", { "attack.credential_access", "attack.t1110" }, true },
  { "tripline-http-500", "informational", { "attack.initial_access", "attack.t1190" }, true },
  { "tripline-http-login-failure", "low", { "attack.credential_access", "attack.t1110" }, true },
  { "tripline-auth-failure", "low", { "attack.credential_access", "attack.t1110" }, true },
  { "tripline-rate-limited", "low", { "attack.impact", "attack.t1499" }, true },
  { "tripline-access-denied", "low", { "attack.discovery", "attack.t1083" }, true },
  { "tripline-large-response", "low", { "attack.collection", "attack.t1213" }, true },
  { "tripline-suspicious-user-agent", "low", { "attack.reconnaissance", "attack.t1595" }, true },
  { "tripline-redact-card", "informational", {}, false },
  { "tripline-redact-password", "informational", {}, false },
  { "tripline-redact-bearer", "informational", {}, false },
  { "tripline-traffic-request", "informational", {}, true },
  { "tripline-web-timed-request", "informational", {}, true },
  { "tripline-web-slow-request", "informational", {}, true },
  { "tripline-web-sqli", "high", { "attack.initial_access", "attack.t1190" }, false },
  { "tripline-web-xss", "high", { "attack.initial_access", "attack.t1190" }, false },
  { "tripline-web-path-traversal", "high", { "attack.initial_access", "attack.t1190", "attack.credential_access", "attack.t1552.001" }, false },
  { "tripline-web-lfi-user-agent", "medium", { "attack.initial_access", "attack.t1190" }, false },
  { "tripline-scan-not-found", "informational", { "attack.reconnaissance", "attack.t1595.003" }, true },
  { "tripline-scan-sensitive-file", "high", { "attack.reconnaissance", "attack.t1595.003", "attack.credential_access", "attack.t1552.001" }, false },
  { "tripline-scan-scanner-user-agent", "medium", { "attack.reconnaissance", "attack.t1595.002" }, false },
  { "tripline-scan-dynamic-request", "informational", { "attack.reconnaissance", "attack.t1595" }, true },
  { "tripline-scan-dynamic-page", "informational", { "attack.reconnaissance", "attack.t1595" }, true },
}
local RULES = {}
for _, r in ipairs(RULE_LIST) do
  RULES[r[1]] = { level = LEVELS[r[2]], tags = r[3], silent = r[4] }
end

-- Correlations in pack order (the order the module evaluates them and lists
-- their alerts in). Times in milliseconds. `group`: the record value the
-- state is kept per ("c-ip", "cs-uri-stem", or none for the spike);
-- `field`: what a value_count counts or an anomaly measures.
local function corr(id, title, level, kind, rule, group, window, threshold, tags, extra)
  local c = { id = id, title = title, level = level, type = kind, rule = rule, group = group, window = window * 1000,
              threshold = threshold, cooldown = window * 1000, tags = tags, keys = {}, nkeys = 0 }
  if extra then for k, v in pairs(extra) do c[k] = v end end
  return c
end

local RECON_404, CREDS, INITIAL = { "attack.reconnaissance", "attack.t1595.003" }, { "attack.credential_access", "attack.t1110" }, { "attack.initial_access", "attack.t1190" }
local CORRELATIONS = {
  corr("tripline-http-404-burst", "Burst of 404 responses from one address", "medium", "event_count", "tripline-http-404", "c-ip", 600, 5, RECON_404),
  corr("tripline-http-401-burst", "Burst of 401 responses from one address", "medium", "event_count", "tripline-http-401", "c-ip", 600, 3, CREDS),
  corr("tripline-http-500-burst", "Burst of 500 responses from one address", "medium", "event_count", "tripline-http-500", "c-ip", 600, 5, INITIAL),
  corr("tripline-login-failure-burst", "Repeated failed logins from one address", "high", "event_count", "tripline-http-login-failure", "c-ip", 300, 5, { "attack.credential_access", "attack.t1110", "attack.t1110.004" }),
  corr("tripline-auth-failure-burst", "Repeated authentication failures", "high", "event_count", "tripline-auth-failure", "c-ip", 300, 5, CREDS),
  corr("tripline-rate-limit-burst", "Repeated rate-limit violations", "medium", "event_count", "tripline-rate-limited", "c-ip", 300, 3, { "attack.impact", "attack.t1499" }),
  corr("tripline-access-denied-burst", "Repeated access denied", "medium", "event_count", "tripline-access-denied", "c-ip", 300, 5, { "attack.discovery", "attack.t1083" }),
  corr("tripline-large-data-burst", "Repeated large data operations", "high", "event_count", "tripline-large-response", "c-ip", 600, 2, { "attack.collection", "attack.t1213", "attack.exfiltration", "attack.t1567" }),
  corr("tripline-suspicious-user-agent-burst", "Repeated requests with suspicious user agents", "medium", "event_count", "tripline-suspicious-user-agent", "c-ip", 900, 3, { "attack.reconnaissance", "attack.t1595" }),
  corr("tripline-traffic-spike", "Traffic spike", "medium", "spike", "tripline-traffic-request", nil, 60, 100, { "attack.impact", "attack.t1498", "attack.t1499" },
    { interval = 60000, baseline = 15, factor = 4, increase = 0 }),
  corr("tripline-web-response-time-anomaly", "Response-time anomaly", "medium", "anomaly", "tripline-web-timed-request", "cs-uri-stem", 3600, nil, { "attack.impact", "attack.t1499" },
    { zscore = 50, min_samples = 200, field = "time-taken" }),
  corr("tripline-web-slow-endpoint", "Slow endpoint", "medium", "event_count", "tripline-web-slow-request", "cs-uri-stem", 600, 5, { "attack.impact", "attack.t1499.003" }),
  corr("tripline-web-sqli-alert", "SQL injection attempt (alert)", "high", "event_count", "tripline-web-sqli", "c-ip", 300, 1, INITIAL),
  corr("tripline-web-xss-alert", "Cross-site scripting attempt (alert)", "high", "event_count", "tripline-web-xss", "c-ip", 300, 1, INITIAL),
  corr("tripline-web-path-traversal-alert", "Path traversal attempt (alert)", "high", "event_count", "tripline-web-path-traversal", "c-ip", 300, 1, INITIAL),
  corr("tripline-scan-many-404-paths", "Many distinct paths not found for one address", "high", "value_count", "tripline-scan-not-found", "c-ip", 600, 15, RECON_404, { field = "cs-uri-stem" }),
  corr("tripline-scan-sensitive-file-alert", "Sensitive file requested (alert)", "high", "event_count", "tripline-scan-sensitive-file", "c-ip", 600, 1,
    { "attack.reconnaissance", "attack.t1595.003", "attack.credential_access", "attack.t1552.001" }),
  corr("tripline-scan-scanner-user-agent-alert", "Security scanner (alert)", "medium", "event_count", "tripline-scan-scanner-user-agent", "c-ip", 900, 1, { "attack.reconnaissance", "attack.t1595.002" }),
  corr("tripline-scan-aggressive-crawl", "Aggressive crawling of dynamic pages", "medium", "event_count", "tripline-scan-dynamic-request", "c-ip", 60, 120, { "attack.reconnaissance", "attack.t1595", "attack.collection" }),
  corr("tripline-scan-crawl-burst", "Burst of distinct dynamic pages from one address", "medium", "value_count", "tripline-scan-dynamic-page", "c-ip", 10, 40, { "attack.reconnaissance", "attack.t1595", "attack.collection" },
    { field = "cs-uri", cooldown = 300000 }),
}

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
  local start = #s - #suffix + 1
  return start >= 1 and find(s, suffix, start, true) ~= nil
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
-- every expansion of the entry needs (a quote then an operator's first
-- letter, a keyword), tested first so a URL without it costs one find
-- instead of the whole list.
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

-- Every SQL injection pattern below (but the digit tautology) and most XSS
-- patterns need one of these bytes: whitespace, a quote, a bracket, an
-- operator or comment character. Ordinary URLs (letters, digits, / ? = & - .)
-- have none, so one find lets them skip the families.
local SPECIAL = "[%s'\"`();<>@%$%*|!\\#:%[{},]"

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
  { "['\"`]%)*%s*[oxad|&]", Q .. "%)*%s*((or|xor|and|div)[%s(]+|(%|%||&&)[%s(]*)(not%s+)?[%w_%$@%.'\"`%-]+%)*%s*" .. comparison("like|glob|regexp|rlike|is|in|between|sounds") },
  { "['\"`]%s*[oxa]", Q .. "%s*(or|xor|and)%s+%d+%s*[,@]", Q .. "%s*(or|xor|and)%s*%(" },
  { "['\"`%)]%s*[oxa]", "['\"`%)]%s*(or|xor|and)%s+[%w_]+%s*%(" },
  { "%f[%w_][oa][nr]d?%s", W .. "(or|and)%s+(isnull|ifnull|exists|ascii|substring|substr|length|sleep|benchmark|elt|char|ord|hex|mid|version|user|database|if)%s*%(" },
  { "%)%s*[oax]", "%)%s*(or|and|xor)%s*%(+%s*['\"%w_]+['\"]?%)*%s*([=<>]|!=)" },
  { "['\"]", "['\"]%s*[%-%^%*|/%%]%s*['\"]" },
  { "%|%|", "%|%|%s*[%d'\"(]" },
  { "char", W .. "char%s*%(%s*%d+%s*%)%s*(%+|%|%||,|%))" },
  { "order", W .. "order%s+by%s+%d+%s*($|&|%-%-|#|,|;|%)|/%*)",
    W .. "order%s+by%s+(if%s*%(|case%s+when" .. E .. "|%(%s*select" .. E .. "|sleep%s*%(|%d+%s*(%-%-|#|;))" },
  { "having", W .. "having%s+%d+%s*[=<>]",
    W .. "having%s+(count|sum|avg|min|max|length|ascii|substring)%s*%([%w_%*`'\"%.]*%)%s*([<>=!]|" .. W .. "(between|in|like)" .. E .. ")" },
  { "%f[%w_][oa][nr]d?%s", W .. "(or|and)%s+%(?%s*(a=a|b=b|c=c|x=x|y=y|z=z|1=1|0=0)" .. E },
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
  { "['\"`]%s*[oaxglr]", Q .. "%s*(or|and|xor)%s+(true|false|null)" .. E, Q .. "%s*(glob|like|rlike|regexp)%s+['\"%d(]" },
  -- a value that starts with a boolean operator: or 'a' <, xor 5-, or 88
  { "%f[%w_]x?or%s", "(^|[=(])%s*(or|xor)%s+[%w_%$@%.'\"%-]+%s*" .. comparison("like|glob|regexp|rlike|between|in|is"),
    "(^|[=(])%s*(or|xor)%s+%d+%s*(&|$)" },
  { "%f[%w_]and%s", "(^|[=(])%s*and%s+[%w_%$@%.'\"%-]+%s*" .. comparison("like|glob|regexp|rlike|between|in|is") },
  -- numeric tautologies (0=0 .. 9=9) are digit_tautology() below
  { "%s%d", W .. "(or|and|xor)%s+%d+%s*([=<>]|!=)%s*%d" },
  { "<=>", "%d%s*<=>%s*%d" },
  { "!=", W .. "%d+%s*!=%s*%d+" .. E },
  { "%snot%s", W .. "%d+%s+is%s+not%s+%d+" .. E },
  { "'", "'%s*=%s*'", "'%s*%)*%s*(%-%-|#|/%*)" },
  { "\"", "\"%s*%)*%s*(/%*|(%-%-|#)%s*($|&))" },
  { ";", Q .. "%s*%)*%s*;%s*($|&|%-%-|#|/%*|" .. SQL_STATEMENT .. E .. ")",
    "[%w_'\"%)]%s*;%s*(%-%-|/%*|#$)",
    ";%s*(select|insert|update|delete|drop|create|alter|truncate|replace|exec|execute|declare|shutdown|grant|revoke|rename|merge|call|waitfor|sleep)" .. E,
    W .. "(drop|truncate|delete)%s+[%w_%.`\"%[%]]+%s*;%s*($|&|%-%-|#|/%*)" },
  { "create", W .. "create%s+(or%s+replace%s+)?(function|procedure|trigger)%s+[%w_%.`\"]+%s*%(" },
  { "declare", W .. "declare%s+@" },
  { "/%*", "/%*%s*[!%+]" },
  { "%f[%w_][sbp][leg][en_]", W .. "(sleep|benchmark|pg_sleep)%s*%(%s*(['\"(%-]|/%*|[%d%.]+%s*([%)%+%-%*/%%%^,]|div" .. E .. "|mod" .. E .. ")|mod%s*%()" },
  { "case", W .. "case%s+when%s*(%(|[%w_'\"().=<>!@%-]+%s+then" .. E .. ")" },
  { "%f[%w_]if%s*%(", W .. "if%s*%(%s*[%w_'\"@%.]+%s*(=([^=]|$)|<>|!=([^=]|$)|<=>|" .. W .. "like" .. E .. ")" },
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
  if not find(s, SPECIAL) then return digit_tautology(s) end
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
  { "j%s*a%s*v", "j%s*a%s*v%s*a%s*s%s*c%s*r%s*i%s*p%s*t%s*:" },
  { "url%s*%(", W .. "url%s*%(%s*['\"]?%s*(javascript|vbscript|data%s*:)" },
  { "expression", ":%s*expression%s*%(" },
  { "behavior", W .. "behavior%s*:%s*url" },
  { "data%s*:", W .. "data%s*:%s*(,|text/html|text/javascript|application/(x%-)?javascript|image/svg)" },
  { "[%(`]", "[=;\"'`(){}>!|&,:%[]%s*" .. JS_CALLS .. "%s*(%(|`)",
    "['\"`]%s*[%-%+%*/%^%%~|&]%s*(alert|prompt|confirm|eval|settimeout|setinterval|fetch)%s*%(" },
  { "function", W .. "new%s+function%s*%(" },
  { "[,)]", "[=(,]%s*(alert|prompt|confirm|eval)%s*[,)]" },
  { "&[#l]", "(alert|prompt|confirm|eval)%s*(&lpar;|&#x0*28;?|&#0*40;?)" },
  { "%[", W .. "(top|self|parent|frames|globalthis)%s*%[%s*['\"`/%d]" },
  { "\\", "([a-z]\\(u00|x)[4-7][0-9a-f]|\\(u00|x)[4-7][0-9a-f][a-z])", "\\u00(4[1-9a-f]|5[0-9a]|6[1-9a-f]|7[0-9a]).?.?.?\\u00(4[1-9a-f]|5[0-9a]|6[1-9a-f]|7[0-9a])" },
  { "`", "%.%s*(call|apply|bind)%s*`" },
  { "%${", "%${%s*(alert|prompt|confirm|eval|top|self|window|this|document|navigation|parent|frames)" .. E },
}

-- The XSS patterns that can match without a SPECIAL byte (/onload=, ?formaction=, reflect.apply).
local XSS_PLAIN = family {
  { "on", "[%s\"'`/;(,<>%*]on[a-z][a-z][a-z]+%s*=" },
  { "[ncf]%s*=", W .. "(formaction|srcdoc|xlink:href)%s*=" },
  { "xmlns", W .. "xmlns(:[%w_]+)?%s*=" },
  { "reflect", W .. "reflect%s*%.%s*(apply|construct|get)" .. E },
}

local function xss(s)
  if family_match(s, XSS_PLAIN) then return true end
  if not find(s, SPECIAL) then return false end
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

-- The module's state, entry for entry (assembly/correlation/*): times in
-- milliseconds, cooldowns counted from the last alert of the key.
local SAMPLES, ADDRESSES, SAMPLE_BYTES, ANOMALY_WEIGHT_CAP = 3, 5, 40, 1000

-- Keeps v as the newest of a bounded list of distinct values (the module's
-- keepSample): cut to 39 bytes, not inside a UTF-8 sequence; a value seen
-- again moves to the newest place (so the list holds the values seen last);
-- when full the oldest makes room.
local function keep_sample(list, max, v)
  local n = #v
  if n > SAMPLE_BYTES - 1 then
    n = SAMPLE_BYTES - 1
    while n > 0 and byte(v, n + 1) >= 0x80 and byte(v, n + 1) < 0xc0 do n = n - 1 end
    v = sub(v, 1, n)
  end
  local count = #list
  for k = 1, count do
    if list[k] == v then
      for j = k, count - 1 do list[j] = list[j + 1] end
      list[count] = v
      return
    end
  end
  if count == max then
    for j = 1, count - 1 do list[j] = list[j + 1] end
    list[count] = v
  else
    list[count + 1] = v
  end
end

local function copy(list)
  local out = {}
  for k = 1, #list do out[k] = list[k] end
  return out
end

local function entry(c, key, t)
  local e = c.keys[key]
  if not e then
    e = {}
    c.keys[key] = e
    c.nkeys = c.nkeys + 1
  end
  e.newest = t
  return e
end

-- A fired outcome goes out unless the key alerted less than a cooldown ago.
local function cooled(c, e, t)
  if e.last_alert and t - e.last_alert < c.cooldown then return false end
  e.last_alert = t
  return true
end

-- event_count: the newest `threshold` event times per key, ascending (an
-- event older than all of a full list cannot complete a window).
local function event_count(c, e, t, address)
  local times = e.times
  if not times then
    times = {}
    e.times, e.addresses = times, {}
  end
  if address then keep_sample(e.addresses, ADDRESSES, address) end
  local need, count = c.threshold, #times
  if count == need then
    if t <= times[1] then return nil end
    table.remove(times, 1)
    count = count - 1
  end
  local i = count + 1
  while i > 1 and times[i - 1] > t do
    times[i] = times[i - 1]
    i = i - 1
  end
  times[i] = t
  count = count + 1
  if count < need then return nil end
  local oldest, newest = times[1], times[count]
  if newest - oldest >= c.window then return nil end
  if not cooled(c, e, t) then return nil end
  return { count = need, first = oldest, last = newest, addresses = copy(e.addresses) }
end

-- value_count: up to `threshold` (value, last seen) pairs live within the
-- window; fires when that many distinct values are live.
local function value_count(c, e, value, t)
  local values, seen = e.values, e.seen
  if not values then
    values, seen = {}, {}
    e.values, e.seen, e.samples = values, seen, {}
  end
  local count = #values
  -- Forget values last seen a full window before t (the last pair fills the gap).
  local k = 1
  while k <= count do
    if t - seen[k] >= c.window then
      values[k], seen[k] = values[count], seen[count]
      values[count], seen[count] = nil, nil
      count = count - 1
    else
      k = k + 1
    end
  end
  local known = false
  for j = 1, count do
    if values[j] == value then
      if t > seen[j] then seen[j] = t end
      known = true
      break
    end
  end
  if not known then
    local slot = count + 1
    if count == c.threshold then
      -- Full (an alert is cooling down): the least recently seen value makes room.
      slot = 1
      for j = 2, count do
        if seen[j] < seen[slot] then slot = j end
      end
    else
      count = count + 1
    end
    values[slot], seen[slot] = value, t
  end
  keep_sample(e.samples, SAMPLES, value)
  if count < c.threshold then return nil end
  local oldest = seen[1]
  for j = 2, count do
    if seen[j] < oldest then oldest = seen[j] end
  end
  if not cooled(c, e, t) then return nil end
  return { count = count, first = oldest, last = t, samples = copy(e.samples) }
end

-- spike: events per interval against the moving average of the previous
-- `baseline` intervals (quiet ones count as zero); fires once per spike,
-- and an interval closing back under the line raises a recovery.
local function spike_push(s, baseline, v)
  s.head = s.head % baseline + 1
  if s.filled == baseline then s.sum = s.sum - s.ring[s.head] else s.filled = s.filled + 1 end
  s.ring[s.head] = v
  s.sum = s.sum + v
end

local function spike_average(s)
  return s.filled == 0 and 0 or s.sum / s.filled
end

local function spike_close(c, s, index, count, t, out)
  local avg = spike_average(s)
  if s.in_spike and count <= avg * c.factor + c.increase then
    s.in_spike = false
    out = { status = "recovered", count = count, baseline = avg, first = index * c.interval, last = t }
  end
  spike_push(s, c.baseline, count)
  return out
end

local function spike(c, s, t)
  local bucket = floor(t / c.interval)
  local out
  if not s.bucket then
    s.bucket, s.count, s.ring, s.filled, s.head, s.sum, s.in_spike = bucket, 0, {}, 0, 0, 0, false
  elseif bucket > s.bucket then
    out = spike_close(c, s, s.bucket, s.count, t, out)
    local gap = bucket - s.bucket - 1
    if gap > c.baseline then gap = c.baseline end
    for k = 1, gap do out = spike_close(c, s, s.bucket + k, 0, t, out) end
    s.bucket = bucket
    s.count = 0
  end
  -- Events older than the current interval count in it (the module's approximation).
  s.count = s.count + 1
  if out then return out end -- a recovery always goes out: it closes a report already made
  local avg = spike_average(s)
  if s.filled == c.baseline and not s.in_spike and s.count >= c.threshold and s.count > avg * c.factor + c.increase then
    s.in_spike = true
    if not cooled(c, s, t) then return nil end
    -- a late event counts in the current interval, whose start `first` is; `last` never goes before it
    local first = s.bucket * c.interval
    return { count = s.count, baseline = avg, first = first, last = t > first and t or first }
  end
  return nil
end

-- anomaly: z-score against the key's running mean and population deviation
-- (exact for the first 1000 samples, then each weighs 1/1000 so the
-- baseline follows drift); the sample joins the baseline either way.
local function anomaly(c, e, x, t)
  if not e.n then e.n, e.mean, e.variance = 0, 0, 0 end
  local mean, variance = e.mean, e.variance
  local out
  if e.n >= c.min_samples then
    local deviation = sqrt(variance)
    local score = deviation > 0 and abs(x - mean) / deviation or 0
    if deviation > 0 and score >= c.zscore then
      out = { count = x, baseline = mean, deviation = deviation, score = score, first = t, last = t }
    end
  end
  if e.n < ANOMALY_WEIGHT_CAP then e.n = e.n + 1 end
  local alpha = 1 / e.n
  local delta = x - mean
  e.mean = mean + alpha * delta
  e.variance = (1 - alpha) * (variance + alpha * delta * delta)
  if out and not cooled(c, e, t) then return nil end
  return out
end

local seen_records = 0

-- Drops keys idle for longer than their correlation's window and cooldown
-- (an anomaly baseline is kept a day, the spike's single line for good).
local function prune(now)
  for _, c in ipairs(CORRELATIONS) do
    local keep = c.window > c.cooldown and c.window or c.cooldown
    if c.type == "anomaly" then keep = 86400000 end
    if c.type == "spike" then keep = math.huge end
    for k, e in pairs(c.keys) do
      if now - e.newest > keep then
        c.keys[k] = nil
        c.nkeys = c.nkeys - 1
      end
    end
  end
end

---------------------------------------------------------------- output

local LEVEL_NAMES = { [0] = "informational", "low", "medium", "high", "critical" }
local ROUTE_FIELDS = { "tripline_alert", "tripline_alert_2", "tripline_alert_3", "tripline_alert_4" }

local function iso(ms)
  local s = floor(ms / 1000)
  return os.date("!%Y-%m-%dT%H:%M:%S", s) .. string.format(".%03dZ", ms - s * 1000)
end

-- Numbers as the module writes them: whole ones exact, others to 6 decimals.
local function decimal(v)
  if v ~= v or v == math.huge or v == -math.huge or v == floor(v) then return v end
  local sign = v < 0 and -1 or 1
  v = abs(v)
  local whole = floor(v)
  return sign * (whole + floor((v - whole) * 1e6 + 0.5) / 1e6)
end

-- One alert as the module writes it (assembly/output/writer.ts).
local function alert_object(c, r, key)
  local a = { rule = c.id, title = c.title, level = c.level, type = c.type, status = r.status or "fired", route = c.id, tags = c.tags }
  if c.group then
    a.group = { [c.group] = key }
    a.key = key
  else
    a.group = {}
    a.key = ""
  end
  if c.type == "spike" then
    a.observed, a.baseline, a.factor, a.interval = decimal(r.count), decimal(r.baseline), c.factor, c.interval / 1000
    if c.increase ~= 0 then a.increase = c.increase end
  elseif c.type == "anomaly" then
    a.observed, a.mean, a.stddev, a.zscore, a.threshold, a.field = decimal(r.count), decimal(r.baseline), decimal(r.deviation), decimal(r.score), c.zscore, c.field
  else
    a.count, a.threshold = r.count, c.threshold
    if c.field then a.field = c.field end
  end
  if c.type ~= "spike" then a.window = c.window / 1000 end
  a.first, a.last = iso(r.first), iso(r.last)
  if r.samples and #r.samples > 0 then a.samples = r.samples end
  if r.addresses and #r.addresses > 0 then a.addresses = r.addresses end
  return a
end

---------------------------------------------------------------- the filter

-- The rules a record matched (module-level scratch, reset per record).
local matched

local function hit(id)
  if not matched then matched = {} end
  matched[id] = true
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

-- cs-user-agent|contains of tripline-web-lfi-user-agent
local LFI_AGENT = { "/etc/", "/proc/", "/root/", ".ssh/", ".aws/", "../", "..\\", "win.ini" }

-- Several literal lists searched in one pass over a value: an index from
-- each literal's first two bytes (one byte for a one-byte literal) to the
-- literal and the flag of its list. The scan returns the flags of the lists
-- with a literal in the value; one walk of the value replaces a string.find
-- per literal.
local bor, band = bit.bor, bit.band

local function literal_index(lists)
  local index = {}
  for flag, list in pairs(lists) do
    for _, lit in ipairs(list) do
      local key = #lit == 1 and -byte(lit) or byte(lit, 1) * 256 + byte(lit, 2)
      local bucket = index[key]
      if not bucket then
        bucket = {}
        index[key] = bucket
      end
      bucket[#bucket + 1] = { lit, flag, #lit }
    end
  end
  return index
end

local function bucket_flags(s, i, bucket, flags)
  for k = 1, #bucket do
    local e = bucket[k]
    local lit, flag, len = e[1], e[2], e[3]
    if band(flags, flag) == 0 then
      local j = 3
      while j <= len and byte(s, i + j - 1) == byte(lit, j) do j = j + 1 end
      if j > len then flags = bor(flags, flag) end
    end
  end
  return flags
end

local function literal_flags(s, index)
  local flags = 0
  local b2 = byte(s, 1)
  for i = 1, #s do
    local b1 = b2
    b2 = byte(s, i + 1)
    local one = index[-b1]
    if one then
      for k = 1, #one do flags = bor(flags, one[k][2]) end
    end
    if b2 then
      local bucket = index[b1 * 256 + b2]
      if bucket then flags = bucket_flags(s, i, bucket, flags) end
    end
  end
  return flags
end

-- The flags of a URL field, as logged or decoded.
local function uri_flags(p, pd, index)
  local flags = literal_flags(p, index)
  if pd ~= nil then flags = bor(flags, literal_flags(pd, index)) end
  return flags
end

-- cs-uri lists (tested on the target), cs-uri-stem lists, cs-user-agent lists.
local SQLI_WORD, XSS_WORD, TRAVERSAL_WORD, DYNAMIC_WORD = 1, 2, 4, 8
local URI_LITERALS = literal_index { [SQLI_WORD] = SQLI_CATALOGUE, [XSS_WORD] = XSS_MARKUP, [TRAVERSAL_WORD] = TRAVERSAL_WORDS, [DYNAMIC_WORD] = DYNAMIC }
local SENSITIVE_WORD = 1
local STEM_LITERALS = literal_index { [SENSITIVE_WORD] = SENSITIVE_NAMES }
local TOOL_WORD, SCANNER_WORD, LFI_WORD = 1, 2, 4
local AGENT_LITERALS = literal_index { [TOOL_WORD] = TOOL_AGENTS, [SCANNER_WORD] = SCANNER_AGENTS, [LFI_WORD] = LFI_AGENT }

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


local function has_password_param(s)
  return find(s, "password=", 1, true) or find(s, "passwd=", 1, true) or find(s, "pwd=", 1, true)
end

-- c-ip: client_ip, remote, ip or src_ip. apache2's `host` is the client
-- address (nginx's is the ident column, syslog's the host name): read as
-- one when the record has apache2's shape (host and code, no remote).
local function client_address(record)
  if record.client_ip == nil and record.host ~= nil and record.code ~= nil and record.remote == nil then return record.host end
  return record.client_ip or record.remote or record.ip or record.src_ip
end

-- Event time in milliseconds, truncated like the module's sec * 1000 + nsec / 1e6
-- (a number timestamp is rounded within a microsecond first).
local function event_ms(timestamp)
  if type(timestamp) == "table" then return timestamp.sec * 1000 + floor(timestamp.nsec / 1e6) end
  return floor(timestamp * 1000 + 0.001)
end

-- The access-record rules; returns whether card numbers and passwords are worth masking.
local function access_rules(record, path, msg, status)
  local p, pd = uri_forms(path)
  -- cs-uri-stem and cs-uri-query, cut from the target as logged, then each in its two forms
  local stem, query = uri_parts(path)
  local st, std = p, pd
  if stem ~= path then st, std = uri_forms(stem) end
  local qr, qd
  if query then qr, qd = uri_forms(query) end
  local agent = lower(record.user_agent or record.agent or "")
  local uri_words = uri_flags(p, pd, URI_LITERALS)
  local agent_words = literal_flags(agent, AGENT_LITERALS)
  local method = record.method and lower(record.method) or ""
  local referer = record.referer
  status = status and tostring(status) or ""

  hit("tripline-traffic-request")

  if status == "404" then
    if not uri_contains(st, std, BROWSER_PROBES) then
      hit("tripline-http-404")
    end
    hit("tripline-scan-not-found")
  elseif status == "401" then
    hit("tripline-http-401")
  elseif status == "500" then
    hit("tripline-http-500")
  end

  if method == "post" and (status == "401" or status == "403") and uri_contains(st, std, LOGIN_ENDPOINTS) then
    hit("tripline-http-login-failure")
  end

  if status == "429" or (msg and contains_any(lower(msg), RATE_WORDS)) then
    hit("tripline-rate-limited")
  end
  if status == "403" or (msg and contains_any(lower(msg), DENIED_WORDS)) then
    hit("tripline-access-denied")
  end

  local size = tonumber(record.size)
  if size and size > 10485760 and not uri_contains(st, std, STATIC_DOWNLOADS) then
    hit("tripline-large-response")
  end

  if band(agent_words, TOOL_WORD) ~= 0 or agent == "-" or agent == "" then
    hit("tripline-suspicious-user-agent")
  end

  -- The attack grammars, on the URL as logged and decoded.
  if band(uri_words, SQLI_WORD) ~= 0 or uri_test(sqli, p, pd) then
    hit("tripline-web-sqli")
  end
  if band(uri_words, XSS_WORD) ~= 0 or uri_test(xss, p, pd) then
    hit("tripline-web-xss")
  end
  if band(uri_words, TRAVERSAL_WORD) ~= 0 or uri_test(system_path, p, pd) or (qr ~= nil and uri_test(dump_in_parameter, qr, qd)) then
    hit("tripline-web-path-traversal")
  end
  if band(agent_words, LFI_WORD) ~= 0 then hit("tripline-web-lfi-user-agent") end

  if band(uri_flags(st, std, STEM_LITERALS), SENSITIVE_WORD) ~= 0 or uri_ends_with(st, std, SENSITIVE_ENDINGS) or uri_test(backup_archive, st, std) then
    hit("tripline-scan-sensitive-file")
  end

  if band(agent_words, SCANNER_WORD) ~= 0 then
    hit("tripline-scan-scanner-user-agent")
  end

  if band(uri_words, DYNAMIC_WORD) ~= 0 then
    hit("tripline-scan-dynamic-request")
    if not uri_ends_with(st, std, ASSET_ENDINGS) then
      hit("tripline-scan-dynamic-page")
    end
  end

  -- time-taken: timed when present (the anomaly skips values that are not numbers), slow when > 5
  if record.response_time ~= nil then
    if not uri_test(static_asset, st, std) then hit("tripline-web-timed-request") end
    local rt = tonumber(record.response_time)
    if rt and rt > 5 then hit("tripline-web-slow-request") end
  end

  -- Redaction on the URL fields (card numbers, password= values).
  local redact_card, redact_password
  if card_shaped(path) or (pd and card_shaped(pd)) or (referer and (card_shaped(referer) or card_shaped(url_decode(referer) or ""))) then
    redact_card = true
  end
  if has_password_param(p) or (pd and has_password_param(pd)) or (referer and has_password_param(lower(referer))) then
    redact_password = true
  end
  return redact_card, redact_password
end

-- The '@message' rules (message / log / msg); returns whether card numbers,
-- passwords and bearer tokens are worth masking.
local function message_rules(msg, access)
  local redact_card, redact_password, redact_bearer
  -- Keyword rules that apply to any record with a message.
  local m = lower(msg)
  if contains_any(m, AUTH_WORDS) and not contains_any(m, AUTH_REPEATED) then
    hit("tripline-auth-failure")
  end
  if not access then
    if contains_any(m, RATE_WORDS) then
      hit("tripline-rate-limited")
    end
    if contains_any(m, DENIED_WORDS) then
      hit("tripline-access-denied")
    end
  end
  if card_shaped(msg) then redact_card = true end
  if find(m, "password[\"' ]*[=:]") or find(m, "passwd[\"' ]*[=:]") then redact_password = true end
  if find(m, "bearer ", 1, true) then redact_bearer = true end
  return redact_card, redact_password, redact_bearer
end

-- Masks, on the fields the pack names: path and referer (card, password),
-- message and log (card, password, bearer). A redaction rule counts as
-- matched only where it masked something (a card-shaped number failing
-- the Luhn check is left alone, untagged).
local function apply_masks(record, redact_card, redact_password, redact_bearer)
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

-- Correlations, in pack order, see the record as it leaves (redacted).
local function correlate(record, path, ip, t)
  local alerts
  local stem_out, path_out
  if path then
    path_out = record.path
    stem_out = uri_parts(path_out)
  end
  for i = 1, #CORRELATIONS do
    local c = CORRELATIONS[i]
    if matched[c.rule] then
      local key = ""
      if c.group == "c-ip" then key = ip elseif c.group == "cs-uri-stem" then key = stem_out end
      local r
      if key == nil then
        -- no value to group by: not counted (the module counts it as missing_key)
      elseif c.type == "event_count" then
        r = event_count(c, entry(c, key, t), t, ip)
      elseif c.type == "value_count" then
        r = value_count(c, entry(c, key, t), c.field == "cs-uri" and path_out or stem_out, t)
      elseif c.type == "spike" then
        r = spike(c, entry(c, key, t), t)
      else
        local x = tonumber(record.response_time)
        if x then r = anomaly(c, entry(c, key, t), x, t) end
      end
      if r then
        if not alerts then alerts = {} end
        alerts[#alerts + 1] = alert_object(c, r, key)
      end
    end
  end
  return alerts
end

-- Listed: every matched rule beside an alert, else the non-silent ones, in
-- pack order. Returns false when only silent rules matched.
local function write_output(record, alerts)
  local ids, tags, tag_seen, level
  for i = 1, #RULE_LIST do
    local id = RULE_LIST[i][1]
    local r = matched[id] and RULES[id]
    if r and (alerts or not r.silent) then
      if not ids then ids, tags, tag_seen, level = {}, {}, {}, 0 end
      ids[#ids + 1] = id
      if r.level > level then level = r.level end
      for _, tg in ipairs(r.tags) do
        if not tag_seen[tg] then tag_seen[tg] = true; tags[#tags + 1] = tg end
      end
    end
  end
  if not ids then return false end

  if alerts then
    for k = 1, #alerts do
      local lv = LEVELS[alerts[k].level]
      if lv > level then level = lv end
      if k <= #ROUTE_FIELDS then record[ROUTE_FIELDS[k]] = alerts[k].route end
    end
  end
  record.tripline = { rules = ids, level = LEVEL_NAMES[level], tags = tags, alerts = alerts }
  return true
end

function tripline(tag, timestamp, record)
  local t = event_ms(timestamp)
  seen_records = seen_records + 1
  if seen_records % 10000 == 0 then prune(t) end
  matched = nil

  -- The pack's field names: cs-uri = path, @message = message / log / msg, sc-status = status / code.
  local path = record.path
  local msg = record.message or record.log or record.msg
  local ip = client_address(record)
  local status = record.status or record.code
  if type(path) ~= "string" then path = nil end
  if ip ~= nil then ip = tostring(ip) end

  local card, password, bearer
  if path then card, password = access_rules(record, path, msg, status) end
  if msg then
    local mcard, mpassword
    mcard, mpassword, bearer = message_rules(msg, path ~= nil)
    card, password = card or mcard, password or mpassword
  end
  if card or password or bearer then apply_masks(record, card, password, bearer) end
  if not matched then return 0, timestamp, record end

  -- Only silent rules matched (every request is at least tripline-traffic-request):
  -- the module leaves such a record as it is, so does this script (code 0, no re-encoding).
  if not write_output(record, correlate(record, path, ip, t)) then return 0, timestamp, record end
  return 1, timestamp, record
end

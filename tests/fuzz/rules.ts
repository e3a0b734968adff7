// The rule set the fuzz harness runs: every predicate kind (string with and
// without wildcards, cased, regex, cidr v4/v6, numeric, exists true/false,
// keywords), `not`, a tag glob, a redact rule, a drop rule, and an event_count correlation
// fed by a silent rule, so both the pass-through and the write paths (tag,
// alert, drop) are hit by generated records.

export const FUZZ_RULES = `
title: Path traversal
id: fz-traversal
level: high
tags: [attack.t1083]
logsource: {category: webserver}
detection:
  sel:
    cs-uri-query|contains:
      - '../'
      - '..\\'
      - '/etc/passwd'
  condition: sel
---
title: SQL injection
id: fz-sqli
level: critical
tags: [attack.t1190, attack.initial_access]
logsource: {category: webserver}
detection:
  sel:
    cs-uri-query|re|i: "(?:union\\\\s+(?:all\\\\s+)?select|sleep\\\\(\\\\s*\\\\d+\\\\s*\\\\)|'\\\\s*or\\\\s+'?\\\\d+'?\\\\s*=)"
  condition: sel
---
title: Scanner user agent
id: fz-scanner
level: medium
tags: [attack.t1595]
logsource: {category: webserver}
detection:
  sel:
    - cs-user-agent|startswith: [sqlmap, nikto, masscan]
    - cs-user-agent|endswith: 'zgrab/0.x'
  condition: sel
---
title: WordPress login probe
id: fz-wp
level: low
tags: [attack.t1110]
logsource: {category: webserver}
detection:
  sel:
    cs-uri-stem: '*/wp-login.ph?'
  condition: sel
---
title: Admin from an internal network
id: fz-internal-admin
level: high
tags: [attack.t1078]
logsource: {category: webserver}
detection:
  net:
    c-ip|cidr: ['10.0.0.0/8', '2001:db8::/32']
  admin:
    cs-uri-stem|startswith: '/admin'
  condition: net and admin
---
title: Large response to an outside client
id: fz-big
level: low
tags: [attack.t1030]
logsource: {category: webserver}
detection:
  big:
    sc-bytes|gt: 1000000
  inside:
    c-ip|cidr: 10.0.0.0/8
  condition: big and not inside
---
title: Slow request
id: fz-slow
level: informational
logsource: {category: webserver}
detection:
  sel:
    time-taken|gte: 5000
  condition: sel
---
title: Traced with a cased method
id: fz-trace
level: medium
logsource: {category: webserver}
detection:
  sel:
    cs-method|cased: TRACE
  condition: sel
---
title: POST without a user agent
id: fz-post-no-agent
level: low
logsource: {category: webserver}
detection:
  post:
    cs-method: POST
  agent:
    cs-user-agent|exists: true
  condition: post and not agent
---
title: Script in a raw line
id: fz-xss-raw
level: medium
tags: [attack.t1059]
logsource:
  tag: 'web.*'
detection:
  keywords:
    - '<script'
    - 'javascript:'
  condition: keywords
---
title: Secrets in a request or a line
id: fz-redact
level: informational
detection:
  sel:
    - cs-uri|re|i: '(password|passwd|pwd)='
    - cs-referer|re: '[0-9]([ -]?[0-9]){12,18}'
    - log|contains: 'bearer '
  condition: sel
tripline:
  action: redact
  redact:
    - {field: path, kind: password}
    - {field: path, kind: card}
    - {field: referer, kind: card}
    - {field: log, kind: bearer}
    - {field: log, kind: card}
---
title: Health checks
id: fz-drop-health
level: informational
logsource: {category: webserver}
detection:
  sel:
    cs-uri-stem: /healthz
  condition: sel
tripline:
  action: drop
---
title: Not found
id: fz-404
name: not_found
level: low
logsource: {category: webserver}
detection:
  sel:
    sc-status: 404
  condition: sel
---
title: Many not-found responses from one client
id: fz-404-burst
level: high
tags: [attack.t1595.003]
correlation:
  type: event_count
  rules: [not_found]
  group-by: [c-ip]
  timespan: 1m
  condition: {gte: 5}
`;

/** Tags the generators use; `web.*` rules see the first kind only. */
export const TAGS = ["web.access", "web.access", "web.access", "app.log"];

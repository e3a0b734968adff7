// The rule set the fuzz harness runs: every predicate kind (string with and
// without wildcards, cased, regex, cidr v4/v6, numeric, exists true/false,
// keywords), `not`, a tag glob, a redact rule, a drop rule, rules on the
// fields read out of raw lines (sshd, sudo, error logs), and correlations of
// all seven types: event_count (one rule, and several rules one record may
// all match), value_count, temporal, temporal_ordered, spike (with and
// without group-by, with `increase`), anomaly and percentile, with default,
// zero and explicit cooldowns, fed by silent and generating rules. Route
// names use only A-Z a-z 0-9 . - (the reduction of other characters is not
// specified exactly).

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
title: Any request
id: fz-request
name: any-request
level: informational
logsource: {category: webserver}
detection:
  sel:
    cs-method|exists: true
  condition: sel
---
title: Timed request
id: fz-timed
level: informational
logsource: {category: webserver}
detection:
  sel:
    time-taken|exists: true
  condition: sel
---
title: SSH authentication failure
id: fz-ssh-fail
level: low
tags: [attack.t1110]
logsource: {product: linux, service: sshd}
detection:
  failed:
    auth_result: failure
  invalid:
    auth_result: invalid_user
  condition: failed or invalid
---
title: SSH login
id: fz-ssh-ok
level: informational
logsource: {service: auth}
detection:
  sel:
    auth_result: success
    auth_method|contains: pass
  condition: sel
---
title: Sudo
id: fz-sudo
level: low
logsource: {product: linux}
detection:
  sel:
    event_type: sudo
    auth_user|startswith: [alice, root]
  condition: sel
---
title: Web server error for a user
id: fz-error-user
level: medium
logsource: {product: json}
detection:
  code:
    error_code|startswith: AH0
  user:
    user|exists: true
  level:
    level|contains: error
  condition: level and (code or user)
---
title: Many not-found responses from one client
id: fz-404-burst
name: burst-404
level: high
tags: [attack.t1595.003]
correlation:
  type: event_count
  rules: [not_found]
  group-by: [c-ip]
  timespan: 1m
  condition: {gte: 5}
---
title: Probing from one client
id: fz-probe-burst
level: medium
correlation:
  type: event_count
  rules: [not_found, fz-wp, fz-traversal]
  group-by: [c-ip]
  timespan: 30s
  condition: {gt: 3}
  cooldown: 0s
  generate: true
---
title: SSH brute force
id: fz-ssh-brute
name: ssh.brute
level: high
tags: [attack.credential_access, attack.t1110.001]
correlation:
  type: event_count
  rules: [fz-ssh-fail]
  group-by: [c-ip]
  timespan: 2m
  condition: {gte: 3}
  cooldown: 30s
  generate: true
---
title: Many user agents from one client
id: fz-agents
level: low
correlation:
  type: value_count
  rules: [any-request]
  group-by: [c-ip]
  timespan: 2m
  condition: {field: cs-user-agent, gte: 3}
---
title: Scanner then injection
id: fz-scan-sqli
level: critical
tags: [attack.t1190]
correlation:
  type: temporal
  rules: [fz-scanner, fz-sqli]
  group-by: [c-ip]
  timespan: 2m
  cooldown: 0s
  generate: true
---
title: Failures then a login
id: fz-fail-then-ok
level: high
correlation:
  type: temporal_ordered
  rules: [fz-ssh-fail, fz-ssh-ok]
  group-by: [c-ip]
  timespan: 5m
  generate: true
---
title: WordPress probe then traversal
id: fz-wp-then-traversal
level: high
correlation:
  type: temporal_ordered
  rules: [fz-wp, fz-traversal]
  group-by: [c-ip]
  timespan: 1m
  cooldown: 0s
  generate: true
---
title: Traffic spike
id: fz-spike
level: medium
correlation:
  type: spike
  rules: [any-request]
  timespan: 10s
  spike: {interval: 10s, baseline: 3, factor: 2, min_count: 6}
---
title: Client spike
id: fz-client-spike
level: low
correlation:
  type: spike
  rules: [any-request, fz-ssh-fail]
  group-by: [c-ip]
  timespan: 20s
  spike: {interval: 20s, baseline: 2, factor: 1, increase: 2, min_count: 3}
---
title: Slow request for its method
id: fz-slow-anomaly
level: medium
correlation:
  type: anomaly
  rules: [fz-timed]
  group-by: [cs-method]
  timespan: 1h
  anomaly: {field: time-taken, zscore: 2.5, min_samples: 5}
---
title: Slow method
id: fz-slow-p90
level: medium
correlation:
  type: percentile
  rules: [fz-timed]
  group-by: [cs-method]
  timespan: 30s
  percentile: {field: time-taken, quantile: 90, interval: 30s, limit: 800, min_count: 3}
`;

/** Tags the generators use; `web.*` rules see the first kind only. */
export const TAGS = ["web.access", "web.access", "web.access", "app.log"];

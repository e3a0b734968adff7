// The part of the default pack Fluent Bit's grep filter can express: one
// case-insensitive regex per field (the pack's literals and regexes for the
// request path and the user agent, and the status codes its rules look at),
// combined with Logical_Op or. No URL decoding, no AND/NOT conditions, no
// correlations, no tagging: grep keeps matching records and drops the rest.
import { readFileSync } from "node:fs";
import { parseWith } from "../../src/logs/parsers.js";

const escape = (s: string) => s.replace(/[\\^$.|?*+()[\]{}]/g, "\\$&");

const PATH_LITERALS = [
  // web-attacks.yml: SQL keywords, XSS, traversal
  "information_schema", "@@version", "sleep(", "benchmark(", "waitfor delay", "pg_sleep", "xp_cmdshell", "load_file(",
  "into outfile", "into dumpfile", "extractvalue(", "updatexml(", "dbms_pipe.receive_message",
  "<script", "</script", "%3cscript", "<iframe", "<svg", "<img", "<body", "javascript:", "vbscript:", "onerror=",
  "onload=", "onmouseover=", "onfocus=", "document.cookie", "document.domain", "string.fromcharcode", "alert(",
  "../", "..\\", "..%2f", "..%5c", "%2e%2e", "..;/", "/etc/passwd", "/etc/shadow", "/proc/self/", "c:\\windows\\", "win.ini", "boot.ini",
  // web-scanning.yml: sensitive files
  "/.env", "/.git/", "/.gitconfig", "/.svn/", "/.hg/", "/.ds_store", "/.htpasswd", "/.htaccess", "/.aws/", "/.ssh/",
  "/.npmrc", "/.pgpass", "/.bash_history", "/.docker/config.json", "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519",
  "wp-config.php.", "wp-config.php~", "wp-config.txt", "credentials.json", "credentials.txt", "credentials.yml",
  "credentials.xml", "/phpinfo.php", "/info.php",
];
const PATH_ENDINGS = ["/.git", "/credentials", ".bak", ".old", ".orig", ".save", ".swp", "~", ".sql", ".sql.gz", ".sql.zip", ".sqlite", ".mdb"];
const PATH_REGEXES = [
  "union\\s+(all\\s+)?select",
  "[\\s'\"(](or|and)\\s+['\"]?[0-9]+['\"]?\\s*=\\s*['\"]?[0-9]+",
  "'\\s*(or|and)\\s*'[^']*'\\s*=\\s*'",
  "'\\s*(--|#|/\\*)",
  "order\\s+by\\s+[0-9]+\\s*(--|#)",
  "/(backup|backups|bak|db|dump|database|site|www|web|wwwroot|html|htdocs|public_html|old|archive)[^/]*\\.(zip|rar|7z|tar|tgz|tar\\.gz|gz)$",
  // redaction.yml: password parameters
  "(password|passwd|pwd)=",
];
const AGENT_LITERALS = [
  "sqlmap", "nikto", "nmap scripting engine", "nmap.org", "masscan", "zgrab", "nuclei", "dirbuster", "gobuster", "dirb/",
  "(dirb)", "ffuf", "fuzz faster u fool", "feroxbuster", "wfuzz", "wpscan", "joomscan", "whatweb", "acunetix", "netsparker",
  "nessus", "openvas", "arachni", "skipfish", "w3af", "zmeu", "hydra", "commix", "jaeles", "morfeus",
  "curl/", "wget/", "python-requests", "python-urllib", "python-httpx", "aiohttp", "go-http-client", "libwww-perl",
  "lwp::simple", "java/", "apache-httpclient", "scrapy", "node-fetch", "windowspowershell", "winhttp", "ruby", "httpie",
];

/** [record key, Onigmo regex] pairs for `Regex key regex` lines. */
export function grepRules(): [string, string][] {
  const path = [...PATH_LITERALS.map(escape), ...PATH_ENDINGS.map((e) => `${escape(e)}$`), ...PATH_REGEXES].join("|");
  const agent = [...AGENT_LITERALS.map(escape), "^-?$"].join("|");
  return [
    ["path", `(?i)(${path})`],
    ["agent", `(?i)(${agent})`],
    ["code", "^(401|403|404|429|500)$"],
  ];
}

/** How many lines of `file` the grep rules keep (JS regexes; same patterns). */
export function grepKept(file: string, rules: [string, string][]): number {
  const compiled = rules.map(([k, r]) => [k, new RegExp(r.replace(/^\(\?i\)/, ""), r.startsWith("(?i)") ? "i" : "")] as const);
  let kept = 0;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line) continue;
    const p = parseWith("apache2", line, 2026);
    if (!p) continue;
    if (compiled.some(([k, re]) => typeof p.body[k] === "string" && re.test(p.body[k] as string))) kept++;
  }
  return kept;
}

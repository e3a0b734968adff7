// Help texts, one per subcommand.
export const HELP: Record<string, string> = {
  main: `tripline - log detection inside Fluent Bit

Usage: tripline <command> [options]

Commands:
  test     replay log files through the filter and show matches and alerts
  explain  show what the filter sees in one log line and what it does with it
  build    compile rules into the WebAssembly module Fluent Bit loads
  check    validate rule files without building
  config   print the Fluent Bit configuration for the built module
  notify   receive alerts from Fluent Bit and deliver them by e-mail and webhooks

Run 'tripline <command> --help' for the options of each command.`,

  test: `Usage: tripline test [options] FILE...
       tripline test --suite PATH...

Replays log files through the filter, exactly as Fluent Bit would call it,
using each line's own timestamp. No Fluent Bit is needed.

Input lines are JSON records (JSON lines) or raw lines, which reach the
filter as {"log": "<line>"} like tail without a parser does.

Options:
  -r, --rules PATH     rule file or folder (repeatable; default: the bundled pack)
  -p, --parser NAME    parse lines as Fluent Bit's stock parser would:
                       apache2, nginx, syslog, syslog-rfc3164, syslog-rfc5424, json
      --wasm FILE      replay through a built module instead of compiling rules
      --fields FILE    field mapping override (YAML)
      --tag TAG        the Fluent Bit tag records carry (default: logs)
      --year YEAR      year for syslog times that carry none (default: this year)
      --json           machine-readable output
      --alerts-only    print only the alerts
      --records        print every output record (tags, redacted text) as it leaves
      --fail-on-alert  exit 1 when any alert fires (for CI)
      --suite PATH     run rule test suites (*.suite.yml files or folders)
      --update         with --suite: write the alerts and matches that happen
                       into each failing suite as its expectations
      --coverage       with --suite: list the rules no suite matches or alerts on
      --namespace NAME, --max-keys N, --lateness S, --stats-interval S, --seed N
                       as for 'tripline build'
  -h, --help           show this help

FILE may be a folder (walked recursively), a .gz file, a pipe such as
<(zcat old.log.gz), or - for standard input. Files that are not logs are
skipped, with one line saying so: by name (configs, code, modules,
documents), binaries (NUL bytes), and in folders pipes, sockets and files
where none of the first lines reads as access, syslog or JSON. Several
files are merged into one stream in event-time order, as Fluent Bit would
see them live.

The summary gives, per file, the lines read and what the module read them
as (access, error, syslog, json, unknown), the records matched and the
alerts; then matches per rule, alerts per rule and the alerts themselves.
Exit status: 0, or 1 when a record was lost (or with --fail-on-alert, when
an alert fired), 2 for a usage mistake. NO_COLOR turns colour off.`,

  explain: `Usage: tripline explain [options] 'LOG LINE'
       tripline explain [options] FILE:LINE
       tripline explain [options] --grep TEXT FILE

Shows what the filter sees in one record and what it does with it: the
format it was read as, every field with its value (decoded, as matched),
each test that held (with its selection and file:line:column), the rules
that matched (also those that only feed a correlation, generate: false),
near misses (rules some of whose tests held, with the first part of the
condition that failed), and each correlation the record feeds: its state
for the record's key before the record (count/threshold/window) and whether
this record raised an alert. With FILE:LINE and --grep the lines before are
replayed first, so windows hold what they would hold live.

Options:
  -r, --rules PATH     rule file or folder (repeatable; default: the bundled pack)
  -p, --parser NAME    parse lines as Fluent Bit's stock parser would (as for test)
      --grep TEXT      explain the lines of FILE that contain TEXT (at most 20)
      --rule ID        also say why this rule did not match when none of its
                       tests held (repeatable)
      --tag TAG        the Fluent Bit tag records carry (default: logs)
      --year YEAR      year for syslog times that carry none
      --json           machine-readable output
      --fields FILE, --namespace NAME, ...
                       as for 'tripline build'
  -h, --help           show this help`,

  build: `Usage: tripline build [options] [RULES...]

Compiles rule files and folders (default: the bundled pack) into one
self-contained WebAssembly module for Fluent Bit's wasm filter. Warnings
(as for 'tripline check') go to stderr and do not stop the build.

Options:
  -o, --out FILE         where to write the module (default: tripline.wasm)
      --fields FILE      field mapping override (YAML)
      --namespace NAME   key of the object added to matching records (default: tripline)
      --max-keys N       group keys kept per correlation (default: 10000)
      --lateness SECONDS how late an event may arrive and still count (default: 60)
      --stats-interval SECONDS
                         event time between statistics records (default: 300; 0: off)
      --seed N           seed of the hashes that keep group keys and value_count's
                         distinct values (default: derived from the rules, so
                         builds repeat; set one per deployment to keep it private)
      --shards N         a fleet of N aggregators: edges note which one owns each
                         correlation key; see 'tripline config --role'
      --aot              also compile FILE.aot with Fluent Bit's flb-wamrc
                         (found with --wamrc PATH, FLB_WAMRC or PATH)
      --target T, --cpu C
                         passed to flb-wamrc (e.g. --target=x86_64 --cpu=x86-64-v2
                         for any x86-64-v2 machine; default: this CPU)
  -h, --help             show this help`,

  check: `Usage: tripline check [options] [RULES...]

Validates rule files and folders (default: the bundled pack) and the module
they make, without writing it: check fails exactly when build would. Every
problem is reported as file:line:column: message.

A correlation grouped by, or counting, a field that no record of its rules'
logsources (access, error, auth, syslog) can carry is reported as
file:line:column: warning: ... (exit status 0). Rules that admit JSON records, which may
carry any key, are not judged: 'tripline test' on real logs tells.

Options:
      --fields FILE, --namespace NAME, --max-keys N, --lateness S,
      --stats-interval S, --seed N
                       as for 'tripline build'
  -h, --help           show this help`,

  config: `Usage: tripline config [options]

Prints a Fluent Bit configuration for the built module: the wasm filter,
rewrite_tag to copy alerts under their own tag, and outputs for the main
stream and the alerts.

Options:
      --format FORMAT  classic or yaml (default: classic)
      --wasm PATH      path of the module as Fluent Bit should load it
                       (default: tripline.wasm; relative to Fluent Bit's working directory)
      --match PATTERN  tags the filter applies to (default: logs.*); refused when
                       it misses the input's tag or catches the alert.* copies
      --tag TAG        the input's tag (default: --match with * as "input")
      --log PATH       log file to tail in the example input (default: /var/log/nginx/access.log)
      --parser NAME    parser for the example input (default: none: raw lines,
                       which tripline reads itself): apache2, nginx, json,
                       syslog-rfc3164 or syslog-rfc5424
      --parsers-file PATH
                       the file that defines it (default: tripline's copy of
                       Fluent Bit's stock parsers, examples/fluent-bit/parsers.conf)
      --from-head      read the log from its start and exit at its end
                       (to try tripline on a file; omit it for a live log)
      --role ROLE      a fleet node: edge or aggregator (module built with --shards N)
      --shards LIST    the aggregators, host:port,... in the same order on every node
      --index I        --role aggregator: which of --shards this node is (from 0)
      --storage DIR    on-disk buffer of a fleet node (default: /var/lib/fluent-bit/tripline)
  -h, --help           show this help`,
};

// Help texts, one per subcommand.
export const HELP: Record<string, string> = {
  main: `tripline - log detection inside Fluent Bit

Usage: tripline <command> [options]

Commands:
  test     replay log files through the filter and show matches and alerts
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
      --suite PATH     run rule test suites (*.suite.yml files or folders)
      --namespace NAME, --max-keys N, --lateness S, --stats-interval S, --seed N
                       as for 'tripline build'
  -h, --help           show this help

FILE may be a folder (walked recursively; configs and binaries are skipped
with a note), a .gz file, or - for standard input. Several files are merged
into one stream in event-time order, as Fluent Bit would see them live.`,

  build: `Usage: tripline build [options] [RULES...]

Compiles rule files and folders (default: the bundled pack) into one
self-contained WebAssembly module for Fluent Bit's wasm filter.

Options:
  -o, --out FILE         where to write the module (default: tripline.wasm)
      --fields FILE      field mapping override (YAML)
      --namespace NAME   key of the object added to matching records (default: tripline)
      --max-keys N       group keys kept per correlation (default: 10000)
      --lateness SECONDS how late an event may arrive and still count (default: 60)
      --stats-interval SECONDS
                         event time between statistics records (default: 300; 0: off)
      --seed N           group-key hash seed (default: derived from the rules, so
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
      --match PATTERN  tags the filter applies to (default: logs.*)
      --log PATH       log file to tail in the example input (default: /var/log/nginx/access.log)
      --parser NAME    parser for the example input (default: none, raw lines)
      --from-head      read the log from its start and exit at its end
                       (to try tripline on a file; omit it for a live log)
      --role ROLE      a fleet node: edge or aggregator (module built with --shards N)
      --shards LIST    the aggregators, host:port,... in the same order on every node
      --index I        --role aggregator: which of --shards this node is (from 0)
      --storage DIR    on-disk buffer of a fleet node (default: /var/lib/fluent-bit/tripline)
  -h, --help           show this help`,
};

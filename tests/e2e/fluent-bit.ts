// Runs the real Fluent Bit for the end-to-end suites. The binary comes from
// FLUENT_BIT_BIN or PATH; without one the suites skip and say so.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, existsSync, accessSync, constants } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createServer, connect } from "node:net";

export function fluentBitBinary(): string | null {
  const fromEnv = process.env.FLUENT_BIT_BIN;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(dir, "fluent-bit");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export const SKIP_REASON = "no Fluent Bit binary: set FLUENT_BIT_BIN or put fluent-bit on PATH to run the end-to-end suite";

export interface FluentBitRun {
  dir: string;
  stderr: string;
  status: number | null;
  /** JSON bodies written by the `file` output named `name` (format plain), in order. */
  output(name: string): Record<string, unknown>[];
}

/**
 * Writes `files` into a fresh directory, runs `fluent-bit -c <configName>` there
 * and waits for it to exit. Fluent Bit reads YAML when the name ends in .yaml.
 */
export function runFluentBit(config: string, files: Record<string, string | Uint8Array>, timeoutMs = 60000, configName = "fluent-bit.conf"): FluentBitRun {
  const bin = fluentBitBinary();
  if (!bin) throw new Error(SKIP_REASON);
  const dir = mkdtempSync(path.join(tmpdir(), "tripline-e2e-"));
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  writeFileSync(path.join(dir, configName), config);
  const r = spawnSync(bin, ["-c", configName], { cwd: dir, encoding: "utf8", timeout: timeoutMs });
  return {
    dir,
    stderr: (r.stderr ?? "") + (r.stdout ?? ""),
    status: r.status,
    output(name: string) {
      const file = path.join(dir, name);
      if (!existsSync(file)) return [];
      return readFileSync(file, "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l));
    },
  };
}

/** A TCP port nothing listens on right now, on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** Waits until something accepts connections on the loopback port. */
export async function waitForPort(port: number, ms = 20000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.end();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listened on port ${port} within ${ms} ms`);
}

#!/usr/bin/env node
// The tripline command; the code is TypeScript in src/cli, compiled to dist/ by `npm run build`.
import { run } from "../dist/src/cli/main.js";
await run(process.argv.slice(2));

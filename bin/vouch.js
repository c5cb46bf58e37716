#!/usr/bin/env node
// Thin launcher: everything lives in dist/lib/cli (built from lib/cli by `npm run build`).
import { main } from '../dist/lib/cli/main.js';

process.exitCode = await main(process.argv.slice(2));

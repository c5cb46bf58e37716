// `node --import vouch/admit app.js`: the admission check (process-check.ts) before the app's first line; a
// refusal ends the process with its exit code and message before any dependency is loaded.
import { admitProcess } from './process-check.js';

const code = await admitProcess();
if (code !== null) process.exit(code);

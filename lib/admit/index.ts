// Runtime admission: an app's node_modules against what vouch verified, before the app starts.
// preload.ts is the `--import` entry (`vouch/admit`); admitInstalled is the check any source of the
// expected {location → integrity} set (vouch.lock today, a verification summary later) feeds.
export { admitInstalled, type Admission, type AdmissionCode, type AdmissionProblem, type AdmitOptions } from './admit.js';
export { AdmissionSetupError, expectedFromLock, type ExpectedTree } from './expected.js';
export { admitProcess } from './process-check.js';

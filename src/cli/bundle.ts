/**
 * Entry of the bundle (scripts/bundle.ts, dist/bundle/main.cjs) that bin/tcpflow-explain.js runs.
 * It also holds the `-j` worker (./worker.ts): dist/bundle/worker-thread.js loads this same bundle
 * in the worker thread and calls startWorker(), which takes the jobs.
 */
export { main } from './main.js';
export { startWorker } from './worker.js';

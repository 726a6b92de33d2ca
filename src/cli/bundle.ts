/**
 * Entry of the bundle (scripts/bundle.ts, dist/bundle/main.cjs) that bin/tcpflow-explain.js runs.
 * It also holds the `-j` worker (./worker.ts): dist/bundle/worker.js loads this same bundle in the
 * worker thread, where worker.ts's handler takes the jobs; in the main thread it does nothing.
 */
export { main } from './main.js';
import './worker.js';

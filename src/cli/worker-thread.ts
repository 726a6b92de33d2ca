/**
 * Entry of the `-j` worker threads when the CLI runs from dist/src (the tests that import it;
 * ./jobs.ts starts them as new URL('./worker-thread.js', import.meta.url)). The bundle has its own
 * entry of that name beside it (scripts/bundle.ts), which loads the bundle and does the same.
 */
import { startWorker } from './worker.js';

startWorker();

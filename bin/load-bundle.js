// Loads the bundle that `npm run build` writes (scripts/bundle.ts), dist/bundle/main.cjs, with
// V8's code cache beside it (main.cjs.v8cache, made at build time by scripts/code-cache.ts).
//
// Why a CommonJS file run through node:vm rather than import(): Node 20 keeps no compiled code
// between runs of an ES module, so every start parsed and compiled the bundle again. A
// vm.Script takes the cache the build made, after a run on the fixtures, with the bytecode of
// every function that run compiled: start-up is about 8 ms shorter (--version 75 -> 71 ms, a
// small capture's --json 80 -> 72 ms; Node alone starts in about 50 ms).
// A cache V8 does not accept (another Node version or V8 flags) is ignored and the source is
// compiled as usual; a missing one likewise. V8 checks the version, the flags and the source's
// length, not the bytes (release builds skip the checksum), so the file starts with CRC-32s of
// the bundle it was made for and of the cache itself: a cache of another bundle of the same
// length (an edit of main.cjs by hand) or a damaged one is ignored as well.
//
// The file is Node's own CommonJS wrapper around the bundle (scripts/bundle.ts writes it in, on
// the first line): V8 gets the file's text as it is, not a concatenation it would flatten into a
// copy of its own, and line numbers in stack traces are the file's.
//
// This file and bin/tcpflow-explain.js are CommonJS (bin/package.json says so; the package is
// ES modules): an ES module entry makes Node start its ES module loader first, about 3.5 ms of
// every run (with the modules scripts/bundle.ts loads lazily, --version 67 -> 63 ms), and ES
// modules import this file as well as CommonJS does.
'use strict';
const { closeSync, fstatSync, openSync, readFileSync, readSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');
const zlib = require('node:zlib');

/** The bundle: a CommonJS file that exports `main` (src/cli/bundle.ts). */
const BUNDLE = join(__dirname, '..', 'dist', 'bundle', 'main.cjs');
/**
 * V8's code cache for it: the CRC-32 of the bundle it was made for and the CRC-32 of the cache
 * (4 bytes each, little-endian), then the cache.
 */
const CODE_CACHE = `${BUNDLE}.v8cache`;

/** How the bundle starts: Node's CommonJS wrapper, which scripts/bundle.ts writes in. */
const WRAPPER_HEAD = '(function (exports, require, module, __filename, __dirname) { ';

/** zlib.crc32 came with Node 20.15; without it there is no cache (nothing to check it with). */
const crc32 = typeof zlib.crc32 === 'function' ? zlib.crc32 : null;

/** The cache file's bytes for V8's cache `data` of the bundle; null on a Node without zlib.crc32. */
function codeCacheFile(data) {
  if (crc32 === null) return null;
  const out = Buffer.alloc(8 + data.length);
  out.writeUInt32LE(crc32(readFileSync(BUNDLE)), 0);
  out.writeUInt32LE(crc32(data), 4);
  out.set(data, 8);
  return out;
}

/** Reads `fd` from its start into `buf` until `len` bytes or the end of the file; returns the bytes read. */
function readAll(fd, buf, len) {
  let n = 0;
  while (n < len) {
    const got = readSync(fd, buf, n, len - n, n);
    if (got === 0) break;
    n += got;
  }
  return n;
}

let loaded = null;

/**
 * Runs the bundle once per thread and returns { exports, script, cache }: `cache` is 'accepted',
 * 'rejected' or 'none'. Throws the read error (ENOENT) when the bundle is missing, and an error
 * of code ENOTBUNDLE when the file is not the wrapped function the build writes.
 */
function loadBundle({ useCache = true } = {}) {
  if (loaded !== null) return loaded;
  // The bundle and its cache are read into one buffer, the cache over the bundle once the
  // bundle's text is made a string: every page of a fresh buffer costs a page fault (10-12 us on
  // the bench machine), and the cache's 600 KB in a buffer of their own were 150 of a small
  // run's 3 600 faults (docs/performance.md, "2026-12-05").
  const bundleFd = openSync(BUNDLE, 'r');
  // the cache, when there is one to use: its descriptor and size (a cache that cannot be read is
  // no cache, never an error)
  let cacheFd = -1;
  let cacheSize = 0;
  if (useCache && crc32 !== null) {
    try {
      cacheFd = openSync(CODE_CACHE, 'r');
      cacheSize = fstatSync(cacheFd).size;
    } catch {
      if (cacheFd >= 0) closeSync(cacheFd);
      cacheFd = -1;
    }
  }
  let file = null;
  let bundleCrc = 0;
  let source;
  try {
    let buf;
    let bytes;
    try {
      const size = fstatSync(bundleFd).size;
      buf = Buffer.allocUnsafe(Math.max(size, cacheSize));
      bytes = buf.subarray(0, readAll(bundleFd, buf, size));
    } finally {
      closeSync(bundleFd);
    }
    source = bytes.toString('utf8');
    if (!source.startsWith(WRAPPER_HEAD)) {
      throw Object.assign(new Error(`${BUNDLE} is not a bundle that \`npm run build\` wrote: run it again`), { code: 'ENOTBUNDLE', path: BUNDLE });
    }
    if (cacheFd >= 0) {
      // the bundle's CRC before the cache is read over its bytes
      bundleCrc = crc32(bytes);
      try {
        file = buf.subarray(0, readAll(cacheFd, buf, buf.length));
      } catch {
        file = null;
      }
    }
  } finally {
    if (cacheFd >= 0) closeSync(cacheFd);
  }
  let cachedData;
  let damaged = false;
  if (file !== null) {
    const data = file.subarray(8);
    if (file.length > 8 && bundleCrc === file.readUInt32LE(0) && crc32(data) === file.readUInt32LE(4)) cachedData = data;
    else damaged = true;
  }
  // the file is the wrapped function itself (scripts/bundle.ts): its text goes to V8 as it is
  const script = new Script(source, { filename: BUNDLE, cachedData });
  const bundle = { exports: {} };
  script.runInThisContext()(bundle.exports, require, bundle, BUNDLE, dirname(BUNDLE));
  const cache = file === null ? 'none' : damaged || script.cachedDataRejected ? 'rejected' : 'accepted';
  loaded = { exports: bundle.exports, script, cache };
  return loaded;
}

exports.BUNDLE = BUNDLE;
exports.WRAPPER_HEAD = WRAPPER_HEAD;
exports.CODE_CACHE = CODE_CACHE;
exports.codeCacheFile = codeCacheFile;
exports.loadBundle = loadBundle;

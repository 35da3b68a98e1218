// @ts-check
/**
 * V8 code cache for the large CommonJS bundles a run loads from node_modules
 * (Playwright's runner and worker each compile about 10 MB of them at start-up).
 * Compiled once, their code is kept in node_modules/.cache/v8-compile and reused:
 * each process then deserialises instead of parsing and compiling.
 *
 * Node 22.1+ has this as a public API (module.enableCompileCache), used when present.
 * Node 20 has none: there each such file is compiled with vm.compileFunction and its
 * cachedData, from Module.prototype._compile, which is undocumented (the hook
 * v8-compile-cache and Playwright's own transform use); any other file, and any
 * failure, takes Node's own path. V8 rejects cached code made by another Node or other flags.
 *
 * Loaded with `--require` (the conformance wrapper installs it in its own process
 * and passes it to Playwright's workers through NODE_OPTIONS).
 */
'use strict';
const { isMainThread } = require('node:worker_threads');
const Module = require('node:module');
const { createRequire } = Module;
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { createHash } = require('node:crypto');
const { dirname, join, resolve, sep } = require('node:path');
const vm = require('node:vm');

const CACHE_DIR = resolve(__dirname, '../../node_modules/.cache/v8-compile', `${process.version}-${process.arch}`);
/** Smaller files cost more to look up than to compile. */
const MIN_BYTES = 64 * 1024;
const NODE_MODULES = `${sep}node_modules${sep}`;
/** V8 rejects code cached under other flags (a worker's --max-semi-space-size): each set of flags keeps its own entries. */
const FLAGS = `${process.execArgv.join(' ')}\0${process.env.NODE_OPTIONS ?? ''}`;

/** @typedef {{ require(id: string): unknown, exports: unknown }} CjsModule */

/** The version of the package a file belongs to: with the path and size, it names the file's content (npm normalises mtimes). */
const versions = new Map();
/** @param {string} file */
function packageVersion(file) {
  for (let dir = dirname(file); dir.includes(NODE_MODULES); dir = dirname(dir)) {
    if (versions.has(dir)) return versions.get(dir);
    try {
      const version = String(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version ?? '');
      if (version) {
        versions.set(dir, version);
        return version;
      }
    } catch {
      // not a package root (a lib/ folder): look further up
    }
  }
  return '';
}

function install() {
  const api = /** @type {{ enableCompileCache?: (dir: string) => unknown }} */ (/** @type {unknown} */ (Module));
  if (typeof api.enableCompileCache === 'function') {
    api.enableCompileCache(CACHE_DIR);
    return;
  }
  const proto = /** @type {{ _compile?: (this: CjsModule, content: string, filename: string) => unknown }} */ (/** @type {unknown} */ (Module.prototype));
  const original = proto._compile;
  if (typeof original !== 'function') return;
  proto._compile = function compileWithCache(content, filename) {
    if (content.length < MIN_BYTES || !filename.includes(NODE_MODULES)) return original.call(this, content, filename);
    let fn;
    try {
      const entry = join(CACHE_DIR, `${createHash('sha256').update(`${filename}\0${content.length}\0${packageVersion(filename)}\0${FLAGS}`).digest('hex').slice(0, 32)}.bin`);
      let cachedData;
      try {
        cachedData = readFileSync(entry);
      } catch {
        // first use
      }
      // vm.compileFunction is how Node compiles a CommonJS module itself (vm.Script would cost ~25 MiB more).
      /** @param {Buffer | undefined} data */
      const compile = (data) =>
        /** @type {Function & { cachedData?: Buffer, cachedDataRejected?: boolean }} */ (
          vm.compileFunction(content, ['exports', 'require', 'module', '__filename', '__dirname'], {
            filename,
            ...(data ? { cachedData: data } : { produceCachedData: true }),
            importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
          })
        );
      fn = compile(cachedData);
      // Made by another Node or with other flags: compiled afresh, and its cache with it.
      if (cachedData && fn.cachedDataRejected) fn = compile(undefined);
      if (fn.cachedData) save(entry, fn.cachedData);
    } catch {
      return original.call(this, content, filename);
    }
    // The module's own require: loading through it, resolving like any require from its file.
    const req = Object.assign((/** @type {string} */ id) => this.require(id), createRequire(filename));
    return fn.call(this.exports, this.exports, req, this, filename, dirname(filename));
  };
}

/** Whole or absent, whatever another process does at the same time; a read-only checkout runs without the cache. @param {string} entry @param {Buffer} data */
function save(entry, data) {
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    const temporary = `${entry}.${process.pid}`;
    writeFileSync(temporary, data);
    renameSync(temporary, entry);
  } catch {
    // no cache this time
  }
}

// Playwright's loader thread (module.register) loads no CommonJS bundle worth caching.
if (isMainThread && !process.env.CONTRACT_SUITE_NO_COMPILE_CACHE) install();

// Instantiates the core's wasm lazily, once per isolate, and marshals bytes across the C ABI.
// A trap marks the instance broken; the next call builds a fresh one.

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Loads the core from a compiled WebAssembly.Module (what wrangler gives for a .wasm import). */
export class Core {
  constructor(module) {
    this.module = module;
    this.instance = null;
  }

  exports() {
    if (this.instance) return this.instance.exports;
    let memory = null;
    const fail = () => 52; // WASI ENOSYS: the core does no I/O
    const imports = {
      env: { emscripten_notify_memory_growth() {} },
      wasi_snapshot_preview1: {
        proc_exit(code) { throw new WebAssembly.RuntimeError(`core exited with ${code}`); },
        fd_write(fd, iov, iovcnt, nwritten) {
          // stdout/stderr of the core are discarded but reported as written
          const view = new DataView(memory.buffer);
          let total = 0;
          for (let i = 0; i < iovcnt; i++) total += view.getUint32(iov + i * 8 + 4, true);
          view.setUint32(nwritten, total, true);
          return 0;
        },
        fd_close: fail, fd_seek: fail, fd_read: fail, fd_fdstat_get: fail,
        environ_sizes_get(count, size) {
          const view = new DataView(memory.buffer);
          view.setUint32(count, 0, true);
          view.setUint32(size, 0, true);
          return 0;
        },
        environ_get: () => 0,
        clock_time_get: fail,
        random_get: fail,
      },
    };
    const instance = new WebAssembly.Instance(this.module, imports);
    memory = instance.exports.memory;
    instance.exports._initialize?.();
    this.instance = instance;
    return instance.exports;
  }

  /** Decides on one ingest request: `context` is an object, `body` a Uint8Array.
   *  Returns {header, rows}: header the parsed decision, rows an ASCII JSON string or null. */
  ingest(context, body) {
    try {
      return this.#ingest(context, body);
    } catch (err) {
      if (err instanceof WebAssembly.RuntimeError) this.instance = null;
      throw err;
    }
  }

  #ingest(context, body) {
    const ex = this.exports();
    const ctxBytes = encoder.encode(JSON.stringify(context));
    const ctxPtr = ex.el_alloc(ctxBytes.length);
    const bodyPtr = ex.el_alloc(body.length);
    if (!ctxPtr || !bodyPtr) throw new WebAssembly.RuntimeError("core out of memory");
    let resPtr = 0;
    try {
      new Uint8Array(ex.memory.buffer, ctxPtr, ctxBytes.length).set(ctxBytes);
      new Uint8Array(ex.memory.buffer, bodyPtr, body.length).set(body);
      resPtr = ex.el_ingest(ctxPtr, ctxBytes.length, bodyPtr, body.length);
      if (!resPtr) throw new WebAssembly.RuntimeError("core out of memory");
      const view = new DataView(ex.memory.buffer, resPtr, 12);
      const data = view.getUint32(0, true);
      const headerLen = view.getUint32(4, true);
      const rowsLen = view.getUint32(8, true);
      const header = JSON.parse(decoder.decode(new Uint8Array(ex.memory.buffer, data, headerLen)));
      const rows = rowsLen
        ? decoder.decode(new Uint8Array(ex.memory.buffer, data + headerLen, rowsLen))
        : null;
      return { header, rows };
    } finally {
      if (resPtr) ex.el_result_free(resPtr);
      ex.el_free(bodyPtr);
      ex.el_free(ctxPtr);
    }
  }
}

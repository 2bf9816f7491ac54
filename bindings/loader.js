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

  /** Decides on one ingest request: `context` is an object, `wire` the body as sent and `body`
   *  the same decompressed (or `wire` itself), both Uint8Arrays.
   *  Returns {header, parts}: the parsed decision and its bind parts as ASCII strings. */
  ingest(context, wire, body = wire) {
    return this.#guard(() => this.#ingest(context, wire, body));
  }

  /** A read over segments (see edgelog/query.h): `request` is an object, `texts` the segments'
   *  base64 texts (or filters) in the order the request lists them. Answers the parsed JSON. */
  read(request, texts) {
    return this.#guard(() => {
      const ex = this.exports();
      const req = encoder.encode(JSON.stringify(request));
      const body = encoder.encode(texts.join(""));
      const ptrs = [ex.el_alloc(req.length), ex.el_alloc(body.length)];
      let res = 0;
      try {
        if (ptrs.includes(0)) throw new WebAssembly.RuntimeError("core out of memory");
        new Uint8Array(ex.memory.buffer, ptrs[0], req.length).set(req);
        new Uint8Array(ex.memory.buffer, ptrs[1], body.length).set(body);
        res = ex.el_read(ptrs[0], req.length, ptrs[1], body.length);
        if (!res) throw new WebAssembly.RuntimeError("core out of memory");
        return JSON.parse(this.#header(ex, res));
      } finally {
        if (res) ex.el_result_free(res);
        for (const p of ptrs) if (p) ex.el_free(p);
      }
    });
  }

  #guard(fn) {
    try {
      return fn();
    } catch (err) {
      if (err instanceof WebAssembly.RuntimeError) this.instance = null;
      throw err;
    }
  }

  #header(ex, res) {
    const view = new DataView(ex.memory.buffer, res, 16);
    return decoder.decode(new Uint8Array(ex.memory.buffer, view.getUint32(0, true), view.getUint32(4, true)));
  }

  /** What is wrong with project rules (fingerprint or page rules): ["line N: reason", …]. */
  checkRules(text) {
    return this.#guard(() => {
      const ex = this.exports();
      const bytes = encoder.encode(text);
      const ptr = ex.el_alloc(bytes.length);
      if (!ptr) throw new WebAssembly.RuntimeError("core out of memory");
      let res = 0;
      try {
        new Uint8Array(ex.memory.buffer, ptr, bytes.length).set(bytes);
        res = ex.el_check_rules(ptr, bytes.length);
        if (!res) throw new WebAssembly.RuntimeError("core out of memory");
        return JSON.parse(this.#header(ex, res)).errors;
      } finally {
        if (res) ex.el_result_free(res);
        ex.el_free(ptr);
      }
    });
  }

  /** Alert decisions: `context` is an object (see edgelog/alerts.h); answers the parsed JSON. */
  alerts(context) {
    return this.#guard(() => {
      const ex = this.exports();
      const bytes = encoder.encode(JSON.stringify(context));
      const ptr = ex.el_alloc(bytes.length);
      if (!ptr) throw new WebAssembly.RuntimeError("core out of memory");
      let res = 0;
      try {
        new Uint8Array(ex.memory.buffer, ptr, bytes.length).set(bytes);
        res = ex.el_alerts(ptr, bytes.length);
        if (!res) throw new WebAssembly.RuntimeError("core out of memory");
        return JSON.parse(this.#header(ex, res));
      } finally {
        if (res) ex.el_result_free(res);
        ex.el_free(ptr);
      }
    });
  }

  #ingest(context, wire, body) {
    const ex = this.exports();
    const ctxBytes = encoder.encode(JSON.stringify(context));
    const same = wire === body;
    const ptrs = [ex.el_alloc(ctxBytes.length), ex.el_alloc(body.length)];
    if (!same) ptrs.push(ex.el_alloc(wire.length));
    let resPtr = 0;
    try {
      if (ptrs.includes(0)) throw new WebAssembly.RuntimeError("core out of memory");
      const [ctxPtr, bodyPtr, wirePtr = bodyPtr] = ptrs;
      new Uint8Array(ex.memory.buffer, ctxPtr, ctxBytes.length).set(ctxBytes);
      new Uint8Array(ex.memory.buffer, bodyPtr, body.length).set(body);
      if (!same) new Uint8Array(ex.memory.buffer, wirePtr, wire.length).set(wire);
      resPtr = ex.el_ingest(ctxPtr, ctxBytes.length, wirePtr, wire.length, bodyPtr, body.length);
      if (!resPtr) throw new WebAssembly.RuntimeError("core out of memory");
      const header = JSON.parse(this.#header(ex, resPtr));
      const parts = [];
      let offset = new DataView(ex.memory.buffer, resPtr, 16).getUint32(8, true);
      for (const bytes of header.parts ?? []) {
        parts.push(decoder.decode(new Uint8Array(ex.memory.buffer, offset, bytes)));
        offset += bytes;
      }
      return { header, parts };
    } finally {
      if (resPtr) ex.el_result_free(resPtr);
      for (const p of ptrs) if (p) ex.el_free(p);
    }
  }
}

// Instantiates the core's wasm lazily, once per isolate, and marshals bytes across the C ABI: one
// method per el_* export (bindings/edgelog.h), all through one private call helper. A trap marks
// the instance broken; the next call builds a fresh one.

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The core answered that it could not run the call (a malformed request: the shim's bug). */
export class CoreError extends Error {
  constructor(name, error) {
    super(`core ${name}: ${error?.code ?? "failed"}: ${error?.message ?? ""}`);
    this.code = error?.code;
  }
}

/** Loads the core from a compiled WebAssembly.Module (what wrangler gives for a .wasm import). */
export class Core {
  constructor(module) {
    this.module = module;
    this.instance = null;
    this.projects = new WeakMap(); // a project's settings object → its generation in this instance
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
    this.projects = new WeakMap(); // a new instance holds no settings yet
    return instance.exports;
  }

  /** The vocabulary: levels, filter fields, alert and destination kinds, limits, the ABI. */
  vocabulary() { return this.#call("el_vocabulary"); }

  /** Decides on one ingest request. `request` is the per-request context (edgelog.h, el_ingest);
   *  `project` is {id, settings} (the settings object is sent to the core once per instance and
   *  named afterwards) or null when `request.settings` carries them. `wire` is the body as sent,
   *  `body` the same decompressed (or `wire` itself), both Uint8Arrays. Answers the decision:
   *  {header, segments: [{…summary, data, fields, words, ranges, issues, minutes}], writes: {event_ids,
   *  issues, ledger}, without(eventIds), release()}; `release()` must be called when done. */
  ingest(request, wire, body = wire, project = null) {
    return this.#guard(() => {
      for (let attempt = 0; ; attempt++) {
        const named = project ? { ...request, project: { id: project.id, generation: this.#generation(project) } } : request;
        const decision = this.#ingest(named, wire, body);
        if (!project || decision.header.error?.code !== "unknown_settings" || attempt) return decision;
        decision.release();
        this.projects.delete(project.settings); // the core let them go: send them again
      }
    });
  }

  /** Reads over segments: `request` is an object, `texts` the segments' base64 texts (or, for
   *  prune, their filters) in the order the request lists them. */
  prune(request, texts) { return this.#call("el_prune", request, texts); }
  rows(request, texts) { return this.#call("el_rows", request, texts); }
  forward(request, texts) { return this.#call("el_forward", request, texts); }
  histogram(request, texts) { return this.#call("el_histogram", request, texts); }
  facets(request, texts) { return this.#call("el_facets", request, texts); }
  aggregate(request, texts) { return this.#call("el_aggregate", request, texts); }
  rulesPreview(request, texts) { return this.#call("el_rules_preview", request, texts); }
  /** Maintenance: version-1 segments (their texts) rewritten as version 2. */
  recode(request, texts) { return this.#call("el_recode", request, texts); }

  baseline(request) { return this.#call("el_baseline", request); }
  trending(request) { return this.#call("el_trending", request); }
  suggest(request) { return this.#call("el_suggest", request); }
  suspect(request) { return this.#call("el_suspect", request); }
  alerts(request) { return this.#call("el_alerts", request); }
  digest(request) { return this.#call("el_digest", request); }
  ticket(request) { return this.#call("el_ticket", request); }

  /** What is wrong with project rules (fingerprint or page rules): ["line N: reason", …]. */
  checkRules(text) { return this.#call("el_check_rules", text).errors; }
  /** What is wrong with in-app rules: ["line N: reason", …]. */
  checkInAppRules(text) { return this.#call("el_check_in_app_rules", text).errors; }

  /** An uploaded source map (a Uint8Array) read as symbolication reads it: {debug_id, mappings,
   *  sources, sources_with_content}, or {status, error: {code, message}} naming what is wrong. */
  checkSourceMap(bytes) { return this.#call("el_sourcemap_check", bytes); }

  /** Keeps a stored map parsed for this isolate's ingests under `key` (one an ingest named in
   *  `missing_maps`): `map` and `bundle` (or null) are their stored zstd frames. {kept, bytes}, or
   *  {status, error} when the stored file does not read. */
  loadSourceMap(key, map, bundle = null) {
    return this.#guard(() => {
      const ex = this.exports();
      const request = encoder.encode(JSON.stringify({ key, map_bytes: map.length }));
      const data = new Uint8Array(map.length + (bundle?.length ?? 0));
      data.set(map);
      if (bundle) data.set(bundle, map.length);
      const requestPtr = this.#place(ex, request);
      const dataPtr = this.#place(ex, data);
      let res = 0;
      try {
        res = ex.el_sourcemap_load(requestPtr, request.length, dataPtr, data.length);
        if (!res) throw new WebAssembly.RuntimeError("core out of memory");
        const answer = this.#answer(ex, res);
        if (answer.status === 500) throw new CoreError("el_sourcemap_load", answer.error);
        return answer;
      } finally {
        if (res) ex.el_result_free(res);
        ex.el_free(requestPtr);
        ex.el_free(dataPtr);
      }
    });
  }

  /** Stored events' stacks symbolicated with the maps kept: {project_id, events: [{stack, release,
   *  debug_images}]} → {events: [{frames, stack?, context?}], missing_maps}. */
  symbolicate(request) { return this.#call("el_symbolicate", request); }

  /** One zstd frame of `bytes` (a Uint8Array) at `level`, with the core's zstd (the segments'). */
  zstd(bytes, level = 3) {
    return this.#guard(() => {
      const ex = this.exports();
      const ptr = this.#place(ex, bytes);
      let res = 0;
      try {
        res = ex.el_zstd(ptr, bytes.length, level);
        if (!res) throw new WebAssembly.RuntimeError("core out of memory");
        const answer = this.#answer(ex, res);
        if (answer.error) throw new CoreError("el_zstd", answer.error);
        return new Uint8Array(ex.memory.buffer, this.#view(ex, res).parts, answer.size).slice();
      } finally {
        if (res) ex.el_result_free(res);
        ex.el_free(ptr);
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

  // Copies `bytes` into fresh core memory (freed by the caller).
  #place(ex, bytes) {
    const ptr = ex.el_alloc(bytes.length);
    if (!ptr) throw new WebAssembly.RuntimeError("core out of memory");
    new Uint8Array(ex.memory.buffer, ptr, bytes.length).set(bytes);
    return ptr;
  }

  #view(ex, res) {
    const view = new DataView(ex.memory.buffer, res, 16);
    return { header: view.getUint32(0, true), headerLen: view.getUint32(4, true), parts: view.getUint32(8, true) };
  }

  #answer(ex, res) {
    const v = this.#view(ex, res);
    return JSON.parse(decoder.decode(new Uint8Array(ex.memory.buffer, v.header, v.headerLen)));
  }

  // The one call helper: the request (an object, or text as it is) and the optional body in, the
  // parsed answer out; every allocation freed.
  #call(name, request, texts) {
    return this.#guard(() => {
      const ex = this.exports();
      const ptrs = [];
      let res = 0;
      try {
        const args = [];
        if (request !== undefined) {
          const bytes = request instanceof Uint8Array ? request
            : encoder.encode(typeof request === "string" ? request : JSON.stringify(request));
          ptrs.push(this.#place(ex, bytes));
          args.push(ptrs[0], bytes.length);
        }
        if (texts !== undefined) {
          const bytes = encoder.encode(texts.join(""));
          ptrs.push(this.#place(ex, bytes));
          args.push(ptrs[1], bytes.length);
        }
        res = ex[name](...args);
        if (!res) throw new WebAssembly.RuntimeError("core out of memory");
        const answer = this.#answer(ex, res);
        if (answer.status === 500) throw new CoreError(name, answer.error);
        return answer;
      } finally {
        if (res) ex.el_result_free(res);
        for (const p of ptrs) ex.el_free(p);
      }
    });
  }

  // The generation under which the core keeps a project's settings, sending them first if needed.
  #generation(project) {
    let generation = this.projects.get(project.settings);
    if (generation === undefined) {
      ({ generation } = this.#call("el_project", { id: project.id, settings: project.settings }));
      this.projects.set(project.settings, generation);
    }
    return generation;
  }

  #ingest(request, wire, body) {
    const ex = this.exports();
    const ctxBytes = encoder.encode(JSON.stringify(request));
    const same = wire === body;
    let ctxPtr = 0, bodyPtr = 0, wirePtr = 0, res = 0;
    const freeInputs = () => {
      for (const p of [ctxPtr, same ? 0 : wirePtr]) if (p) ex.el_free(p);
      ctxPtr = wirePtr = 0;
    };
    try {
      ctxPtr = this.#place(ex, ctxBytes);
      bodyPtr = this.#place(ex, body);
      wirePtr = same ? bodyPtr : this.#place(ex, wire);
      res = ex.el_ingest(ctxPtr, ctxBytes.length, wirePtr, wire.length, bodyPtr, body.length);
      if (!res) throw new WebAssembly.RuntimeError("core out of memory");
    } catch (err) {
      freeInputs();
      if (bodyPtr) ex.el_free(bodyPtr);
      throw err;
    } finally {
      freeInputs();
    }
    // The decision's events point into the body: both live until release().
    const instance = this.instance;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      if (this.instance !== instance) return; // a trap replaced the instance and its memory
      ex.el_result_free(res);
      ex.el_free(bodyPtr);
    };
    const read = (ptr) => {
      const decision = this.#decision(ex, ptr);
      return Object.assign(decision, {
        release,
        // The same decision without the events whose event_id storage holds; nothing is parsed again.
        without: (eventIds) => this.#guard(() => {
          const bytes = encoder.encode(JSON.stringify({ event_ids: eventIds }));
          const p = this.#place(ex, bytes);
          try {
            const next = ex.el_ingest_without(res, p, bytes.length);
            if (!next) throw new WebAssembly.RuntimeError("core out of memory");
            ex.el_result_free(res);
            res = next;
          } finally {
            ex.el_free(p);
          }
          return read(res);
        }),
      });
    };
    try {
      return read(res);
    } catch (err) {
      release();
      throw err;
    }
  }

  // An ingest result as named parts: each segment with its texts, and the request-wide writes.
  #decision(ex, res) {
    const header = this.#answer(ex, res);
    const segments = (header.segments ?? []).map((s) => ({ ...s }));
    const writes = {};
    let offset = this.#view(ex, res).parts;
    for (const part of header.parts ?? []) {
      const text = decoder.decode(new Uint8Array(ex.memory.buffer, offset, part.bytes));
      offset += part.bytes;
      if (part.segment === undefined) writes[part.name] = text;
      else segments[part.segment][part.name] = text;
    }
    return { header, segments, writes };
  }
}

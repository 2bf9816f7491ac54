// Flushing when the process or the page goes away: `beforeExit` and SIGTERM in Node (SIGTERM is
// raised again once flushed, unless the app listens for it too), page hide in browsers (a
// keepalive request, which outlives the page).

const clients = new Set();
let nodeHooked = false;

function hookNode() {
  if (nodeHooked) return;
  nodeHooked = true;
  process.on("beforeExit", () => {
    for (const c of clients) void c.flush({ timeoutMs: 5000 });
  });
  const onSigterm = async () => {
    await Promise.allSettled([...clients].map((c) => c.flush({ timeoutMs: 5000 })));
    // Only we listened: do what Node would have done.
    if (process.listenerCount("SIGTERM") === 1) {
      process.removeListener("SIGTERM", onSigterm);
      process.kill(process.pid, "SIGTERM");
    }
  };
  process.on("SIGTERM", onSigterm);
}

/** Watches for the end of the process or page; answers the function that stops watching. */
export function watchLifecycle(client, { browser }) {
  if (browser) {
    const onHide = () => {
      if (document.visibilityState === "hidden") void client.flush({ timeoutMs: 0, keepalive: true });
    };
    document.addEventListener("visibilitychange", onHide);
    window.addEventListener("pagehide", onHide);
    return () => {
      document.removeEventListener("visibilitychange", onHide);
      window.removeEventListener("pagehide", onHide);
    };
  }
  if (typeof process !== "undefined" && process.on) {
    hookNode();
    clients.add(client);
    return () => clients.delete(client);
  }
  return () => {};
}

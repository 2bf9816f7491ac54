// CPU time (utime + stime, ms) of the workerd processes below a process: what the Worker, its
// local D1 and the HTTP stack spent. Linux /proc; the kernel counts in ticks (10 ms here).
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";

const TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"]).toString());

export function workerdCpuMs(rootPid) {
  const parent = new Map();
  const workerd = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
      parent.set(Number(pid), Number(fields[1]));
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("workerd"))
        workerd.push([Number(pid), Number(fields[11]) + Number(fields[12])]);
    } catch {}
  }
  const below = (pid) => { for (let p = pid; p > 1; p = parent.get(p) ?? 0) if (p === rootPid) return true; return false; };
  const ticks = workerd.filter(([pid]) => below(pid)).reduce((n, [, t]) => n + t, 0);
  return (ticks * 1000) / TICKS_PER_SECOND;
}

// Charts: uPlot (bundled from npm into /vendor at build time): event volume as bars stacked by
// level, and an aggregation over time as a line per group.
import uPlot from "/vendor/uPlot.esm.js";
import { fmtNumber, fmtTick, fmtTime, timeParts, timeZone } from "./dom.js";
import { levels } from "./vocabulary.js";

const cssVar = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

const axisStyle = () => ({ stroke: cssVar("--muted"), grid: { stroke: cssVar("--border"), width: 1 }, ticks: { stroke: cssVar("--border") } });

// The x axis in the dashboard's zone and format (24 h; the date where the day changes).
const timeAxis = () => ({ ...axisStyle(), size: 44, values: (u, splits) => splits.map((v, i) => {
  const day = (x) => { const t = timeParts(x * 1000); return `${t.year}-${t.month}-${t.day}`; };
  return fmtTick(v, i === 0 || day(v) !== day(splits[i - 1]));
}) });

// Ticks fall on whole hours and days of the chosen zone.
const tzDate = (ts) => (timeZone() === "utc" ? uPlot.tzDate(new Date(ts * 1000), "Etc/UTC") : new Date(ts * 1000));

// Draws the chart into `container`, resized with it; its destroy stops watching.
function mount(container, opts, data) {
  container.replaceChildren();
  const chart = new uPlot({ width: Math.max(280, container.clientWidth || 600), tzDate, ...opts }, data, container);
  const observer = new ResizeObserver(() => chart.setSize({ width: Math.max(280, container.clientWidth), height: opts.height }));
  observer.observe(container);
  const destroy = chart.destroy.bind(chart);
  chart.destroy = () => {
    observer.disconnect();
    destroy();
  };
  return chart;
}

/** A stacked bar chart of buckets [{t, trace…fatal}] into `container`; answers the uPlot
 *  instance (destroy it when the page goes). `baseline` ([{hour, low, high, expected}], per hour)
 *  draws the usual band behind the bars, scaled to the bucket. */
export function volumeChart(container, buckets, { bucketMs, height = 220, onselect, baseline = null } = {}) {
  const xs = buckets.map((b) => new Date(b.t).getTime() / 1000);
  // Stacking by overdrawing: each level's series is its count plus every level below it, drawn
  // tallest (fatal, the total) first so each shorter stack covers the one before.
  const cumulative = {};
  let running = buckets.map(() => 0);
  for (const level of levels()) {
    running = running.map((v, i) => v + (buckets[i][level] ?? 0));
    cumulative[level] = running;
  }
  const bars = uPlot.paths.bars({ size: [0.85, 40] });
  const series = [{ value: (u, v) => (v === null ? "–" : fmtTime(v * 1000)) }];
  const data = [xs];
  const bands = [];
  if (baseline?.length) {
    // The usual range (the core's baseline per hour, scaled to the bucket) as a band behind the bars.
    const byHour = new Map(baseline.map((b) => [Date.parse(b.hour), b]));
    const scale = (bucketMs ?? 3_600_000) / 3_600_000;
    const at = (x, key) => {
      const t = x * 1000;
      const b = byHour.get(t - (t % 3_600_000));
      return b && b.basis !== "none" ? b[key] * scale : null;
    };
    const stroke = cssVar("--muted");
    series.push({ label: "usual (high)", stroke, width: 1, dash: [4, 4], points: { show: false }, value: (u, v) => (v === null ? "–" : fmtNumber(Math.round(v))) },
      { label: "usual (low)", stroke, width: 1, dash: [4, 4], points: { show: false }, value: (u, v) => (v === null ? "–" : fmtNumber(Math.round(v))) });
    data.push(xs.map((x) => at(x, "high")), xs.map((x) => at(x, "low")));
    bands.push({ series: [1, 2], fill: "rgba(127, 127, 127, 0.15)" });
  }
  for (const level of [...levels()].reverse()) {
    const color = cssVar(`--${level}`);
    series.push({ label: level, fill: color, stroke: color, width: 0, paths: bars, points: { show: false },
      value: (u, v, si, i) => (i === null ? "–" : String(buckets[i]?.[level] ?? 0)) });
    data.push(cumulative[level]);
  }
  const axis = axisStyle();
  const opts = {
    height,
    series,
    axes: [timeAxis(), { ...axis, size: 50,
      // A short chart has room for one tick: label 0 and the tallest bucket rather than 0 alone.
      ...(height < 120 ? { splits: (u, i, min, max) => [0, max], values: (u, splits) => splits.map((v) => fmtNumber(v)) } : {}) }],
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(1, max)] } },
    legend: { show: true, live: true },
    bands,
    cursor: { drag: { x: Boolean(onselect), y: false } },
    hooks: onselect ? {
      setSelect: [(u) => {
        if (u.select.width < 4) return;
        const from = u.posToVal(u.select.left, "x") * 1000;
        const to = u.posToVal(u.select.left + u.select.width, "x") * 1000;
        onselect(Math.floor(from), Math.ceil(to + (bucketMs ?? 0)));
      }],
    } : {},
  };
  return mount(container, opts, data);
}


// Lines of a split chart, one per group: distinct in light and dark themes alike.
const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

/** A line per group of an aggregation with an interval (`groups`: [{label, series: [{t, value}]}])
 *  into `container`, over [from, to) (ms) cut at the interval; buckets without events are gaps.
 *  Answers the uPlot instance. */
export function seriesChart(container, groups, { intervalMs, from, to, height = 200, format = fmtNumber } = {}) {
  // Every bucket of the range, so a group's quiet buckets show as gaps and the axis is the range's.
  const xs = [];
  for (let t = from - (from % intervalMs); t < to && xs.length < 2000; t += intervalMs) xs.push(t / 1000);
  const series = [{ value: (u, v) => (v === null ? "–" : fmtTime(v * 1000)) }];
  const data = [xs];
  groups.forEach((g, i) => {
    const byT = new Map(g.series.map((p) => [Date.parse(p.t) / 1000, p.value]));
    const color = PALETTE[i % PALETTE.length];
    // Dots where the line is sparse (a lone bucket between gaps draws no line).
    series.push({ label: g.label, stroke: color, width: 2, spanGaps: false, points: { show: g.series.length < 60, size: 5, fill: color },
      value: (u, v) => (v === null || v === undefined ? "–" : format(v)) });
    data.push(xs.map((x) => byT.get(x) ?? null));
  });
  return mount(container, {
    height,
    series,
    axes: [timeAxis(), { ...axisStyle(), size: 60, values: (u, splits) => splits.map((v) => format(v)) }],
    scales: { x: { time: true } },
    legend: { show: true, live: true },
  }, data);
}

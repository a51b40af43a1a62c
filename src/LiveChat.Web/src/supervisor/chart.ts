// The last 30 minutes of each queue, drawn as inline SVG: how many wait, and how long the longest has waited.
import { h, replace } from "../shared/dom";
import type { DashboardView, QueueSample } from "../shared/protocol";

const WINDOW_MS = 30 * 60 * 1000;
/** Live points come from DashboardUpdated, which can arrive several times a second; one point per this is enough. */
const LIVE_EVERY_MS = 5000;
const PALETTE = ["#2563eb", "#d97706", "#059669", "#db2777", "#7c3aed", "#0891b2", "#dc2626", "#65a30d", "#4b5563", "#ea580c"];
const SVG = "http://www.w3.org/2000/svg";

interface Point {
  t: number;
  waiting: number;
  longest: number;
}

function svg(tag: string, attrs: Record<string, string | number>, ...children: (SVGElement | string)[]): SVGElement {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  for (const child of children) element.append(typeof child === "string" ? document.createTextNode(child) : child);
  return element;
}

/** 1, 2, 5, 10, 20, 50...: the smallest such step whose multiple covers `max`. */
function niceMax(max: number, minimum: number): number {
  const value = Math.max(max, minimum);
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

export class WaitChart {
  readonly element = h("figure", { className: "chart" });
  private readonly series = new Map<string, Point[]>();
  private order: string[] = [];
  private lastLive = 0;

  setHistory(samples: QueueSample[]): void {
    this.series.clear();
    for (const s of samples) this.point(s.queue, { t: Date.parse(s.at), waiting: s.waiting, longest: s.longestWaitSeconds });
    this.draw();
  }

  addLive(dashboard: DashboardView): void {
    this.order = dashboard.queues.map((q) => q.name);
    const t = Date.parse(dashboard.at);
    if (t - this.lastLive < LIVE_EVERY_MS) return;
    this.lastLive = t;
    for (const q of dashboard.queues) this.point(q.name, { t, waiting: q.waiting, longest: q.longestWaitSeconds });
    this.draw();
  }

  private point(queue: string, point: Point): void {
    let points = this.series.get(queue);
    if (!points) this.series.set(queue, (points = []));
    if (points.length > 0 && points[points.length - 1]!.t >= point.t) return;
    points.push(point);
  }

  private draw(): void {
    const now = Math.max(Date.now(), this.lastLive);
    const from = now - WINDOW_MS;
    for (const points of this.series.values()) while (points.length > 0 && points[0]!.t < from - 60_000) points.shift();
    // Queues nobody waited in stay off the chart: a flat line at zero says nothing.
    const names = [...this.series.keys()].sort((a, b) => this.rank(a) - this.rank(b));
    const busy = names.filter((n) => this.series.get(n)!.some((p) => p.t >= from && (p.waiting > 0 || p.longest > 0)));
    const colour = (name: string) => PALETTE[names.indexOf(name) % PALETTE.length]!;
    const caption = h("figcaption", null, h("strong", null, "Last 30 minutes"), " · waiting conversations and longest wait per queue");
    const legend = h(
      "ul",
      { className: "chart-legend" },
      ...busy.map((n) => h("li", null, swatch(colour(n)), n)),
      busy.length === 0 ? h("li", { className: "muted" }, "Nobody has waited in any queue in the last 30 minutes.") : null,
    );
    const width = 460;
    const height = 200;
    const panels = h(
      "div",
      { className: "chart-panels" },
      this.panel("Waiting", (p) => p.waiting, 2, (v) => String(v), busy, colour, from, now, width, height),
      this.panel("Longest wait", (p) => p.longest, 60, (v) => (v >= 120 ? `${Math.round(v / 60)} min` : `${v} s`), busy, colour, from, now, width, height),
    );
    replace(this.element, caption, panels, legend);
  }

  private rank(name: string): number {
    const at = this.order.indexOf(name);
    return at < 0 ? this.order.length : at;
  }

  private panel(
    title: string,
    value: (p: Point) => number,
    minimumMax: number,
    label: (v: number) => string,
    queues: string[],
    colour: (name: string) => string,
    from: number,
    to: number,
    width: number,
    height: number,
  ): SVGElement {
    const left = 52;
    const right = 10;
    const top = 24;
    const bottom = 22;
    const plotW = width - left - right;
    const plotH = height - top - bottom;
    let max = 0;
    for (const q of queues) for (const p of this.series.get(q)!) if (p.t >= from) max = Math.max(max, value(p));
    const yMax = niceMax(max, minimumMax);
    const x = (t: number) => left + ((t - from) / (to - from)) * plotW;
    const y = (v: number) => top + plotH - (v / yMax) * plotH;

    const parts: SVGElement[] = [svg("text", { x: left, y: 14, class: "chart-title" }, title)];
    for (const fraction of [0, 0.5, 1]) {
      const v = yMax * fraction;
      parts.push(svg("line", { x1: left, x2: left + plotW, y1: y(v), y2: y(v), class: "grid" }));
      parts.push(svg("text", { x: left - 6, y: y(v) + 4, class: "axis", "text-anchor": "end" }, label(Math.round(v))));
    }
    for (let minutes = 30; minutes >= 0; minutes -= 10) {
      const t = to - minutes * 60_000;
      parts.push(svg("text", { x: x(t), y: height - 6, class: "axis", "text-anchor": minutes === 30 ? "start" : minutes === 0 ? "end" : "middle" }, minutes === 0 ? "now" : `−${minutes} min`));
    }
    for (const q of queues) {
      const points = this.series.get(q)!.filter((p) => p.t >= from);
      if (points.length === 0) continue;
      const coordinates = points.map((p) => `${x(p.t).toFixed(1)},${y(value(p)).toFixed(1)}`).join(" ");
      parts.push(svg("polyline", { points: coordinates, fill: "none", stroke: colour(q), "stroke-width": 2, "stroke-linejoin": "round", "data-queue": q }));
      const last = points[points.length - 1]!;
      parts.push(svg("circle", { cx: x(last.t), cy: y(value(last)), r: 3, fill: colour(q) }, svg("title", {}, `${q}: ${label(value(last))}`)));
    }
    const latest = queues.map((q) => `${q} ${label(value(this.series.get(q)!.at(-1)!))}`).join(", ");
    return svg(
      "svg",
      { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": `${title} over the last 30 minutes${latest ? `; now ${latest}` : ""}`, class: "chart-svg" },
      ...parts,
    );
  }
}

/** A legend's colour square. Coloured through the CSSOM: the pages' CSP allows no inline style attributes. */
function swatch(colour: string): HTMLSpanElement {
  const element = h("span", { className: "swatch" });
  element.style.background = colour;
  return element;
}

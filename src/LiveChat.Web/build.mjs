// Bundles the three pages' scripts with esbuild and copies the HTML pages next to them.
// Output: LIVECHAT_WEB_OUT (set by the server's build) or ./dist.
import { build } from "esbuild";
import { cp, mkdir, rm } from "node:fs/promises";
import path from "node:path";

const out = path.resolve(process.env.LIVECHAT_WEB_OUT ?? "dist");
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });

await build({
  entryPoints: {
    widget: "src/widget/widget.ts",
    "widget-frame": "src/widget/frame.ts",
    agent: "src/agent/agent.ts",
    supervisor: "src/supervisor/supervisor.ts",
  },
  outdir: out,
  bundle: true,
  format: "iife",
  platform: "browser",
  target: ["es2022"],
  minify: true,
  sourcemap: "linked",
  // The widget's stylesheet goes inside its shadow root as a string; the consoles' stylesheets are files.
  loader: { ".css": "text" },
  legalComments: "linked",
  logLevel: "warning",
});

for (const page of ["index.html", "widget-frame.html", "agent.html", "supervisor.html", "console.css", "demo.css"])
  await cp(path.join("src/pages", page), path.join(out, page));
console.log(`LiveChat web pages built into ${out}`);

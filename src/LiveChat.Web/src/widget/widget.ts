// The embeddable chat widget. A site adds it with one line:
//   <script src="https://chat.example.com/widget.js" data-queue="support" async></script>
// It finds its chat server from its own script's address, and draws itself inside a shadow root, so the site's styles
// and the widget's never meet.
import css from "./widget.css";
import { Widget } from "./panel";
import { Memory } from "./storage";

// With async, currentScript is only set while this runs for the first time: keep it now.
const script = findScript();

function findScript(): HTMLScriptElement | null {
  if (document.currentScript instanceof HTMLScriptElement) return document.currentScript;
  const scripts = Array.from(document.querySelectorAll<HTMLScriptElement>("script[src]"));
  return scripts.reverse().find((element) => new URL(element.src, location.href).pathname.endsWith("/widget.js")) ?? null;
}

function styleInto(root: ShadowRoot): void {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } catch {
    const style = document.createElement("style");
    style.textContent = css;
    root.append(style);
  }
}

function mount(): void {
  if (!script || document.querySelector("livechat-widget")) return;
  const server = new URL(script.src, location.href);
  const queue = script.dataset.queue?.trim() || null;
  const host = document.createElement("livechat-widget");
  // Nothing of the page's styles reaches the widget: the host resets everything, the shadow root does the rest.
  host.style.setProperty("all", "initial", "important");
  const root = host.attachShadow({ mode: "open" });
  styleInto(root);
  document.body.append(host);
  const widget = new Widget(root, server.origin, queue, new Memory(server.origin, queue));
  void widget.init();
}

if (document.body) mount();
else document.addEventListener("DOMContentLoaded", mount, { once: true });

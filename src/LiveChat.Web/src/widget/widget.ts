// The embeddable chat widget. A site adds it with one line:
//   <script src="https://chat.example.com/widget.js" data-queue="support" async></script>
// This script only places a frame of the chat server's own origin (/widget/frame) in the page's bottom right corner and
// sizes it as the widget inside asks: the chat, its visitor token and its storage live in that frame, out of reach of
// the page's other scripts. The server lets only the sites in LiveChat:Widget:AllowedOrigins show the frame
// (CSP frame-ancestors); on any other site the frame is refused by the browser and nothing shows.
import { ClosedSize, FrameMessage, OpenSize, type FrameLayout } from "./layout";

// With async, currentScript is only set while this runs for the first time: keep it now.
const script = findScript();

function findScript(): HTMLScriptElement | null {
  if (document.currentScript instanceof HTMLScriptElement) return document.currentScript;
  const scripts = Array.from(document.querySelectorAll<HTMLScriptElement>("script[src]"));
  return scripts.reverse().find((element) => new URL(element.src, location.href).pathname.endsWith("/widget.js")) ?? null;
}

function place(frame: HTMLIFrameElement, size: { width: string; height: string }, visible: boolean): void {
  const style = (name: string, value: string) => frame.style.setProperty(name, value, "important");
  style("position", "fixed");
  style("right", "0");
  style("bottom", "0");
  style("z-index", "2147483000");
  style("border", "0");
  style("margin", "0");
  style("padding", "0");
  style("background", "transparent");
  // The same scheme as the frame's page, or the browser paints an opaque backdrop behind it.
  style("color-scheme", "light");
  style("width", size.width);
  style("height", size.height);
  style("visibility", visible ? "visible" : "hidden");
}

function mount(): void {
  if (!script || document.querySelector("iframe[data-livechat-widget]")) return;
  const server = new URL(script.src, location.href).origin;
  const queue = script.dataset.queue?.trim();
  const frame = document.createElement("iframe");
  frame.dataset.livechatWidget = "";
  frame.title = "Chat";
  const source = new URL("/widget/frame", server);
  if (queue) source.searchParams.set("queue", queue);
  frame.src = source.toString();
  // Hidden until the widget inside says it is there: a refused frame never shows.
  place(frame, ClosedSize, false);
  window.addEventListener("message", (event: MessageEvent) => {
    if (event.source !== frame.contentWindow || event.origin !== server) return;
    const message = event.data as Partial<FrameLayout> | null;
    if (message?.[FrameMessage] !== "layout") return;
    place(frame, message.open ? OpenSize : ClosedSize, true);
  });
  document.body.append(frame);
}

if (document.body) mount();
else document.addEventListener("DOMContentLoaded", mount, { once: true });

// The widget itself, in a frame of the chat server's own origin that widget.js puts on the customer's page. Its
// storage (the visitor token, the conversation) and its document belong to the chat server's origin, so no script of
// the host page (a tag manager, an ad, an injected script) can read the visitor's token or chats. It draws itself inside
// a shadow root as before, and tells the page around it, by postMessage, how much room it needs.
import css from "./widget.css";
import { Widget } from "./panel";
import { Memory } from "./storage";
import { FrameMessage, type FrameLayout } from "./layout";

function styleInto(root: ShadowRoot): void {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  root.adoptedStyleSheets = [sheet];
}

function tellHost(open: boolean): void {
  // Only the size goes out, never anything of the chat, so any page embedding the frame may hear it.
  if (window.parent !== window) window.parent.postMessage({ [FrameMessage]: "layout", open } satisfies FrameLayout, "*");
}

function mount(): void {
  const queue = new URLSearchParams(location.search).get("queue")?.trim() || null;
  // A frame's page is transparent where the widget draws nothing; the styles go in through the CSSOM, as the CSP allows.
  document.documentElement.style.background = "transparent";
  document.documentElement.style.colorScheme = "light";
  document.body.style.margin = "0";
  document.body.style.background = "transparent";
  const host = document.createElement("livechat-widget");
  const root = host.attachShadow({ mode: "open" });
  styleInto(root);
  document.body.append(host);
  const widget = new Widget(root, location.origin, queue, new Memory(location.origin, queue), tellHost);
  void widget.init();
}

if (document.body) mount();
else document.addEventListener("DOMContentLoaded", mount, { once: true });

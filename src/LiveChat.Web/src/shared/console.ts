// What the agent console and the supervisor dashboard share: signing in, the top bar's connection state,
// announcement banners, a beep and a flashing title.
import { h, replace, text } from "./dom";
import type { Link } from "./hub";
import { dateTime } from "./format";
import type { Announcement, StaffToken } from "./protocol";
import { signIn } from "./staff";

/** The sign-in page; `done` runs with the token once the server accepted the username and password. */
export function showSignIn(app: HTMLElement, role: "agent" | "supervisor", title: string, done: (token: StaffToken) => void): void {
  const username = h("input", { id: "signin-username", name: "username", autocomplete: "username", required: true, maxlength: 100 });
  const password = h("input", { id: "signin-password", name: "password", type: "password", autocomplete: "current-password", required: true, maxlength: 1000 });
  const error = h("p", { className: "form-error", role: "alert" });
  const submit = h("button", { type: "submit", className: "primary" }, "Sign in");
  const form = h(
    "form",
    {
      className: "signin-card",
      onsubmit: async (event: SubmitEvent) => {
        event.preventDefault();
        submit.disabled = true;
        text(error, "");
        try {
          done(await signIn(role, username.value.trim(), password.value));
        } catch (err) {
          text(error, err instanceof Error ? err.message : String(err));
          password.select();
        } finally {
          submit.disabled = false;
        }
      },
    },
    h("div", { className: "brand large" }, h("span", { className: "brand-mark", "aria-hidden": "true" }, "LC"), "LiveChat"),
    h("h1", null, title),
    h("label", { for: username.id }, "Username"),
    username,
    h("label", { for: password.id }, "Password"),
    password,
    error,
    submit,
  );
  replace(app, h("main", { className: "signin" }, form));
  username.focus();
}

/** The brand and page name at the left of the top bar. */
export function brand(page: string): HTMLElement {
  return h("div", { className: "brand" }, h("span", { className: "brand-mark", "aria-hidden": "true" }, "LC"), "LiveChat", h("span", { className: "brand-page" }, page));
}

/** "Connected" / "Reconnecting…" in the top bar, announced to screen readers when it changes. */
export class ConnectionState {
  readonly element = h("span", { className: "connection", role: "status" });

  constructor() {
    this.set("connecting");
  }

  set(state: Link): void {
    const words = { connecting: "Connecting…", connected: "Connected", reconnecting: "Reconnecting…", lost: "Connection lost, reconnecting…" }[state];
    this.element.className = `connection ${state}`;
    text(this.element, words);
    document.body.classList.toggle("offline", state !== "connected");
  }
}

/** The active announcements as banners, newest last. */
export class AnnouncementBanners {
  readonly element = h("div", { className: "announcements", "aria-live": "polite" });
  private readonly items = new Map<string, HTMLElement>();

  publish(announcement: Announcement): void {
    if (this.items.has(announcement.id)) return;
    const label = { info: "Announcement", warning: "Warning", critical: "Critical" }[announcement.severity] ?? "Announcement";
    const item = h(
      "div",
      { className: `announcement ${announcement.severity}`, role: announcement.severity === "critical" ? "alert" : "status", "data-announcement": announcement.id },
      h("strong", null, `${label}: `),
      h("span", { className: "announcement-text" }, announcement.text),
      h("span", { className: "announcement-until" }, ` until ${dateTime(announcement.expiresAt)}`),
    );
    this.items.set(announcement.id, item);
    this.element.append(item);
  }

  withdraw(id: string): void {
    this.items.get(id)?.remove();
    this.items.delete(id);
  }
}

let audio: AudioContext | null = null;

/** Prepares sound on a user gesture (browsers keep an AudioContext made earlier suspended). */
export function unlockSound(): void {
  try {
    audio ??= new AudioContext();
    void audio.resume();
  } catch {
    audio = null;
  }
}

/** A short two-tone beep, made with WebAudio so no sound file is needed. */
export function beep(): void {
  if (!audio) unlockSound();
  if (!audio) return;
  const now = audio.currentTime;
  for (const [offset, frequency] of [[0, 880], [0.16, 1175]] as const) {
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, now + offset);
    gain.gain.exponentialRampToValueAtTime(0.2, now + offset + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + offset + 0.14);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(now + offset);
    oscillator.stop(now + offset + 0.15);
  }
}

/** Flashes "(n) New chat · Vera" in the tab's title until the tab is viewed. */
export class TitleFlash {
  private readonly original = document.title;
  private count = 0;
  private latest = "";
  private timer: number | undefined;
  private on = false;

  constructor() {
    const stop = () => {
      if (document.visibilityState === "visible" && document.hasFocus()) this.stop();
    };
    window.addEventListener("focus", stop);
    document.addEventListener("visibilitychange", stop);
    document.addEventListener("pointerdown", () => this.stop());
    document.addEventListener("keydown", () => this.stop());
  }

  /** Flashes the title, unless the agent is looking at the console already (the beep is enough then). */
  notify(what: string): void {
    if (document.visibilityState === "visible" && document.hasFocus()) return;
    this.count++;
    this.latest = what;
    this.on = true;
    this.render();
    window.clearInterval(this.timer);
    this.timer = window.setInterval(() => {
      this.on = !this.on;
      this.render();
    }, 1000);
  }

  stop(): void {
    if (this.count === 0) return;
    window.clearInterval(this.timer);
    this.count = 0;
    document.title = this.original;
  }

  private render(): void {
    document.title = this.on ? `(${this.count}) New chat · ${this.latest}` : this.original;
  }
}

// Canned responses: a picker behind a button, and suggestions while the composer starts with "/shortcut".
import { h, replace } from "../shared/dom";
import type { CannedResponse } from "../shared/protocol";

export class CannedPicker {
  /** The suggestion list shown above the composer. */
  readonly element = h("ul", { className: "canned-suggestions", role: "listbox", id: "canned-suggestions", "aria-label": "Canned responses", hidden: true });
  private responses: CannedResponse[] = [];
  private shown: CannedResponse[] = [];
  private active = 0;

  constructor(private readonly composer: HTMLTextAreaElement, private readonly insert: (text: string) => void) {
    composer.setAttribute("aria-controls", this.element.id);
    composer.addEventListener("input", () => this.suggest());
    composer.addEventListener("blur", () => setTimeout(() => this.hide(), 150));
  }

  set(responses: CannedResponse[], queue: string | null): void {
    // The open conversation's queue first, then the rest: an agent serving several queues still finds every reply.
    this.responses = [...responses].sort((a, b) => Number(b.queue === queue) - Number(a.queue === queue));
  }

  get isOpen(): boolean {
    return !this.element.hidden;
  }

  /** Arrow keys, Enter/Tab and Escape while suggestions are shown; true when the key was used. */
  handleKey(event: KeyboardEvent): boolean {
    if (!this.isOpen) return false;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      this.active = (this.active + (event.key === "ArrowDown" ? 1 : this.shown.length - 1)) % this.shown.length;
      this.render();
    } else if (event.key === "Enter" || event.key === "Tab") {
      this.choose(this.shown[this.active]!);
    } else if (event.key === "Escape") {
      this.hide();
    } else {
      return false;
    }
    event.preventDefault();
    return true;
  }

  /** Shows every response, for the "Canned" button. */
  showAll(): void {
    this.show(this.responses);
  }

  hide(): void {
    this.element.hidden = true;
    this.composer.setAttribute("aria-expanded", "false");
  }

  private suggest(): void {
    const match = /^\/(\S*)$/.exec(this.composer.value);
    if (!match) return this.hide();
    const typed = match[1]!.toLowerCase();
    this.show(this.responses.filter((r) => r.shortcut.toLowerCase().startsWith(typed)));
  }

  private show(list: CannedResponse[]): void {
    this.shown = list;
    this.active = 0;
    if (list.length === 0) {
      this.element.hidden = false;
      replace(this.element, h("li", { className: "canned-empty" }, this.responses.length === 0 ? "No canned responses for your queues." : "No canned response starts with that."));
      this.shown = [];
      return;
    }
    this.render();
  }

  private render(): void {
    if (this.shown.length === 0) return this.hide();
    this.element.hidden = false;
    this.composer.setAttribute("aria-expanded", "true");
    replace(
      this.element,
      ...this.shown.map((r, i) =>
        h(
          "li",
          {
            role: "option",
            id: `canned-${r.id}`,
            className: i === this.active ? "active" : "",
            "aria-selected": i === this.active ? "true" : "false",
            onmousedown: (event: MouseEvent) => {
              event.preventDefault();
              this.choose(r);
            },
          },
          h("span", { className: "canned-shortcut" }, `/${r.shortcut}`),
          h("span", { className: "canned-queue" }, r.queue),
          h("span", { className: "canned-text" }, r.text),
        ),
      ),
    );
    this.composer.setAttribute("aria-activedescendant", `canned-${this.shown[this.active]!.id}`);
  }

  private choose(response: CannedResponse): void {
    this.hide();
    this.insert(response.text);
  }
}

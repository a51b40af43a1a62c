// The transfer dialog: a queue or another agent (with their status and load), and the server's refusal in words.
import { reason } from "../shared/api";
import { h, replace, text } from "../shared/dom";
import type { ConversationView, TransferTargets } from "../shared/protocol";
import type { signalR } from "../shared/hub";

export function openTransferDialog(hub: signalR.HubConnection, conversation: ConversationView, done: (view: ConversationView) => void): void {
  const body = h("div", { className: "dialog-body" }, h("p", { className: "muted" }, "Loading where you can transfer to…"));
  const error = h("p", { className: "form-error", role: "alert" });
  const dialog = h(
    "dialog",
    { className: "transfer-dialog", "aria-labelledby": "transfer-title" },
    h("h2", { id: "transfer-title" }, `Transfer ${conversation.visitorName}`),
    body,
    error,
    h("div", { className: "dialog-actions" }, h("button", { type: "button", onclick: () => dialog.close() }, "Cancel")),
  );
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();

  const transfer = async (button: HTMLButtonElement, request: { toAgentId: string | null; toQueue: string | null }) => {
    text(error, "");
    button.disabled = true;
    try {
      const view = await hub.invoke<ConversationView>("TransferConversation", conversation.conversationId, request);
      dialog.close();
      done(view);
    } catch (err) {
      text(error, `Not transferred: ${reason(err)}`);
      button.disabled = false;
    }
  };

  hub.invoke<TransferTargets>("GetTransferTargets").then(
    (targets) => {
      const queues = h(
        "ul",
        { className: "target-list" },
        ...targets.queues.map((queue) => {
          const button: HTMLButtonElement = h("button", { type: "button", onclick: () => transfer(button, { toAgentId: null, toQueue: queue }) }, queue === conversation.queue ? `${queue} (back to the head of this queue)` : queue);
          return h("li", null, button);
        }),
      );
      const agents = h(
        "ul",
        { className: "target-list" },
        ...targets.agents.map((agent) => {
          const button: HTMLButtonElement = h(
            "button",
            { type: "button", className: agent.hasFreeCapacity ? "" : "unavailable", onclick: () => transfer(button, { toAgentId: agent.agentId, toQueue: null }) },
            h("span", { className: `status-dot ${agent.status.toLowerCase()}`, "aria-hidden": "true" }),
            h("span", { className: "target-name" }, agent.displayName),
            h("span", { className: "target-detail" }, `${agent.status} · ${agent.activeConversations} / ${agent.maxConversations}`),
          );
          return h("li", null, button);
        }),
      );
      replace(body, h("h3", null, "To a queue"), queues, h("h3", null, "To an agent"), targets.agents.length ? agents : h("p", { className: "muted" }, "There are no other agents."));
    },
    (err) => replace(body, h("p", { className: "form-error" }, `Cannot list transfer targets: ${reason(err)}`)),
  );
}

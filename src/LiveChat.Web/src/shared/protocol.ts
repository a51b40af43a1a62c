// The wire shapes of docs/protocol.md, section 5, as TypeScript types. The C# records in src/LiveChat.Contracts are the
// source: tests/LiveChat.UnitTests/Wire/ProtocolTypesTests fails when a type here disagrees with its record (a field,
// its type, whether it can be null), and when the server sends or takes a record that is not declared here.

export type Role = "visitor" | "agent" | "supervisor" | "system";
export type MessageKind = "message" | "whisper" | "note";
export type ConversationStatus = "Queued" | "Active" | "Closed";
export type AgentStatus = "Online" | "Away" | "Offline";
export type Severity = "info" | "warning" | "critical";

export interface ChatMessage {
  conversationId: string;
  seq: number;
  senderRole: Role;
  senderId: string;
  senderName: string;
  text: string;
  sentAt: string;
  clientMessageId: string;
  kind: MessageKind;
}

export interface MessageAck {
  conversationId: string;
  seq: number;
  sentAt: string;
  duplicate: boolean;
}

export interface Rating {
  score: number;
  comment: string | null;
  ratedAt: string;
}

export interface ConversationView {
  conversationId: string;
  queue: string;
  status: ConversationStatus;
  visitorId: string;
  visitorName: string;
  agentId: string | null;
  agentName: string | null;
  queuePosition: number | null;
  estimatedWaitSeconds: number | null;
  createdAt: string;
  assignedAt: string | null;
  closedAt: string | null;
  lastSeq: number;
  topic: string | null;
  rating: Rating | null;
  firstResponseSeconds: number | null;
  /** True when the site signed the visitor's session for a user it knows. */
  visitorVerified: boolean;
  /** The email the visitor gave in their session, for staff to answer by; null when none. */
  visitorEmail: string | null;
  /** Whether the visitor has the chat open: here, away for less than the grace (a reload), or gone; null once closed. */
  visitorPresence: VisitorPresence | null;
  /** Why LiveChat closed it when nobody did: "abandoned" (left while waiting) or "visitor-left" (left while assigned). */
  closedReason: string | null;
}

export type VisitorPresence = "Here" | "Away" | "Gone";

export interface AgentView {
  agentId: string;
  displayName: string;
  status: AgentStatus;
  activeConversations: number;
  maxConversations: number;
  averageFirstResponseSeconds: number | null;
  hasFreeCapacity: boolean;
}

export interface QueueStats {
  name: string;
  waiting: number;
  longestWaitSeconds: number;
  agentsOnline: number;
  freeCapacity: number;
  agentsAway: number;
  averageWaitSeconds: number | null;
  averageFirstResponseSeconds: number | null;
  waitingPastSla: number;
  awaitingFirstResponse: number;
  firstResponsePastSla: number;
  csatAverage: number | null;
  ratings: number;
  slaBreaches: number;
  /** Waiting chats whose visitor left before an agent was free, in the last 15 minutes. */
  abandoned: number;
}

export interface DashboardView {
  queues: QueueStats[];
  agents: AgentView[];
  activeConversations: number;
  at: string;
  csatAverage: number | null;
  ratings: number;
  slaBreaches: number;
  sla: SlaView;
}

export interface SlaView {
  waitSeconds: number;
  firstResponseSeconds: number;
}

export interface QueueSample {
  at: string;
  queue: string;
  waiting: number;
  longestWaitSeconds: number;
  averageWaitSeconds: number | null;
}

export interface TypingIndicator {
  conversationId: string;
  senderRole: Role;
  senderName: string;
  isTyping: boolean;
}

export interface ReadReceipt {
  conversationId: string;
  readerRole: Role;
  seq: number;
}

export interface WatchedConversation {
  conversation: ConversationView;
  messages: ChatMessage[];
  internalMessages: ChatMessage[];
}

export interface CannedResponse {
  id: string;
  queue: string;
  shortcut: string;
  text: string;
  updatedAt: string;
  updatedBy: string;
}

export interface Announcement {
  id: string;
  text: string;
  severity: Severity;
  publishedAt: string;
  expiresAt: string;
  publishedBy: string;
}

export interface FeedbackEntry {
  conversationId: string;
  queue: string;
  agentId: string | null;
  agentName: string | null;
  visitorId: string;
  visitorName: string;
  score: number;
  comment: string | null;
  ratedAt: string;
  revisions: number;
  reviewedBy: string | null;
  reviewedAt: string | null;
  reviewed: boolean;
}

export interface FeedbackPage {
  items: FeedbackEntry[];
  nextBefore: string | null;
}

export interface VisitorSession {
  visitorId: string;
  accessToken: string;
  expiresAt: string;
}

export interface StaffToken {
  accessToken: string;
  expiresAt: string;
  agentId: string;
  displayName: string;
  role: "agent" | "supervisor";
}

/** `GetTransferTargets` on /hubs/agent. */
export interface TransferTargets {
  queues: string[];
  agents: AgentView[];
}

/** A message a visitor left while nobody was online (`GetOfflineMessages` on /hubs/supervisor). */
export interface OfflineMessage {
  id: string;
  queue: string;
  name: string;
  email: string;
  text: string;
  receivedAt: string;
  handledBy: string | null;
  handledAt: string | null;
  handled: boolean;
}

/** How full a queue's offline inbox is, and how many messages it refused for it (`GetOfflineInboxStatus`). */
export interface OfflineInboxStatus {
  queue: string;
  kept: number;
  unhandled: number;
  capacity: number;
  refused: number;
  refusedSince: string | null;
}

/** `GET /api/queues/{queue}/availability`: whether anyone answers, and the active announcements. */
export interface QueueAvailability {
  queue: string;
  online: boolean;
  agentsOnline: number;
  waiting: number;
  averageWaitSeconds: number | null;
  announcements: Announcement[];
  /** False when the widget should offer the offline form instead of a chat, for `reason`. */
  accepting: boolean;
  /** "nobody-online", "full", or "long-wait" (still accepting: the form is offered beside the chat); null when all is well. */
  reason: string | null;
  /** The expected wait of a chat started now, in seconds; null when unknown. */
  estimatedWaitSeconds: number | null;
}

// What the pages send: a field left out is null (or its default).

export interface StartConversationRequest {
  queue?: string | null;
  topic?: string | null;
  text?: string | null;
}

export interface TransferRequest {
  toAgentId?: string | null;
  toQueue?: string | null;
}

export interface CannedResponseRequest {
  id: string | null;
  shortcut: string;
  text: string;
}

export interface AnnouncementRequest {
  text: string;
  severity?: Severity | null;
  expiresInMinutes?: number | null;
}

export interface FeedbackQuery {
  queue?: string | null;
  agentId?: string | null;
  score?: number | null;
  reviewed?: boolean | null;
  before?: string | null;
  limit?: number;
}

export interface TokenRequest {
  username: string | null;
  password: string | null;
}

export interface VisitorSessionRequest {
  name?: string | null;
  email?: string | null;
  visitorToken?: string | null;
  userId?: string | null;
  timestamp?: number | null;
  signature?: string | null;
  nonce?: string | null;
}

export interface OfflineMessageRequest {
  queue: string | null;
  name: string | null;
  email: string | null;
  text: string | null;
}

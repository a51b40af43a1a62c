using LiveChat.Server.Announcements;
using LiveChat.Server.Conversations;
using LiveChat.Server.Routing;
using LiveChat.Server.Supervision;
using LiveChat.Server.Visitors;
namespace LiveChat.Server.Storage;

/// <summary>Names of storage providers and state, the same with memory and Redis storage.</summary>
public static class StorageNames
{
    /// <summary>The grain storage provider every grain persists to.</summary>
    public const string Grains = "livechat";

    public const string ConversationState = "conversation";
    public const string QueueState = "queue";
    public const string AgentState = "agent";
    public const string VisitorState = "visitor";
    public const string CannedResponsesState = "canned-responses";
    public const string AnnouncementsState = "announcements";
    public const string OfflineMessagesState = "offline-messages";
}

using System.Text.RegularExpressions;
using LiveChat.Server.Announcements;
using LiveChat.Server.Conversations;
using LiveChat.Server.Routing;
using LiveChat.Server.Supervision;
using LiveChat.Server.Visitors;
using Newtonsoft.Json.Serialization;

namespace LiveChat.Server.Storage;

/// <summary>
/// Grain state in Redis is JSON that names each object's CLR type (Orleans' default storage serializer writes
/// <c>"$type": "LiveChat.Server.Grains.ConversationState, LiveChat.Server"</c>), so a state class that moves to another
/// namespace or is renamed would no longer load. Until issue 14 every state class lived in <c>LiveChat.Server.Grains</c>;
/// this binder reads those names as the classes' new homes, and leaves everything else to Orleans' own binder (and its
/// allow-list). State is written under the new names from then on. A class that moves again adds its old name here.
/// </summary>
internal sealed partial class StoredTypeNames(ISerializationBinder orleans) : ISerializationBinder
{
    private static readonly Dictionary<string, Type> Moved = new(StringComparer.Ordinal)
    {
        ["ConversationState"] = typeof(ConversationState),
        ["PendingAnnouncement"] = typeof(PendingAssignmentLine),
        ["QueueState"] = typeof(QueueState),
        ["PendingNotice"] = typeof(PendingNotice),
        ["AgentState"] = typeof(AgentState),
        ["PendingHandBack"] = typeof(PendingHandBack),
        ["ActiveChat"] = typeof(ActiveChat),
        ["VisitorState"] = typeof(VisitorState),
        ["VisitorConversation"] = typeof(VisitorConversation),
        ["OfflineMessagesState"] = typeof(OfflineMessagesState),
        ["CannedResponsesState"] = typeof(CannedResponsesState),
        ["AnnouncementsState"] = typeof(AnnouncementsState),
    };

    /// <summary>The binder Orleans set up, wrapped; only after Orleans' own setup, so there is one to wrap.</summary>
    public static void Wrap(Orleans.Serialization.OrleansJsonSerializerOptions options)
    {
        if (options.JsonSerializerSettings.SerializationBinder is { } binder and not StoredTypeNames)
            options.JsonSerializerSettings.SerializationBinder = new StoredTypeNames(binder);
    }

    public Type BindToType(string? assemblyName, string typeName) => orleans.BindToType(assemblyName, Rename(typeName));

    public void BindToName(Type serializedType, out string? assemblyName, out string? typeName) =>
        orleans.BindToName(serializedType, out assemblyName, out typeName);

    /// <summary>A type name with every old state class in it (a generic's arguments too) given its new full name.</summary>
    internal static string Rename(string typeName) => OldName().Replace(typeName, m =>
        Moved.TryGetValue(m.Groups["name"].Value, out var type) ? type.FullName! : m.Value);

    [GeneratedRegex(@"\bLiveChat\.Server\.Grains\.(?<name>\w+)(?=$|[,\]])")]
    private static partial Regex OldName();
}

using System.Reflection;
using LiveChat.Server.Hubs;
using Microsoft.AspNetCore.SignalR;

namespace LiveChat.Tests.Hardening;

/// <summary>The methods a client can invoke on each hub, found by reflection, so a method added later is covered too.</summary>
internal static class HubMethods
{
    public static readonly IReadOnlyList<MethodInfo> Visitor = Of(typeof(VisitorHub));
    public static readonly IReadOnlyList<MethodInfo> Agent = Of(typeof(AgentHub));
    public static readonly IReadOnlyList<MethodInfo> Supervisor = Of(typeof(SupervisorHub));

    public static IReadOnlyList<MethodInfo> Of(Type hub) =>
        hub.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => !m.IsSpecialName && m.DeclaringType is { } declaring && declaring != typeof(object) && !IsHubBase(declaring))
            .Where(m => m.Name is not (nameof(Hub.OnConnectedAsync) or nameof(Hub.OnDisconnectedAsync) or nameof(Hub.Dispose)))
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToList();

    public static bool NamesAConversation(MethodInfo method) => method.GetParameters().Any(p => p.Name == "conversationId");

    private static bool IsHubBase(Type type) => type == typeof(Hub) || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Hub<>));
}

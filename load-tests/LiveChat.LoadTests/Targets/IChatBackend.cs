using System.Diagnostics;

namespace LiveChat.LoadTests.Targets;

public enum Direction
{
    VisitorToAgent,
    AgentToVisitor,
}

/// <summary>Something the <c>chat</c> scenario drives: pairs of a visitor and an agent who exchange messages.</summary>
public interface IChatBackend : IAsyncDisposable
{
    string Name { get; }

    /// <summary>The server processes under test (one per node), for CPU and memory.</summary>
    IReadOnlyList<Process> ServerProcesses { get; }

    /// <summary>Opens <paramref name="pairs"/> conversations; agents carry <paramref name="capacity"/> each. Received messages from the other side go to <paramref name="onReceived"/>.</summary>
    Task OpenAsync(int pairs, int capacity, Action<int, Direction, string> onReceived, CancellationToken cancellationToken);

    Task SendAsync(int pair, Direction direction, string clientMessageId, string text);
}

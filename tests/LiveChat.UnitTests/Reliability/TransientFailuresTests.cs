using LiveChat.Server.Reliability;
using Orleans.Persistence.Redis;
using Orleans.Runtime;
using Orleans.Storage;
using StackExchange.Redis;

namespace LiveChat.UnitTests.Reliability;

public sealed class TransientFailuresTests
{
    public static TheoryData<Exception> Transient() =>
    [
        new SiloUnavailableException("the node is dead"),
        new InconsistentStateException("etag mismatch"),
        new TimeoutException("no answer in time"),
        new RedisConnectionException(ConnectionFailureType.UnableToConnect, "Redis is away"),
        new RedisTimeoutException("Redis did not answer", CommandStatus.Sent),
        new InvalidOperationException("wrapped", new SiloUnavailableException()),
        new AggregateException(new Exception("outer", new TimeoutException())),
        // Orleans' Redis grain storage keeps only the text of what failed, and Orleans wraps that on activation.
        new OrleansException("Error from storage provider RedisGrainStorage.conversation during ReadStateAsync for grain conversation/c_1",
            new RedisStorageException("Failed to read grain state for conversation with ID conversation/c_1 and storage key s/state/conversation/c_1/conversation. " +
                "StackExchange.Redis.RedisConnectionException: The message timed out in the backlog attempting to send because no connection became available (1000ms)")),
        new RedisStorageException("Failed to write grain state for agent grain with ID agent/ann and storage key s/state/agent/ann/agent. " +
            "StackExchange.Redis.RedisTimeoutException: Timeout awaiting response (outbound=0KiB, inbound=0KiB, 5000ms elapsed, timeout is 5000ms)"),
    ];

    public static TheoryData<Exception> Lasting() =>
    [
        new ChatRuleException("not your conversation"),
        new ArgumentException("bad input"),
        new InvalidOperationException("a bug"),
        new OperationCanceledException(),
        new RedisStorageException("Failed to read grain state for conversation with ID conversation/c_1 and storage key s/state/conversation/c_1/conversation. " +
            "Newtonsoft.Json.JsonSerializationException: Could not create an instance of type LiveChat.Server.Conversations.ConversationState"),
    ];

    [Theory, MemberData(nameof(Transient))]
    public void AFailureOfTheNodeOrStoreAndNotOfTheCallIsTransient(Exception failure) => Assert.True(TransientFailures.IsTransient(failure));

    [Theory, MemberData(nameof(Lasting))]
    public void AFailureOfTheCallItselfIsNot(Exception failure) => Assert.False(TransientFailures.IsTransient(failure));
}

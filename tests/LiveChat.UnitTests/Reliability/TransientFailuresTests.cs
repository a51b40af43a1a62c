using LiveChat.Server.Reliability;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Persistence.Redis;
using Orleans.Runtime;
using Orleans.Serialization;
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
        new RedisServerException("LOADING Redis is loading the dataset in memory"),
        new RedisServerException("READONLY You can't write against a read only replica."),
        // Orleans' Redis grain storage keeps only the text of what failed, and Orleans wraps that on activation.
        new OrleansException("Error from storage provider RedisGrainStorage.conversation during ReadStateAsync for grain conversation/c_1",
            new RedisStorageException("Failed to read grain state for conversation with ID conversation/c_1 and storage key s/state/conversation/c_1/conversation. " +
                "StackExchange.Redis.RedisConnectionException: The message timed out in the backlog attempting to send because no connection became available (1000ms)")),
        new RedisStorageException("Failed to write grain state for agent grain with ID agent/ann and storage key s/state/agent/ann/agent. " +
            "StackExchange.Redis.RedisTimeoutException: Timeout awaiting response (outbound=0KiB, inbound=0KiB, 5000ms elapsed, timeout is 5000ms)"),
        new RedisStorageException("Failed to read grain state for agent grain with ID agent/ann and storage key s/state/agent/ann/agent. " +
            "StackExchange.Redis.RedisServerException: LOADING Redis is loading the dataset in memory"),
    ];

    public static TheoryData<Exception> Lasting() =>
    [
        new ChatRuleException("not your conversation"),
        new ArgumentException("bad input"),
        new InvalidOperationException("a bug"),
        new OperationCanceledException(),
        new RedisServerException("ERR The ID specified in XADD is equal or smaller than the target stream top item"),
        new RedisStorageException("Failed to read grain state for conversation with ID conversation/c_1 and storage key s/state/conversation/c_1/conversation. " +
            "Newtonsoft.Json.JsonSerializationException: Could not create an instance of type LiveChat.Server.Conversations.ConversationState"),
    ];

    [Theory, MemberData(nameof(Transient))]
    public void AFailureOfTheNodeOrStoreAndNotOfTheCallIsTransient(Exception failure) => Assert.True(TransientFailures.IsTransient(failure));

    [Theory, MemberData(nameof(Lasting))]
    public void AFailureOfTheCallItselfIsNot(Exception failure) => Assert.False(TransientFailures.IsTransient(failure));

    [Fact]
    public void ARedisFailureMetByAGrainReachesACallerOnAnotherNodeAsItself()
    {
        using var services = new ServiceCollection().AddSerializer().Configure<ExceptionSerializationOptions>(TransientFailures.CarryAcrossNodes).BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();

        var reset = new Pipelines.Sockets.Unofficial.ConnectionResetException("Connection reset by peer");
        var sent = serializer.SerializeToArray<Exception>(new RedisConnectionException(ConnectionFailureType.SocketFailure, "Redis is away", reset));
        var received = serializer.Deserialize<Exception>(sent);

        Assert.IsType<RedisConnectionException>(received);
        Assert.True(TransientFailures.IsTransient(received));
    }
}

using LiveChat.Server.Reliability;
using Microsoft.Extensions.DependencyInjection;
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
        new OrleansException("Error from storage provider during ReadStateAsync", new Orleans.Persistence.Redis.RedisStorageException("Failed to read grain state")),
    ];

    public static TheoryData<Exception> Lasting() =>
    [
        new ChatRuleException("not your conversation"),
        new ArgumentException("bad input"),
        new InvalidOperationException("a bug"),
        new OperationCanceledException(),
        new RedisServerException("ERR The ID specified in XADD is equal or smaller than the target stream top item"),
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

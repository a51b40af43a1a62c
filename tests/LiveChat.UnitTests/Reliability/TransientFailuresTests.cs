using LiveChat.Server.Reliability;
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
    ];

    public static TheoryData<Exception> Lasting() =>
    [
        new ChatRuleException("not your conversation"),
        new ArgumentException("bad input"),
        new InvalidOperationException("a bug"),
        new OperationCanceledException(),
    ];

    [Theory, MemberData(nameof(Transient))]
    public void AFailureOfTheNodeOrStoreAndNotOfTheCallIsTransient(Exception failure) => Assert.True(TransientFailures.IsTransient(failure));

    [Theory, MemberData(nameof(Lasting))]
    public void AFailureOfTheCallItselfIsNot(Exception failure) => Assert.False(TransientFailures.IsTransient(failure));
}

using LiveChat.Server.Visitors;
using Microsoft.AspNetCore.SignalR;

namespace LiveChat.Server.Hubs;

/// <summary>Shape and size checks at the hub boundary; each failure says in words what is wrong.</summary>
internal static class HubInput
{
    public const int MaxIdLength = 100;
    public const int MaxPageSize = 500;
    public const int MaxCommentLength = 2000;
    public const int MaxTopicLength = 200;
    public const int MaxFeedbackPage = 200;

    public static string Id(string? value, string what)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new HubException($"{what} is required");
        if (value.Length > MaxIdLength)
            throw new HubException($"{what} too long: {value.Length} > {MaxIdLength} characters");
        return value;
    }

    public static string Text(string? text, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw new HubException("message text is empty");
        if (text.Length > maxLength)
            throw new HubException($"message too long: {text.Length} > {maxLength} characters");
        return text;
    }

    public static (long AfterSeq, int Limit) Page(long afterSeq, int limit)
    {
        if (afterSeq < 0)
            throw new HubException($"afterSeq must be 0 or more, not {afterSeq}");
        if (limit is < 1 or > MaxPageSize)
            throw new HubException($"limit must be from 1 to {MaxPageSize}, not {limit}");
        return (afterSeq, limit);
    }

    public static StartConversationRequest Start(StartConversationRequest? request, int maxLength)
    {
        request ??= new StartConversationRequest();
        if (request.Queue is { Length: > MaxIdLength })
            throw new HubException($"queue too long: {request.Queue.Length} > {MaxIdLength} characters");
        if (request.Topic is { Length: > MaxTopicLength })
            throw new HubException($"topic too long: {request.Topic.Length} > {MaxTopicLength} characters");
        if (request.Text is { Length: > 0 } text && text.Length > maxLength)
            throw new HubException($"message too long: {text.Length} > {maxLength} characters");
        return request;
    }

    public static (int Score, string? Comment) Rating(int score, string? comment)
    {
        if (score is < 1 or > 5)
            throw new HubException($"score must be from 1 to 5, not {score}");
        if (comment is { Length: > MaxCommentLength })
            throw new HubException($"comment too long: {comment.Length} > {MaxCommentLength} characters");
        return (score, comment);
    }

    public static AgentStatus Status(string? status) =>
        Enum.TryParse<AgentStatus>(status, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(status, out _)
            ? parsed
            : throw new HubException($"unknown status '{VisitorFields.Shorten(status ?? "")}': use Online, Away or Offline");

    public static TransferRequest Transfer(TransferRequest? request)
    {
        var toAgent = string.IsNullOrWhiteSpace(request?.ToAgentId) ? null : Id(request.ToAgentId, "toAgentId");
        var toQueue = string.IsNullOrWhiteSpace(request?.ToQueue) ? null : Id(request.ToQueue, "toQueue");
        if ((toAgent is null) == (toQueue is null))
            throw new HubException("give exactly one of toAgentId or toQueue");
        return new TransferRequest(toAgent, toQueue);
    }

    public static FeedbackQuery Feedback(FeedbackQuery? query)
    {
        query ??= new FeedbackQuery();
        if (query.Limit is < 1 or > MaxFeedbackPage)
            throw new HubException($"limit must be from 1 to {MaxFeedbackPage}, not {query.Limit}");
        if (query.Score is < 1 or > 5)
            throw new HubException($"score must be from 1 to 5, not {query.Score}");
        return query with
        {
            Queue = string.IsNullOrWhiteSpace(query.Queue) ? null : Id(query.Queue, "queue"),
            AgentId = string.IsNullOrWhiteSpace(query.AgentId) ? null : Id(query.AgentId, "agentId"),
        };
    }
}

using LiveChat.Server.Reliability;

namespace LiveChat.Server.Conversations;

/// <summary>The visitor's rating, and supervisors' review of it.</summary>
public sealed partial class ConversationGrain
{
    public async Task<FeedbackEntry> MarkFeedbackReviewed(Caller caller, bool reviewed)
    {
        EnsureExists();
        if (!caller.IsSupervisor)
            throw new ChatRuleException("only a supervisor can review feedback");
        if (S.Rating is null)
            throw new ChatRuleException("this conversation has no rating to review");
        if (reviewed != (S.ReviewedAt is not null))
        {
            S.ReviewedBy = reviewed ? caller.Id : null;
            S.ReviewedAt = reviewed ? time.GetUtcNow() : null;
            var entry = Feedback();
            await this.WriteOrDeactivate(() => feedback.SaveAsync(entry));
            await WriteState();
            return entry;
        }
        return Feedback();
    }

    public async Task Rate(Caller caller, int score, string? comment)
    {
        EnsureParticipant(caller, acting: true);
        if (!caller.IsVisitor)
            throw new ChatRuleException("only the visitor can rate a conversation");
        if (score is < 1 or > 5)
            throw new ChatRuleException($"score must be from 1 to 5, not {score}");
        // A chat nobody answered has no agent to rate; its visitor can leave a message instead.
        if (S.AssignedAt is null)
            throw new ChatRuleException("you can rate a conversation once an agent has joined it");
        comment = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim();
        // The same rating again (a resend) changes nothing and writes nothing.
        if (S.Rating is { } same && same.Score == score && same.Comment == comment)
            return;
        var previous = S.Rating?.Score;
        if (previous is null)
        {
            // The rating is filed under the queue and agent of the moment it was first given, whatever happens later.
            S.RatingQueue = S.Queue;
            (S.RatingAgentId, S.RatingAgentName) = (S.AgentId, S.AgentName);
        }
        S.Rating = new Rating(score, comment, time.GetUtcNow());
        S.RatingRevisions++;
        // A changed rating is new to review.
        (S.ReviewedBy, S.ReviewedAt) = (null, null);
        // Feedback first: a retry after a failed state write then rates again over it rather than losing it.
        await this.WriteOrDeactivate(() => feedback.SaveAsync(Feedback()));
        await WriteState();
        // The queue counts scores: a new comment alone changes nothing there.
        if (previous != score)
            await Queue(S.RatingQueue ?? S.Queue).Rated(score, previous);
        await PushUpdated(View());
    }

    private FeedbackEntry Feedback() => new(
        Id, S.RatingQueue ?? S.Queue, S.RatingAgentId, S.RatingAgentName, S.VisitorId, S.VisitorName, S.Rating!.Score, S.Rating.Comment, S.Rating.RatedAt,
        S.RatingRevisions, S.ReviewedBy, S.ReviewedAt);
}

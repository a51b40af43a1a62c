using System.Text;
using System.Text.Json;

namespace LiveChat.Tests.EndToEnd;

/// <summary>A site signs the visitor session for a user it knows: that user is one verified visitor on every device, and nothing else gets in.</summary>
[Collection(IdentityServerCollection.Name)]
public sealed class VerifiedVisitorTests(IdentityServer fixture)
{
    private LiveChatTestServer Server => fixture.Server;

    [Fact]
    public async Task AnAgentSeesASignedVisitorAsVerifiedAndAnAnonymousOneAsNot()
    {
        await using var agent = await Server.ConnectOnlineAgent("ada");
        var assigned = agent.Record<ConversationView>("ConversationAssigned");

        var session = await fixture.OpenSignedSession("customer-1001", name: "Vera");
        await using var verified = await Server.ConnectVisitor(session);
        var verifiedChat = await verified.InvokeAsync<ConversationView>("StartConversation", new StartConversationRequest(null, Text: "where is my order?")).WaitAsync(Clients.Timeout);
        await using var anonymous = await Server.StartVisitorChat("Anon", "support", "hello");

        Assert.StartsWith("vu_", session.VisitorId);
        Assert.True(TokenClaims(session.AccessToken).GetProperty("verified").GetBoolean());
        Assert.False(TokenClaims(anonymous.Session.AccessToken).TryGetProperty("verified", out _));
        Assert.True((await assigned.Next(c => c.ConversationId == verifiedChat.ConversationId)).VisitorVerified);
        Assert.False((await assigned.Next(c => c.ConversationId == anonymous.Id)).VisitorVerified);
        var mine = await agent.InvokeAsync<List<ConversationView>>("GetMyConversations").WaitAsync(Clients.Timeout);
        Assert.True(mine.Single(c => c.ConversationId == verifiedChat.ConversationId).VisitorVerified);
        Assert.False(mine.Single(c => c.ConversationId == anonymous.Id).VisitorVerified);

        await verified.InvokeAsync<ConversationView>("CloseConversation", verifiedChat.ConversationId).WaitAsync(Clients.Timeout);
        await anonymous.Hub.InvokeAsync<ConversationView>("CloseConversation", anonymous.Id).WaitAsync(Clients.Timeout);
    }

    [Fact]
    public async Task TheSameUserOnASecondDeviceResumesTheSameConversation()
    {
        var laptopSession = await fixture.OpenSignedSession("customer-2002", name: "Lena");
        await using var laptop = await Server.ConnectVisitor(laptopSession);
        var chat = await laptop.InvokeAsync<ConversationView>("StartConversation", new StartConversationRequest(null, Text: "from the laptop")).WaitAsync(Clients.Timeout);
        var laptopMessages = laptop.Record<ChatMessage>("MessageReceived");

        // The phone has never seen this visitor: no visitorToken, only the site's signature for the same user.
        var phoneSession = await fixture.OpenSignedSession("customer-2002");
        await using var phone = await Server.ConnectVisitor(phoneSession);
        var phoneChats = await phone.InvokeAsync<List<ConversationView>>("GetMyConversations").WaitAsync(Clients.Timeout);
        var history = await phone.InvokeAsync<List<ChatMessage>>("GetMessages", chat.ConversationId, 0L, 50).WaitAsync(Clients.Timeout);
        await phone.InvokeAsync<MessageAck>("SendMessage", chat.ConversationId, "p-1", "and now from the phone").WaitAsync(Clients.Timeout);

        Assert.Equal(laptopSession.VisitorId, phoneSession.VisitorId);
        Assert.Equal([chat.ConversationId], phoneChats.Select(c => c.ConversationId));
        Assert.Equal(["from the laptop"], history.Where(m => m.SenderRole == Roles.Visitor).Select(m => m.Text));
        Assert.Equal("and now from the phone", (await laptopMessages.Next(m => m.ClientMessageId == "p-1")).Text);
        var again = await phone.InvokeAsync<ConversationView>("StartConversation", new StartConversationRequest(null)).WaitAsync(Clients.Timeout);
        Assert.Equal(chat.ConversationId, again.ConversationId);
        await phone.InvokeAsync<ConversationView>("CloseConversation", chat.ConversationId).WaitAsync(Clients.Timeout);
    }

    [Fact]
    public async Task ASignatureForAnotherUserOrTamperedWithIsRefusedInWords()
    {
        using var http = Server.Http();
        var now = fixture.Time.GetUtcNow().ToUnixTimeSeconds();
        var signature = IdentityServer.Sign("customer-3003", now);
        var tampered = (signature[0] == 'a' ? "b" : "a") + signature[1..];

        var otherUser = await http.PostAsJsonAsync("/api/visitor/session", new { userId = "customer-9999", timestamp = now, signature });
        var otherTime = await http.PostAsJsonAsync("/api/visitor/session", new { userId = "customer-3003", timestamp = now - 1, signature });
        var alteredSignature = await http.PostAsJsonAsync("/api/visitor/session", new { userId = "customer-3003", timestamp = now, signature = tampered });
        var signedElsewhere = await http.PostAsJsonAsync("/api/visitor/session", new
        {
            userId = "customer-3003", timestamp = now,
            signature = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData("another-site-secret-of-32-characters!"u8.ToArray(), Encoding.UTF8.GetBytes($"customer-3003\n{now}"))),
        });

        foreach (var refused in new[] { otherUser, otherTime, alteredSignature, signedElsewhere })
            Assert.Equal(["signature does not match userId and timestamp"], await FieldErrors(refused, "signature"));
        // The genuine one still works.
        var genuine = await http.PostAsJsonAsync("/api/visitor/session", new { userId = "customer-3003", timestamp = now, signature });
        Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);
    }

    [Fact]
    public async Task AVerifiedVisitorsTokenLastsAnHourAndAFreshSignatureRenewsIt()
    {
        var session = await fixture.OpenSignedSession("customer-4040");
        var anonymous = await Server.OpenVisitorSession("Anon");
        var now = fixture.Time.GetUtcNow();
        Assert.InRange(session.ExpiresAt, now.AddMinutes(59), now.AddMinutes(61));
        Assert.True(anonymous.ExpiresAt > now.AddDays(29), "an anonymous visitor's token lasts days");
        try
        {
            // An hour and a bit later the token no longer opens the hub; the site signs afresh and the visitor is the same.
            fixture.Time.Shift = TimeSpan.FromMinutes(62);
            var refused = await Assert.ThrowsAnyAsync<Exception>(() => Server.ConnectVisitor(session));
            Assert.Contains("401", refused.Message);
            var renewed = await fixture.OpenSignedSession("customer-4040");
            Assert.Equal(session.VisitorId, renewed.VisitorId);
            await using var again = await Server.ConnectVisitor(renewed);
            Assert.Equal(HubConnectionState.Connected, again.State);
        }
        finally
        {
            fixture.Time.Shift = TimeSpan.Zero;
        }
    }

    [Fact]
    public async Task ACapturedSignatureOpensNoSecondSessionAndStopsWorkingOnceTheWindowHasPassed()
    {
        using var http = Server.Http();
        var captured = fixture.SignedSession("customer-4004");
        try
        {
            var first = await http.PostAsJsonAsync("/api/visitor/session", captured);
            var withinWindow = await http.PostAsJsonAsync("/api/visitor/session", captured);
            fixture.Time.Shift = TimeSpan.FromSeconds(601);
            var replayed = await http.PostAsJsonAsync("/api/visitor/session", captured);

            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal(["signature already used: sign each session afresh"], await FieldErrors(withinWindow, "signature"));
            var error = Assert.Single(await FieldErrors(replayed, "timestamp"));
            Assert.Matches(@"^signature expired: signed 60\d s ago, the limit is 600 s$", error);
        }
        finally
        {
            fixture.Time.Shift = TimeSpan.Zero;
        }
    }

    [Fact]
    public async Task AVerifiedVisitorsNameAndEmailAreTheSitesWordNotTheBrowsers()
    {
        using var http = Server.Http();
        var signed = await http.PostAsJsonAsync("/api/visitor/session", fixture.SignedProfileSession("customer-5005", "Vera Lind", "vera@shop.example"));
        var signedSession = (await signed.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<VisitorSessionResponse>())!;

        // The browser sends its own name and email beside a signature that vouches for the user only: they change nothing.
        var at = fixture.Time.GetUtcNow().ToUnixTimeSeconds() - 1;
        var unsigned = await http.PostAsJsonAsync("/api/visitor/session",
            new { name = "Mallory", email = "mallory@evil.example", userId = "customer-5005", timestamp = at, signature = IdentityServer.Sign("customer-5005", at) });
        var unsignedSession = (await unsigned.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<VisitorSessionResponse>())!;
        // A name signed with the user is the site's: it changes the name.
        var renamed = await http.PostAsJsonAsync("/api/visitor/session", fixture.SignedProfileSession("customer-5005", "Vera Lind-Berg"));
        var renamedSession = (await renamed.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<VisitorSessionResponse>())!;
        // Name and email moved after signing: refused.
        var moved = await http.PostAsJsonAsync("/api/visitor/session",
            fixture.SignedProfileSession("customer-5005", "Vera Lind") is var body ? With(body, name: "Mallory") : null);

        Assert.Equal("Vera Lind", TokenClaims(signedSession.AccessToken).GetProperty("name").GetString());
        Assert.Equal("Vera Lind", TokenClaims(unsignedSession.AccessToken).GetProperty("name").GetString());
        Assert.Equal("Vera Lind-Berg", TokenClaims(renamedSession.AccessToken).GetProperty("name").GetString());
        Assert.Equal(["signature does not match userId, timestamp, nonce, name and email"], await FieldErrors(moved, "signature"));

        // The agent sees the name and email the site gave, not the browser's.
        await using var agent = await Server.ConnectOnlineAgent("ada");
        var assigned = agent.Record<ConversationView>("ConversationAssigned");
        await using var visitor = await Server.ConnectVisitor(unsignedSession);
        var chat = await visitor.InvokeAsync<ConversationView>("StartConversation", new StartConversationRequest(null, Text: "hi")).WaitAsync(Clients.Timeout);
        var seen = await assigned.Next(c => c.ConversationId == chat.ConversationId);
        Assert.Equal(("Vera Lind-Berg", "vera@shop.example"), (seen.VisitorName, seen.VisitorEmail));
        await visitor.InvokeAsync<ConversationView>("CloseConversation", chat.ConversationId).WaitAsync(Clients.Timeout);
    }

    /// <summary>The same JSON body with its name replaced.</summary>
    private static Dictionary<string, object?> With(object body, string name)
    {
        var fields = JsonSerializer.Deserialize<Dictionary<string, object?>>(JsonSerializer.Serialize(body))!;
        fields["name"] = name;
        return fields;
    }

    [Fact]
    public async Task ATimestampOutsideTheWindowIsRefusedEvenWithAGenuineSignature()
    {
        using var http = Server.Http();
        var now = fixture.Time.GetUtcNow().ToUnixTimeSeconds();

        var old = await http.PostAsJsonAsync("/api/visitor/session", fixture.SignedSession("customer-5005", timestamp: now - 700));
        var future = await http.PostAsJsonAsync("/api/visitor/session", fixture.SignedSession("customer-5005", timestamp: now + 300));
        var slightlyAhead = await http.PostAsJsonAsync("/api/visitor/session", fixture.SignedSession("customer-5005", timestamp: now + 30));

        Assert.Matches(@"^signature expired: signed 70\d s ago, the limit is 600 s$", Assert.Single(await FieldErrors(old, "timestamp")));
        Assert.Matches(@"^timestamp is (29\d|300) s in the future, more than the 60 s allowed for clock differences$", Assert.Single(await FieldErrors(future, "timestamp")));
        Assert.Equal(HttpStatusCode.OK, slightlyAhead.StatusCode);
    }

    [Fact]
    public async Task MalformedSignedFieldsAreRefusedInWords()
    {
        using var http = Server.Http();
        var now = fixture.Time.GetUtcNow().ToUnixTimeSeconds();

        var noSignature = await http.PostAsJsonAsync("/api/visitor/session", new { userId = "customer-6006", timestamp = now });
        var noUser = await http.PostAsJsonAsync("/api/visitor/session", new { timestamp = now, signature = IdentityServer.Sign("customer-6006", now) });
        var notHex = await http.PostAsJsonAsync("/api/visitor/session", new { userId = "customer-6006", timestamp = now, signature = "not-a-signature" });
        var lineBreak = await http.PostAsJsonAsync("/api/visitor/session", fixture.SignedSession("customer\n6006"));
        var tooLong = await http.PostAsJsonAsync("/api/visitor/session", fixture.SignedSession(new string('u', 201)));
        var textTimestamp = await http.PostAsync("/api/visitor/session", new StringContent(
            $"{{\"userId\": \"customer-6006\", \"timestamp\": \"yesterday\", \"signature\": \"{IdentityServer.Sign("customer-6006", now)}\"}}", Encoding.UTF8, "application/json"));

        Assert.Equal(["signature is required with a userId"], await FieldErrors(noSignature, "signature"));
        Assert.Equal(["userId is required with a signature"], await FieldErrors(noUser, "userId"));
        Assert.Equal(["signature must be 64 hexadecimal characters (HMAC-SHA256)"], await FieldErrors(notHex, "signature"));
        Assert.Equal(["userId must not contain control characters (such as a line break)"], await FieldErrors(lineBreak, "userId"));
        Assert.Equal(["userId too long: 201 > 200 characters"], await FieldErrors(tooLong, "userId"));
        Assert.Equal(HttpStatusCode.BadRequest, textTimestamp.StatusCode);
        Assert.Contains("malformed JSON body at $.timestamp", await textTimestamp.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AnonymousAndVerifiedVisitorsCannotTakeEachOtherOver()
    {
        var verified = await fixture.OpenSignedSession("customer-7007");
        await using (var hub = await Server.ConnectVisitor(verified))
            await hub.InvokeAsync<ConversationView>("StartConversation", new StartConversationRequest(null, Text: "my account details")).WaitAsync(Clients.Timeout);
        await using var anonymousChat = await Server.StartVisitorChat("Anon", "support", "anonymous question");

        // A verified visitor's token without the site's signature (signed out of the site on a shared computer).
        var unsigned = await Server.OpenVisitorSession(visitorToken: verified.AccessToken);
        // A signed session that also brings an anonymous visitor's token.
        var signed = await fixture.OpenSignedSession("customer-7008", visitorToken: anonymousChat.Session.AccessToken);
        // The anonymous visitor still resumes with their own token.
        var resumed = await Server.OpenVisitorSession(visitorToken: anonymousChat.Session.AccessToken);

        Assert.NotEqual(verified.VisitorId, unsigned.VisitorId);
        Assert.StartsWith("v_", unsigned.VisitorId);
        Assert.Empty(await MyConversations(unsigned));
        Assert.NotEqual(anonymousChat.Session.VisitorId, signed.VisitorId);
        Assert.Empty(await MyConversations(signed));
        Assert.Equal(anonymousChat.Session.VisitorId, resumed.VisitorId);
        Assert.Equal([anonymousChat.Id], (await MyConversations(resumed)).Select(c => c.ConversationId));
        await anonymousChat.Hub.InvokeAsync<ConversationView>("CloseConversation", anonymousChat.Id).WaitAsync(Clients.Timeout);
    }

    private async Task<List<ConversationView>> MyConversations(VisitorSessionResponse session)
    {
        await using var hub = await Server.ConnectVisitor(session);
        return await hub.InvokeAsync<List<ConversationView>>("GetMyConversations").WaitAsync(Clients.Timeout);
    }

    /// <summary>The messages of one field in a 400 problem+json.</summary>
    private static async Task<string[]> FieldErrors(HttpResponseMessage response, string field)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        return problem.RootElement.GetProperty("errors").GetProperty(field).EnumerateArray().Select(e => e.GetString()!).ToArray();
    }

    /// <summary>The claims of a token, as any client can read them (a JWT's payload is plain base64url JSON).</summary>
    private static JsonElement TokenClaims(string token)
    {
        var payload = token.Split('.')[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
        return JsonDocument.Parse(Convert.FromBase64String(payload)).RootElement.Clone();
    }
}

using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace LiveChat.Tests.Hardening;

/// <summary>
/// 500 random and malformed bodies, with wrong content types, to every HTTP endpoint of docs/protocol.md: never a 500,
/// every refusal a 4xx problem+json, and the node healthy and chatting afterwards. LIVECHAT_FUZZ_SEED repeats a run.
/// </summary>
[Collection(HardeningServerCollection.Name)]
public sealed class HttpFuzzTests(HardeningServer fixture, ITestOutputHelper output)
{
    private static readonly string[] Fields = ["name", "email", "visitorToken", "userId", "timestamp", "signature", "username", "password", "queue", "text", "Name", "NAME"];

    private static readonly string[] ContentTypes =
    [
        "application/json", "application/json", "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x", "application/xml", "application/json; charset=utf-16", "application/merge-patch+json", "",
    ];

    [Fact]
    public async Task FiveHundredHostileBodiesNeverGetA500AndEveryRefusalIsAProblem()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("LIVECHAT_FUZZ_SEED"), out var fixedSeed) ? fixedSeed : Random.Shared.Next();
        output.WriteLine($"fuzz seed: {seed} (LIVECHAT_FUZZ_SEED={seed} repeats this run)");
        var random = new Random(seed);
        var server = fixture.Server;
        var staff = (await server.SignIn("ada")).AccessToken;
        var visitor = (await server.OpenVisitorSession("Http fuzz")).AccessToken;
        using var http = server.Http();
        var failures = new List<string>();
        var statuses = new Dictionary<string, int>();

        for (var i = 0; i < 500; i++)
        {
            var (method, path) = Endpoint(random);
            using var request = new HttpRequestMessage(method, path);
            var body = Body(random);
            if (method == HttpMethod.Post || random.Next(4) == 0)
            {
                request.Content = new ByteArrayContent(body);
                var type = ContentTypes[random.Next(ContentTypes.Length)];
                request.Content.Headers.ContentType = type.Length == 0 ? null : MediaTypeHeaderValue.Parse(type);
            }
            if (path.StartsWith("/api/auth/refresh", StringComparison.Ordinal) && random.Next(3) > 0)
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", random.Next(3) switch { 0 => staff, 1 => visitor, _ => "x.y.z" });

            using var response = await http.SendAsync(request);
            var status = (int)response.StatusCode;
            var key = $"{method} {path.Split('?')[0].Split('/').Take(4).Aggregate((a, b) => a + "/" + b)} → {status}";
            statuses[key] = statuses.GetValueOrDefault(key) + 1;
            var shown = $"#{i} {method} {path} ({request.Content?.Headers.ContentType}) {Show(body)}";
            if (status == 400 && path.Contains("%00", StringComparison.Ordinal) && response.Content.Headers.ContentType is null)
                continue; // Kestrel refuses a path with an encoded NUL before the app sees the request, with its own bare 400.
            if (status >= 500)
                failures.Add($"{shown} → {status}: {await response.Content.ReadAsStringAsync()}");
            else if (status >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                failures.Add($"{shown} → {status} as {response.Content.Headers.ContentType?.MediaType ?? "no body"}");
            else if (status >= 400 && !IsProblemWithWords(await response.Content.ReadAsStringAsync()))
                failures.Add($"{shown} → {status} with a problem that says nothing");
        }

        foreach (var (key, count) in statuses.OrderBy(s => s.Key))
            output.WriteLine($"{count,4} × {key}");
        Assert.True(failures.Count == 0, $"{failures.Count} of 500 bodies were answered badly:\n{string.Join("\n", failures.Take(20))}");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        await HubFuzzTests.AChatStillWorksEndToEnd(server);
    }

    private static (HttpMethod, string) Endpoint(Random random) => random.Next(12) switch
    {
        < 4 => (HttpMethod.Post, "/api/visitor/session"),
        < 7 => (HttpMethod.Post, "/api/auth/token"),
        7 => (HttpMethod.Post, "/api/auth/refresh"),
        8 or 9 => (HttpMethod.Post, "/api/visitor/offline-messages"),
        10 => (HttpMethod.Get, $"/api/queues/{Uri.EscapeDataString(random.Next(4) switch { 0 => "support", 1 => new string('q', 5000), 2 => "..%2F..%2Fetc", _ => "\u202E👩‍👩‍👧‍👦\0" })}/availability"),
        _ => (new[] { HttpMethod.Put, HttpMethod.Delete, HttpMethod.Patch, HttpMethod.Get }[random.Next(4)], new[] { "/api/visitor/session", "/api/auth/token", "/api/nothing" }[random.Next(3)]),
    };

    private static byte[] Body(Random random)
    {
        string text = random.Next(14) switch
        {
            0 => "",
            1 => "null",
            2 => "[]",
            3 => new string('[', random.Next(65, 5000)),
            4 => new string('{', 1) + string.Concat(Enumerable.Repeat("\"a\":{", random.Next(65, 2000))),
            5 => "{\"name\": \"" + new string('a', random.Next(15_000, 40_000)) + "\"}",
            6 => "{\"name\": \"Ann\", \"email\": ",
            7 => "not json at all <xml/>",
            8 => "{\"name\": \"\\ud800\", \"email\": \"\\udfff@example.com\"}",
            9 => "\uFEFF{\"username\":\"ada\",\"password\":\"x\"}",
            10 => "{\"timestamp\": 1e999, \"userId\": [], \"signature\": {}}",
            _ => RandomObject(random),
        };
        var bytes = Encoding.UTF8.GetBytes(text);
        if (random.Next(12) == 0 && bytes.Length > 4)
            bytes[random.Next(bytes.Length)] = (byte)random.Next(0x80, 0x100); // invalid UTF-8
        if (random.Next(12) == 0 && bytes.Length > 4)
            bytes = bytes[..random.Next(bytes.Length)]; // truncated
        return bytes;
    }

    private static string RandomObject(Random random)
    {
        var fields = new Dictionary<string, object?>();
        for (var n = random.Next(0, 6); n > 0; n--)
        {
            fields[Fields[random.Next(Fields.Length)]] = random.Next(10) switch
            {
                0 => null,
                1 => random.Next(2) == 0 ? long.MaxValue : -1,
                2 => true,
                3 => new[] { "a", "b" },
                4 => new Dictionary<string, object> { ["x"] = 1 },
                5 => new string('x', random.Next(90, 300)),
                6 => "ada",
                7 => "ann@example.com",
                8 => "\u202E\u200D\0<script>",
                _ => "support",
            };
        }
        return JsonSerializer.Serialize(fields);
    }

    private static bool IsProblemWithWords(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            return root.TryGetProperty("title", out var title) && title.GetString() is { Length: > 0 }
                && (root.TryGetProperty("detail", out var detail) && detail.GetString() is { Length: > 0 } || root.TryGetProperty("errors", out _));
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Show(byte[] body) => body.Length > 80 ? Encoding.UTF8.GetString(body[..80]) + $"…({body.Length} bytes)" : Encoding.UTF8.GetString(body);
}

namespace LiveChat.Server.Http;

/// <summary>
/// <c>LiveChat.Server healthcheck [url]</c>: asks a node's <c>/healthz</c> and exits 0 when it answers 200, 1 otherwise.
/// For container health checks in images without curl.
/// </summary>
internal static class HealthCheckCommand
{
    public static async Task<int> Run(string[] args)
    {
        var url = args.Length > 0 ? args[0] : "http://127.0.0.1:8080/healthz";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            Console.Error.WriteLine($"usage: LiveChat.Server healthcheck [url]   ('{url}' is not an absolute URL)");
            return 2;
        }
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await http.GetAsync(uri);
            var body = await response.Content.ReadAsStringAsync();
            Console.WriteLine($"{(int)response.StatusCode} {body}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            Console.Error.WriteLine($"{uri} did not answer: {ex.Message}");
            return 1;
        }
    }
}

using LiveChat.Server.Hosting;
using LiveChat.Server.Http;
using LiveChat.Server.Identity;

// `hash-password <password>` prints a hash for LiveChat:Users:N:PasswordHash and exits.
if (args is ["hash-password", .. var rest])
    return HashPasswordCommand.Run(rest);
// `healthcheck [url]` exits 0 when the node's /healthz answers 200: the container image's health check.
if (args is ["healthcheck", .. var target])
    return await HealthCheckCommand.Run(target);

var builder = WebApplication.CreateBuilder(args);

// Options, the co-hosted Orleans silo, identity, SignalR and the message log.
builder.AddLiveChat();

var app = builder.Build();

// HTTP pipeline, API, hubs and health check.
app.MapLiveChat();

await app.RunAsync();
return 0;

public partial class Program;

using LiveChat.Server.Hosting;
using LiveChat.Server.Identity;

// `hash-password <password>` prints a hash for LiveChat:Users:N:PasswordHash and exits.
if (args is ["hash-password", .. var rest])
    return HashPasswordCommand.Run(rest);

var builder = WebApplication.CreateBuilder(args);

// Options, the co-hosted Orleans silo, identity, SignalR and the message log.
builder.AddLiveChat();

var app = builder.Build();

// HTTP pipeline, API, hubs and health check.
app.MapLiveChat();

app.Run();
return 0;

public partial class Program;

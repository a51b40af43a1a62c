global using LiveChat.Testing;
global using Microsoft.AspNetCore.SignalR.Client;

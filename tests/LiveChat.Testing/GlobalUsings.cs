global using System.Diagnostics;
global using LiveChat.Contracts;
global using Microsoft.AspNetCore.SignalR.Client;

global using System.Diagnostics;
global using System.Net;
global using System.Net.Http.Json;
global using LiveChat.Contracts;
global using LiveChat.Testing;
global using LiveChat.Tests.Infrastructure;
global using Microsoft.AspNetCore.SignalR.Client;
global using Xunit;

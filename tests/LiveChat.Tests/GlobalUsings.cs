global using LiveChat.Contracts;
global using LiveChat.Tests.Infrastructure;

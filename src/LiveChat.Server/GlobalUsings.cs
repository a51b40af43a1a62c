global using LiveChat.Contracts;

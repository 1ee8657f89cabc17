var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();

app.MapGet("/products", () => Array.Empty<string>());

app.Run();

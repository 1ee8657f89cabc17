var app = WebApplication.CreateBuilder(args).Build();
app.MapPost("/relay", async (HttpRequest req) => Results.Accepted());
app.Run();
